package controllers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/metrics"
)

// sample sums the registry's series of a metric whose labels include want.
func sample(t *testing.T, name string, want map[string]string) float64 {
	t.Helper()
	var sum float64
	for _, m := range series(t, name, want) {
		sum += value(m)
	}
	return sum
}

// series are the registry's series of a metric whose labels include want.
func series(t *testing.T, name string, want map[string]string) []*dto.Metric {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []*dto.Metric
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue series
				}
			}
			out = append(out, m)
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return 0
}

// The metrics of an instance move with its queues: what the lines say the
// orders became is what the counters say, and the clients were counted.
func TestImportMovesTheMetrics(t *testing.T) {
	odooCreates := sample(t, "shopify_odoo_odoo_round_trips_total", map[string]string{"model": "sale.order", "method": "create", "result": "ok"})
	f := newFixture(t, 18, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped, v1.OrderCancelled}
	})
	f.ready()
	queues := f.finished()
	inst := map[string]string{metrics.LabelInstance: metrics.Instance(f.ns, "shop")}
	var c v1.OrderCounts
	outcomes := map[v1.Outcome]float64{}
	for _, q := range queues {
		n := q.Status.Counts
		c.Done, c.Failed, c.Deliveries = c.Done+n.Done, c.Failed+n.Failed, c.Deliveries+n.Deliveries
		c.Draft, c.Cancelled, c.Skipped = c.Draft+n.Draft, c.Cancelled+n.Cancelled, c.Skipped+n.Skipped
		for _, l := range q.Status.Lines {
			if l.State == v1.LineDone {
				outcomes[l.Outcome]++
			}
		}
	}
	if c.Done == 0 || c.Failed == 0 || c.Deliveries == 0 {
		t.Fatalf("the store should import, fail and deliver some orders: %+v", c)
	}
	for o, n := range outcomes {
		if got := sample(t, "shopify_odoo_orders_imported_total", with(inst, "outcome", string(o))); got != n {
			t.Errorf("orders imported as %s: %v; the lines say %v", o, got, n)
		}
	}
	checks := []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"shopify_odoo_orders_delivered_total", inst, float64(c.Deliveries)},
		// the store's failures are data errors, tried once
		{"shopify_odoo_orders_failed_total", with(inst, "reason", metrics.ReasonRejected), float64(c.Failed)},
		{"shopify_odoo_orders_failed_total", with(inst, "reason", metrics.ReasonTransient), 0},
		{"shopify_odoo_queue_lines", with(inst, "state", "done"), float64(c.Done)},
		{"shopify_odoo_queue_lines", with(inst, "state", "failed"), float64(c.Failed)},
		{"shopify_odoo_queue_lines", with(inst, "state", "skipped"), float64(c.Skipped)},
		{"shopify_odoo_queue_lines", with(inst, "state", "cancelled"), float64(c.Cancelled)},
		{"shopify_odoo_queue_lines", with(inst, "state", "draft"), 0},
	}
	for _, ch := range checks {
		if got := sample(t, ch.metric, ch.labels); got != ch.want {
			t.Errorf("%s%v = %v; want %v", ch.metric, ch.labels, got, ch.want)
		}
	}
	if got := sample(t, "shopify_odoo_shopify_cost_points_total", inst); got <= 0 {
		t.Errorf("no Shopify cost points counted: %v", got)
	}
	// The simulators of other tests may run at the same time: at least one
	// create per imported order that was not there before.
	if got := sample(t, "shopify_odoo_odoo_round_trips_total", map[string]string{"model": "sale.order", "method": "create", "result": "ok"}); got-odooCreates < 1 {
		t.Errorf("sale.order create round trips went from %v to %v", odooCreates, got)
	}
	if got := sample(t, "shopify_odoo_odoo_round_trip_duration_seconds", map[string]string{"model": "sale.order", "method": "create"}); got < 1 {
		t.Errorf("no sale.order create latency observed: %v", got)
	}
}

// An instance without queues has its readiness and when its steps last
// succeeded as series, from which the dashboard lists instances; they go
// with the instance.
func TestInstanceMetricsLiveAndGoWithTheInstance(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	start := time.Now()
	f.instance(nil)
	inst := map[string]string{metrics.LabelInstance: metrics.Instance(f.ns, "shop")}
	ready := func(status string) float64 {
		return sample(t, "shopify_odoo_instance_ready", with(with(inst, "condition", v1.ConditionReady), "status", status))
	}
	eventually(t, "the instance's Ready series", func() error {
		if len(series(t, "shopify_odoo_instance_ready", inst)) == 0 {
			return fmt.Errorf("none")
		}
		return nil
	})
	f.ready()
	eventually(t, "Ready=True in the metric", func() error {
		if ready("True") != 1 || ready("False") != 0 || ready("Unknown") != 0 {
			return fmt.Errorf("True %v, False %v, Unknown %v", ready("True"), ready("False"), ready("Unknown"))
		}
		return nil
	})
	if len(f.queues()) != 0 {
		t.Fatal("the instance has queues: the test needs one without")
	}
	at := sample(t, "shopify_odoo_step_last_success_timestamp_seconds", with(inst, "step", "ImportOrders"))
	if at < float64(start.Unix()) || at > float64(time.Now().Unix()+1) {
		t.Errorf("ImportOrders last succeeded at %v, not since the test started at %v", at, start.Unix())
	}
	f.delete("shop")
	f.gone("shop")
	eventually(t, "the instance's series gone", func() error {
		for _, name := range []string{"shopify_odoo_instance_ready", "shopify_odoo_step_last_success_timestamp_seconds"} {
			if n := len(series(t, name, inst)); n > 0 {
				return fmt.Errorf("%d series of %s", n, name)
			}
		}
		return nil
	})
}

func with(labels map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for lk, lv := range labels {
		out[lk] = lv
	}
	return out
}

// A queue that cannot go on says why in an event, once per reason.
func TestQueueStallIsAnEvent(t *testing.T) {
	f := newFixture(t, 17, 0)
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "orphan"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "missing"}, Type: v1.QueueUnshipped, OrderIDs: []string{"1"}}})
	eventually(t, "an InstanceNotFound event", func() error {
		var notes []string
		for _, e := range f.events() {
			if e.Regarding.Name == "orphan" && e.Reason == ReasonInstanceNotFound && e.Type == corev1.EventTypeWarning {
				notes = append(notes, e.Note)
			}
		}
		if len(notes) != 1 || !strings.Contains(notes[0], `"missing"`) {
			return fmt.Errorf("events %q", notes)
		}
		return nil
	})
}
