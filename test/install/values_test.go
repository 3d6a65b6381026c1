package install

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/shopify-odoo/connector/test/controlplane"
)

// render renders the chart as release "r" with helm template and args.
func render(t *testing.T, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := controlplane.HelmTemplate(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	objs, err := controlplane.Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// field reads a nested field of the one object of a kind.
func field(t *testing.T, objs []*unstructured.Unstructured, kind string, path ...string) any {
	t.Helper()
	of := ofKind(objs, kind)
	if len(of) != 1 {
		t.Fatalf("%d %ss rendered", len(of), kind)
	}
	v, _, err := unstructured.NestedFieldNoCopy(of[0].Object, path...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	podSpec   = []string{"spec", "template", "spec"}
	container = func(t *testing.T, objs []*unstructured.Unstructured) map[string]any {
		return field(t, objs, "Deployment", append(podSpec, "containers")...).([]any)[0].(map[string]any)
	}
)

// Every optional template, for the checks that cover every object.
var everything = []string{"--set", "prometheusRule.enabled=true", "--set", "metrics.serviceMonitor.enabled=true",
	"--set", "webhook.ingress.enabled=true", "--set", "networkPolicy.enabled=true"}

// The values users expect of a chart do what they say in what the chart
// renders.
func TestChartValues(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	t.Run("nameOverride", func(t *testing.T) {
		objs := render(t, append(everything, "--set", "nameOverride=conn")...)
		for _, o := range objs {
			if o.GetKind() != "CustomResourceDefinition" && (!strings.HasPrefix(o.GetName(), "r-conn") || strings.Contains(o.GetName(), "shopify-odoo-connector")) {
				t.Errorf("%s %s is not named r-conn...", o.GetKind(), o.GetName())
			}
		}
		if got := field(t, objs, "Deployment", "spec", "selector", "matchLabels", "app.kubernetes.io/name"); got != "conn" {
			t.Errorf("the Deployment selects app.kubernetes.io/name=%v", got)
		}
	})
	t.Run("fullnameOverride", func(t *testing.T) {
		objs := render(t, "--set", "fullnameOverride=shop-sync")
		if got := field(t, objs, "Deployment", "metadata", "name"); got != "shop-sync" {
			t.Errorf("the Deployment is %v", got)
		}
		if got := field(t, objs, "Deployment", append(podSpec, "serviceAccountName")...); got != "shop-sync" {
			t.Errorf("the ServiceAccount is %v", got)
		}
		for _, r := range ofKind(objs, "ClusterRole") {
			if !strings.HasPrefix(r.GetName(), "shop-sync-") {
				t.Errorf("ClusterRole %s", r.GetName())
			}
		}
	})
	t.Run("image.digest", func(t *testing.T) {
		objs := render(t, "--set", "image.tag=1.2.3", "--set", "image.digest="+digest)
		if got := container(t, objs)["image"]; got != "ghcr.io/shopify-odoo/connector@"+digest {
			t.Errorf("image %v: the digest wins over the tag", got)
		}
		if got := container(t, render(t, "--set", "image.tag=1.2.3"))["image"]; got != "ghcr.io/shopify-odoo/connector:1.2.3" {
			t.Errorf("image %v without a digest", got)
		}
	})
	t.Run("commonLabels", func(t *testing.T) {
		objs := render(t, append(everything, "--set", "commonLabels.team=shop", "--set", "shards={s1}")...)
		for _, o := range objs {
			if o.GetLabels()["team"] != "shop" {
				t.Errorf("%s %s lacks the common label: %v", o.GetKind(), o.GetName(), o.GetLabels())
			}
		}
		for _, d := range ofKind(objs, "Deployment") {
			if l, _, _ := unstructured.NestedStringMap(d.Object, "spec", "template", "metadata", "labels"); l["team"] != "shop" {
				t.Errorf("the pods of %s lack the common label: %v", d.GetName(), l)
			}
		}
	})
	t.Run("extraEnv, extraVolumes and extraVolumeMounts", func(t *testing.T) {
		objs := render(t, "--set", "extraEnv[0].name=SSL_CERT_DIR", "--set", "extraEnv[0].value=/ca",
			"--set", "extraVolumes[0].name=ca", "--set", "extraVolumes[0].configMap.name=corporate-ca",
			"--set", "extraVolumeMounts[0].name=ca", "--set", "extraVolumeMounts[0].mountPath=/ca", "--set", "extraVolumeMounts[0].readOnly=true")
		c := container(t, objs)
		if env := c["env"].([]any); len(env) != 1 || env[0].(map[string]any)["value"] != "/ca" {
			t.Errorf("env %v", env)
		}
		if m := c["volumeMounts"].([]any); len(m) != 1 || m[0].(map[string]any)["mountPath"] != "/ca" || m[0].(map[string]any)["readOnly"] != true {
			t.Errorf("volumeMounts %v", m)
		}
		v := field(t, objs, "Deployment", append(podSpec, "volumes")...).([]any)
		if len(v) != 1 || v[0].(map[string]any)["configMap"].(map[string]any)["name"] != "corporate-ca" {
			t.Errorf("volumes %v", v)
		}
	})
	t.Run("revisionHistoryLimit", func(t *testing.T) {
		if got := field(t, render(t, "--set", "revisionHistoryLimit=3"), "Deployment", "spec", "revisionHistoryLimit"); fmt.Sprint(got) != "3" {
			t.Errorf("revisionHistoryLimit %v", got)
		}
	})
	t.Run("podDisruptionBudget", func(t *testing.T) {
		spec := field(t, render(t, "--set", "podDisruptionBudget.minAvailable=1"), "PodDisruptionBudget", "spec").(map[string]any)
		if _, both := spec["maxUnavailable"]; fmt.Sprint(spec["minAvailable"]) != "1" || both {
			t.Errorf("minAvailable 1 gives %v", spec)
		}
		spec = field(t, render(t), "PodDisruptionBudget", "spec").(map[string]any)
		if _, min := spec["minAvailable"]; fmt.Sprint(spec["maxUnavailable"]) != "1" || min {
			t.Errorf("by default %v", spec)
		}
	})
}

// The schema still refuses what it does not know, and malformed values of
// the new keys, saying which.
func TestChartRefusesUnknownValues(t *testing.T) {
	for set, where := range map[string]string{
		"nameOveride=x":                         "'nameOveride' not allowed",
		"image.digst=sha256:00":                 "'digst' not allowed",
		"image.digest=latest":                   "/image/digest",
		"podDisruptionBudget.minAvailable=half": "/podDisruptionBudget/minAvailable",
		"extraVolumeMounts[0].name=ca":          "missing property 'mountPath'",
		"commonLabels.team=null":                "/commonLabels/team",
		"prometheusRule.rules=x":                "'rules' not allowed",
	} {
		_, err := controlplane.HelmTemplate(t, "--set", set)
		if err == nil || !strings.Contains(err.Error(), "schema") || !strings.Contains(err.Error(), where) {
			t.Errorf("--set %s: want the schema's refusal naming %s, got %v", set, where, err)
		}
	}
}

// The chart's roles for people are config/rbac's: the same rules, aggregated
// into the same built-in roles.
func TestChartRolesAreConfigRBACs(t *testing.T) {
	roles := ofKind(render(t), "ClusterRole")
	for _, name := range []string{"admin", "editor", "viewer"} {
		data, err := os.ReadFile(filepath.Join(root, "config", "rbac", name+"_role.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var want rbacv1.ClusterRole
		if err := yaml.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(roles, func(r *unstructured.Unstructured) bool { return r.GetName() == "r-shopify-odoo-connector-"+name })
		if i < 0 {
			t.Fatalf("the chart has no %s role", name)
		}
		var got rbacv1.ClusterRole
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(roles[i].Object, &got); err != nil {
			t.Fatal(err)
		}
		if g, w := grants(got.Rules), grants(want.Rules); !slices.Equal(g, w) {
			t.Errorf("%s grants %v in the chart, %v in config/rbac", name, g, w)
		}
		for k, v := range want.Labels {
			if got.Labels[k] != v {
				t.Errorf("%s: the chart's role lacks %s=%s", name, k, v)
			}
		}
	}
}

// grants are a role's rules as sorted group/resource verb triples.
func grants(rules []rbacv1.PolicyRule) []string {
	var out []string
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out = append(out, g+"/"+res+" "+v)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// The chart README's table of values names every value of values.yaml, in
// full or as ".key" on the row of a sibling; objects the schema leaves open
// (labels, security contexts) are one value.
func TestChartREADMEDocumentsEveryValue(t *testing.T) {
	var values, schema map[string]any
	for path, into := range map[string]*map[string]any{"values.yaml": &values, "values.schema.json": &schema} {
		data, err := os.ReadFile(filepath.Join(chart, path))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, into); err != nil {
			t.Fatal(err)
		}
	}
	readme, err := os.ReadFile(filepath.Join(chart, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(l, "| `") {
			rows = append(rows, l)
		}
	}
	documented := func(path []string) bool {
		full, parent, last := strings.Join(path, "."), strings.Join(path[:len(path)-1], ".")+".", path[len(path)-1]
		return slices.ContainsFunc(rows, func(r string) bool {
			return strings.Contains(r, "`"+full+"`") || len(path) > 1 && strings.Contains(r, "`"+parent) && strings.Contains(r, "`."+last+"`")
		})
	}
	var walk func(path []string, v, s map[string]any)
	walk = func(path []string, v, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for k, val := range v {
			p := append(slices.Clone(path), k)
			sub, _ := props[k].(map[string]any)
			if m, ok := val.(map[string]any); ok && len(m) > 0 && sub["additionalProperties"] == false {
				walk(p, m, sub)
			} else if !documented(p) {
				t.Errorf("the chart README does not document %s", strings.Join(p, "."))
			}
		}
	}
	walk(nil, values, schema)
}
