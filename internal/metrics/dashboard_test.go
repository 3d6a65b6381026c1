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
	_ "sigs.k8s.io/controller-runtime/pkg/controller" // registers controller_runtime_* as the manager does
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

const dashboard = "../../charts/shopify-odoo-connector/files/dashboards/shopify-odoo-connector.json"

var metricName = regexp.MustCompile(`\b(shopify_odoo_|controller_runtime_)[a-z_]+`)

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

// names are the metric names of every Prometheus query of the dashboard.
func names(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(dashboard)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct{ Definition string }
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	for _, v := range d.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	var out []string
	for _, e := range exprs {
		out = append(out, metricName.FindAllString(e, -1)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Every metric the dashboard queries exists, and the dashboard shows every
// metric of this package.
func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	used := names(t)
	if len(used) == 0 {
		t.Fatal("the dashboard queries no metric")
	}
	for _, n := range used {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
		if !registered(n) && !registered(base) {
			t.Errorf("the dashboard queries %s, which is not registered", n)
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

// A name the registry does not have is reported as such, so the check above
// can fail.
func TestRegisteredRefusesUnknownNames(t *testing.T) {
	if registered("shopify_odoo_no_such_metric_total") {
		t.Error("an unknown name counts as registered")
	}
	if !registered("shopify_odoo_orders_imported_total") || !registered("controller_runtime_reconcile_errors_total") {
		t.Error("a registered name does not count as registered")
	}
}
