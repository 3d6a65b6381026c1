package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	_ "sigs.k8s.io/controller-runtime/pkg/controller" // registers controller_runtime_* as the manager does
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

const dashboard = "../../charts/shopify-odoo-connector/files/dashboards/shopify-odoo-connector.json"

// registered says whether the manager's registry has a metric of that name:
// registering another collector of the same name fails when it has.
func registered(name string) bool {
	probe := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: "probe"})
	if err := ctrlmetrics.Registry.Register(probe); err != nil {
		return true
	}
	ctrlmetrics.Registry.Unregister(probe)
	return false
}

// registeredSeries says whether a series name is one of a registered
// metric: a histogram's _bucket, _sum and _count are its own.
func registeredSeries(name string) bool {
	for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && registered(base) {
			return true
		}
	}
	return false
}

// grafanaVariables stand for the dashboard's variables, so that its
// queries parse as Prometheus would receive them.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "5m", "$__range", "1d", "$instance", ".*")

// panelQueries are the Prometheus queries of the dashboard's panels, by
// panel title.
func panelQueries(t *testing.T) map[string][]parser.Expr {
	t.Helper()
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	readDashboard(t, &d)
	out := map[string][]parser.Expr{}
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			e, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaVariables.Replace(q.Expr))
			if err != nil {
				t.Errorf("panel %q: %v", p.Title, err)
				continue
			}
			out[p.Title] = append(out[p.Title], e)
		}
	}
	return out
}

func readDashboard(t *testing.T, into any) {
	t.Helper()
	data, err := os.ReadFile(dashboard)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}

// selectors are the series selectors of a query, by metric name.
func selectors(e parser.Expr) map[string][][]*labels.Matcher {
	out := map[string][][]*labels.Matcher{}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if v, ok := n.(*parser.VectorSelector); ok {
			out[v.Name] = append(out[v.Name], v.LabelMatchers)
		}
		return nil
	})
	return out
}

// Every panel's query parses and names metrics that exist, the instance
// selector lists instances from a metric that exists without queues, and
// the dashboard shows every metric of this package.
func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	var used []string
	for title, queries := range panelQueries(t) {
		for _, q := range queries {
			for name := range selectors(q) {
				if !registeredSeries(name) {
					t.Errorf("panel %q queries %s, which is not registered", title, name)
				}
				used = append(used, name)
			}
		}
	}
	if len(used) == 0 {
		t.Fatal("the dashboard queries no metric")
	}
	var d struct {
		Templating struct {
			List []struct{ Name, Definition string }
		}
	}
	readDashboard(t, &d)
	for _, v := range d.Templating.List {
		if v.Name == "instance" && v.Definition != "label_values(shopify_odoo_instance_ready, "+LabelInstance+")" {
			t.Errorf("the instance selector is %q, not the instances' readiness", v.Definition)
		}
	}
	for _, n := range ownNames(t) {
		if !slices.ContainsFunc(used, func(u string) bool { return strings.HasPrefix(u, n) }) {
			t.Errorf("the dashboard does not show %s", n)
		}
	}
}

// ownNames are the names of the metrics this package defines.
func ownNames(t *testing.T) []string {
	t.Helper()
	ch := make(chan *prometheus.Desc, 100)
	for _, c := range Collectors {
		c.Describe(ch)
	}
	close(ch)
	var out []string
	for d := range ch {
		// Desc has no name accessor; its string form names it.
		m := regexp.MustCompile(`fqName: "([^"]+)"`).FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("no name in %s", d)
		}
		out = append(out, m[1])
	}
	return out
}

// The README's metrics table documents every metric.
func TestREADMEDocumentsEveryMetric(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(ownNames(t), "controller_runtime_reconcile_errors_total") {
		if !strings.Contains(string(data), "`"+n+"`") {
			t.Errorf("README.md does not document %s", n)
		}
	}
}

// A name the registry does not have is reported as such, so the checks
// above can fail.
func TestRegisteredRefusesUnknownNames(t *testing.T) {
	if registeredSeries("shopify_odoo_no_such_metric_total") {
		t.Error("an unknown name counts as registered")
	}
	if !registeredSeries("shopify_odoo_orders_imported_total") || !registeredSeries("controller_runtime_reconcile_errors_total") ||
		!registeredSeries("shopify_odoo_odoo_round_trip_duration_seconds_bucket") {
		t.Error("a registered name does not count as registered")
	}
}
