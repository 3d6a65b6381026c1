package metrics

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/shopify-odoo/connector/test/controlplane"
)

// watchObjects creates objs, their status included, in namespace on a real
// API server, and has the gauges read them from it.
func watchObjects(t *testing.T, namespace string, objs ...client.Object) client.Client {
	t.Helper()
	c := controlplane.ForTest(t).Client
	ctx := context.Background()
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if err := create(ctx, c, namespace, o); err != nil {
			t.Fatal(err)
		}
	}
	Watch(c)
	t.Cleanup(func() { cache.Store(nil) })
	return c
}

// create creates o in namespace, then writes the status it was given.
func create(ctx context.Context, c client.Client, namespace string, o client.Object) error {
	o.SetNamespace(namespace)
	status := o.DeepCopyObject().(client.Object)
	if err := c.Create(ctx, o); err != nil {
		return err
	}
	status.SetResourceVersion(o.GetResourceVersion())
	status.SetUID(o.GetUID())
	status.SetCreationTimestamp(o.GetCreationTimestamp())
	if err := c.Status().Update(ctx, status); err != nil {
		return err
	}
	return c.Get(ctx, client.ObjectKeyFromObject(o), o)
}
