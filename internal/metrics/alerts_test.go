package metrics

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/shopify-odoo/connector/test/controlplane"
)

// The chart's alerting rules load as Prometheus loads a rule file (what
// promtool check rules checks: the expressions parse, the templates of the
// annotations parse), they name only metrics the manager serves, they cover
// failed lines, stalled instances, throttling, rejected webhooks and the age
// of queues, and each links a section of the chart README that exists.
func TestAlertRulesLoadAndNameRegisteredMetrics(t *testing.T) {
	groups := alertRules(t)
	sections := readmeSections(t)
	used := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			e, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr)
			if err != nil {
				t.Fatalf("%s: %v", r.Alert, err)
			}
			for name := range selectors(e) {
				if !registeredSeries(name) {
					t.Errorf("%s queries %s, which is not registered", r.Alert, name)
				}
				used[name] = true
			}
			_, anchor, _ := strings.Cut(r.Annotations["runbook_url"], "#")
			if !sections[anchor] {
				t.Errorf("%s's runbook %q is no section of the chart README", r.Alert, r.Annotations["runbook_url"])
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s lacks a severity, summary or description", r.Alert)
			}
		}
	}
	for _, m := range []string{"shopify_odoo_queue_lines", "shopify_odoo_import_queue_lines", "shopify_odoo_instance_ready",
		"shopify_odoo_shopify_throttle_wait_seconds_total", "shopify_odoo_shopify_throttled_total", "shopify_odoo_webhook_deliveries_total", "shopify_odoo_queue_oldest_pending_timestamp_seconds"} {
		if !used[m] {
			t.Errorf("no alert on %s", m)
		}
	}
}

// alertRules are the chart's alerting rules, loaded as Prometheus loads a
// rule file.
func alertRules(t *testing.T) *rulefmt.RuleGroups {
	t.Helper()
	out, err := controlplane.HelmTemplate(t, "--set", "prometheusRule.enabled=true", "--show-only", "templates/prometheusrule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rule struct {
		Kind string
		Spec any
	}
	if err := yaml.Unmarshal([]byte(out), &rule); err != nil {
		t.Fatal(err)
	}
	if rule.Kind != "PrometheusRule" {
		t.Fatalf("rendered a %q", rule.Kind)
	}
	spec, err := yaml.Marshal(rule.Spec)
	if err != nil {
		t.Fatal(err)
	}
	groups, errs := rulefmt.Parse(spec, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, err := range errs {
		t.Error(err)
	}
	if groups == nil || len(groups.Groups) == 0 {
		t.Fatal("no rule group")
	}
	return groups
}

// readmeSections are the anchors of the chart README's headings, as GitHub
// makes them.
func readmeSections(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(controlplane.RepoRoot(), "charts", "shopify-odoo-connector", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(data), -1) {
		anchor := strings.ToLower(regexp.MustCompile(`[^\w\- ]`).ReplaceAllString(m[1], ""))
		out[strings.ReplaceAll(anchor, " ", "-")] = true
	}
	return out
}

// The alerts are there only when asked for: they need the Prometheus
// Operator's CRDs.
func TestAlertRulesAreOffByDefault(t *testing.T) {
	out, err := controlplane.HelmTemplate(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "kind: PrometheusRule") {
		t.Error("a PrometheusRule is rendered with the default values")
	}
}
