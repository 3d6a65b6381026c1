package install

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/shopify-odoo/connector/internal/shard"
)

// With shards the chart runs a Deployment per shard and the main one for
// the objects of no shard, each watching its own, selecting only its own
// pods, with a disruption budget and scraped metrics; the webhook Service
// reaches the main Deployment, whose receiver serves every shard.
func TestChartInstallsShards(t *testing.T) {
	helm, _ := tools(t)
	rendered := filepath.Join(t.TempDir(), "c.yaml")
	out := run(t, helm, "template", "c", chart, "--set", "shards={s1,s2}")
	if err := os.WriteFile(rendered, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"c-shopify-odoo-connector": "!" + shard.Label,
		"c-shopify-odoo-connector-s1": shard.Label + "=s1", "c-shopify-odoo-connector-s2": shard.Label + "=s2"}
	deps := objects(t, rendered, "Deployment")
	if len(deps) != len(want) {
		t.Fatalf("%d Deployments, want %d", len(deps), len(want))
	}
	pods := map[string]labels.Set{}
	for _, d := range deps {
		l, _, _ := unstructured.NestedStringMap(d.Object, "spec", "template", "metadata", "labels")
		pods[d.GetName()] = l
		args, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
		flag := "--watch-label-selector=" + want[d.GetName()]
		if !slices.ContainsFunc(args[0].(map[string]any)["args"].([]any), func(a any) bool { return a == flag }) {
			t.Errorf("%s lacks %s", d.GetName(), flag)
		}
	}
	selects := func(o *unstructured.Unstructured, path ...string) []string {
		m, _, _ := unstructured.NestedStringMap(o.Object, path...)
		var out []string
		for name, l := range pods {
			if labels.SelectorFromSet(m).Matches(l) {
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, d := range deps {
		if got := selects(d, "spec", "selector", "matchLabels"); !slices.Equal(got, []string{d.GetName()}) {
			t.Errorf("Deployment %s selects the pods of %v", d.GetName(), got)
		}
	}
	for _, p := range objects(t, rendered, "PodDisruptionBudget") {
		if got := selects(p, "spec", "selector", "matchLabels"); len(got) != 1 || got[0] != p.GetName() {
			t.Errorf("PodDisruptionBudget %s covers %v", p.GetName(), got)
		}
	}
	metrics := map[string]bool{}
	for _, s := range objects(t, rendered, "Service") {
		got := selects(s, "spec", "selector")
		switch {
		case strings.HasSuffix(s.GetName(), "-webhook") && !slices.Equal(got, []string{"c-shopify-odoo-connector"}):
			t.Errorf("the webhook Service reaches %v", got)
		case strings.HasSuffix(s.GetName(), "-metrics"):
			for _, g := range got {
				metrics[g] = true
			}
		}
	}
	if len(metrics) != len(want) {
		t.Errorf("the metrics of %v only are scraped", metrics)
	}
}
