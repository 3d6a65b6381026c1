package controlplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Decode reads the objects of a multi-document YAML file.
func Decode(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			return objs, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// Apply server-side applies the objects of YAML files into a namespace.
func Apply(ctx context.Context, c client.Client, namespace string, paths ...string) error {
	for _, p := range paths {
		objs, err := Decode(p)
		if err != nil {
			return err
		}
		for _, u := range objs {
			u.SetNamespace(namespace)
			if err := c.Patch(ctx, u, client.Apply, client.FieldOwner("shopify-odoo-demo"), client.ForceOwnership); err != nil {
				return fmt.Errorf("%s: %s %s: %w", p, u.GetKind(), u.GetName(), err)
			}
		}
	}
	return nil
}

// SampleScopes are the access scopes config/samples says its Shopify app
// needs, on the line "# scopes: a,b,..." of shop-credentials.yaml.
func SampleScopes() ([]string, error) {
	path := filepath.Join(RepoRoot(), "config", "samples", "shop-credentials.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if list, ok := strings.CutPrefix(line, "# scopes: "); ok {
			return strings.Split(list, ","), nil
		}
	}
	return nil, fmt.Errorf("%s lists no scopes", path)
}
