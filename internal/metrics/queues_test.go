package metrics

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// The gauges of what exists say what the objects say: the lines of order
// and import queues by state, when the oldest unfinished queue was created
// (finished ones do not count), and payout reports by phase.
func TestGaugesReadTheObjects(t *testing.T) {
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }
	ref := v1.InstanceReference{Name: "demo"}
	orders := v1.OrderQueueSpec{InstanceRef: ref, Type: v1.QueueUnshipped, OrderIDs: []string{"1"}}
	n := 0
	line := func(s v1.LineState) v1.LineStatus { n++; return v1.LineStatus{ID: strconv.Itoa(n), State: s} }
	done := &v1.OrderQueue{ObjectMeta: meta("done"), Spec: orders}
	done.Status.Phase, done.Status.Lines = v1.PhaseCompleted, []v1.OrderLine{{LineStatus: line(v1.LineDone)}}
	c := watchObjects(t, "shop", done)
	// the pending queue is younger than the finished one by a second at least,
	// creation times being in seconds
	for start := time.Now().Unix(); time.Now().Unix() == start; time.Sleep(50 * time.Millisecond) {
	}
	pending := &v1.OrderQueue{ObjectMeta: meta("pending"), Spec: orders}
	pending.Status.Phase, pending.Status.Lines = v1.PhaseProcessing, []v1.OrderLine{{LineStatus: line(v1.LineFailed)}, {LineStatus: line(v1.LineDraft)}}
	products := &v1.ImportQueue{ObjectMeta: meta("products"), Spec: v1.ImportQueueSpec{InstanceRef: ref, Resource: v1.ImportProducts, IDs: []string{"1"}}}
	products.Status.Phase = v1.PhaseFailed
	products.Status.Lines = []v1.ImportLine{{LineStatus: line(v1.LineFailed)}, {LineStatus: line(v1.LineFailed)}, {LineStatus: line(v1.LineDone)}}
	report := &v1.PayoutReport{ObjectMeta: meta("p1"), Spec: v1.PayoutReportSpec{InstanceRef: ref, PayoutID: "1"}}
	report.Status.Phase = v1.PayoutNeedsAttention
	fresh := &v1.PayoutReport{ObjectMeta: meta("p2"), Spec: v1.PayoutReportSpec{InstanceRef: ref, PayoutID: "2"}}
	for _, o := range []client.Object{pending, products, report, fresh} {
		if err := create(context.Background(), c, "shop", o); err != nil {
			t.Fatal(err)
		}
	}

	got := gather(t, queueLines)
	want := map[string]float64{
		`queue_lines{state=done}`:                                 1,
		`queue_lines{state=failed}`:                               1,
		`queue_lines{state=draft}`:                                1,
		`queue_lines{state=skipped}`:                              0,
		`import_queue_lines{resource=Products,state=failed}`:      2,
		`import_queue_lines{resource=Products,state=done}`:        1,
		`queue_oldest_pending_timestamp_seconds{kind=OrderQueue}`: float64(pending.CreationTimestamp.Unix()),
		`payout_reports{phase=NeedsAttention}`:                    1,
		`payout_reports{phase=Draft}`:                             1,
		`payout_reports{phase=Reconciled}`:                        0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (there: %v); want %v", k, g, ok, v)
		}
	}
	if _, ok := got[`queue_oldest_pending_timestamp_seconds{kind=ImportQueue}`]; ok {
		t.Error("a failed ImportQueue counts as pending")
	}
}

// gather collects c's series of the instance shop/demo as
// name{label=value,...}, the instance's label left out.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				switch {
				case l.GetName() != LabelInstance:
					labels = append(labels, l.GetName()+"="+l.GetValue())
				case l.GetValue() != "shop/demo":
					t.Errorf("a series of %s", l.GetValue())
				}
			}
			out[strings.TrimPrefix(f.GetName(), prefix)+"{"+strings.Join(labels, ",")+"}"] = m.GetGauge().GetValue()
		}
	}
	return out
}
