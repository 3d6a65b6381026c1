package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// The gauges of what exists say what the objects say: the lines of order
// and import queues by state, when the oldest unfinished queue was created
// (finished ones do not count), and payout reports by phase.
func TestGaugesReadTheObjects(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	meta := func(name string, created time.Time) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "shop", CreationTimestamp: metav1.NewTime(created)}
	}
	ref := v1.InstanceReference{Name: "demo"}
	line := func(s v1.LineState) v1.LineStatus { return v1.LineStatus{ID: "1", State: s} }
	done := &v1.OrderQueue{ObjectMeta: meta("done", day), Spec: v1.OrderQueueSpec{InstanceRef: ref}}
	done.Status.Phase, done.Status.Lines = v1.PhaseCompleted, []v1.OrderLine{{LineStatus: line(v1.LineDone)}}
	pending := &v1.OrderQueue{ObjectMeta: meta("pending", day.Add(time.Hour)), Spec: v1.OrderQueueSpec{InstanceRef: ref}}
	pending.Status.Phase, pending.Status.Lines = v1.PhaseProcessing, []v1.OrderLine{{LineStatus: line(v1.LineFailed)}, {LineStatus: line(v1.LineDraft)}}
	products := &v1.ImportQueue{ObjectMeta: meta("products", day.Add(2*time.Hour)), Spec: v1.ImportQueueSpec{InstanceRef: ref, Resource: v1.ImportProducts}}
	products.Status.Phase = v1.PhaseFailed
	products.Status.Lines = []v1.ImportLine{{LineStatus: line(v1.LineFailed)}, {LineStatus: line(v1.LineFailed)}, {LineStatus: line(v1.LineDone)}}
	report := &v1.PayoutReport{ObjectMeta: meta("p1", day), Spec: v1.PayoutReportSpec{InstanceRef: ref}}
	report.Status.Phase = v1.PayoutNeedsAttention
	fresh := &v1.PayoutReport{ObjectMeta: meta("p2", day), Spec: v1.PayoutReportSpec{InstanceRef: ref}}
	Watch(fake.NewClientBuilder().WithScheme(scheme).WithObjects(done, pending, products, report, fresh).
		WithStatusSubresource(&v1.OrderQueue{}, &v1.ImportQueue{}, &v1.PayoutReport{}).Build())
	t.Cleanup(func() { cache.Store(nil) })

	got := gather(t, queueLines)
	want := map[string]float64{
		`queue_lines{state=done}`:                                 1,
		`queue_lines{state=failed}`:                               1,
		`queue_lines{state=draft}`:                                1,
		`queue_lines{state=skipped}`:                              0,
		`import_queue_lines{resource=Products,state=failed}`:      2,
		`import_queue_lines{resource=Products,state=done}`:        1,
		`queue_oldest_pending_timestamp_seconds{kind=OrderQueue}`: float64(day.Add(time.Hour).Unix()),
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
