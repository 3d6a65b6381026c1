package metrics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	klabels "k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/shard"
	"github.com/shopify-odoo/connector/test/controlplane"
)

// counting is a manager that counts the controllers added to it.
type counting struct {
	ctrl.Manager
	controllers int
}

func (m *counting) Add(r manager.Runnable) error {
	if _, ok := r.(controller.Controller); ok {
		m.controllers++
	}
	return m.Manager.Add(r)
}

// The dashboard's reconcile errors panel shows every controller the manager
// registers, the shards' followers among them: their names are read from
// controller-runtime's metrics once the controllers Setup added have started.
func TestDashboardShowsEveryControllersErrors(t *testing.T) {
	cp := controlplane.ForTest(t)
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Scheme: cp.Scheme, Cache: controllers.CacheOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	m := &counting{Manager: mgr}
	sharded := klabels.SelectorFromSet(klabels.Set{shard.Label: "s1"})
	if err := controllers.Setup(m, controllers.Options{Shard: sharded}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	var names []string
	for deadline := time.Now().Add(time.Minute); len(names) < m.controllers; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d controllers added, %d started: %v", m.controllers, len(names), names)
		}
		names = controllerNames(t)
	}
	if len(names) < 2 {
		t.Fatalf("only %v registered", names)
	}
	var panel [][]*labels.Matcher
	for _, q := range metrics.PanelQueries(t)["Reconcile errors"] {
		panel = append(panel, metrics.Selectors(q)["controller_runtime_reconcile_errors_total"]...)
	}
	if len(panel) == 0 {
		t.Fatal("no Reconcile errors panel on controller_runtime_reconcile_errors_total")
	}
	for _, name := range names {
		if !slices.ContainsFunc(panel, func(sel []*labels.Matcher) bool { return matches(sel, name) }) {
			t.Errorf("the Reconcile errors panel does not show controller %q", name)
		}
	}
}

// controllerNames are the controller label values of the reconcile errors
// counter: each controller sets its own to zero when it starts.
func controllerNames(t *testing.T) []string {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_errors_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "controller" {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}

// matches says whether a series of the controller passes every matcher.
func matches(sel []*labels.Matcher, controller string) bool {
	for _, m := range sel {
		v := ""
		switch m.Name {
		case "controller":
			v = controller
		case labels.MetricName:
			continue
		}
		if !m.Matches(v) {
			return false
		}
	}
	return true
}
