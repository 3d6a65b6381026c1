package metrics

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// Each alert fires for the instance in the state it describes, from what
// the manager's registry reports of real objects and calls, and not for the
// others: what promtool test rules checks, with the operator's own output.
// Gauges are taken as constant for the last two hours, counters as having
// grown to their value over the last 30 minutes; "for" holds then.
func TestAlertsFireOnWhatTheOperatorReports(t *testing.T) {
	cond := func(typ string, s metav1.ConditionStatus) metav1.Condition {
		return metav1.Condition{Type: typ, Status: s, Reason: "R", LastTransitionTime: metav1.Now()}
	}
	inst := func(name string, conds ...metav1.Condition) *v1.ShopifyInstance {
		i := &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.ShopifyInstanceSpec{
			Shopify: v1.ShopifySpec{Shop: name + ".myshopify.com", CredentialsSecretRef: v1.SecretReference{Name: "s"}},
			Odoo:    v1.OdooSpec{URL: "https://odoo.example", Database: "d", CredentialsSecretRef: v1.SecretReference{Name: "o"}}}}
		i.Status.Conditions = conds
		return i
	}
	queue := func(name, instance string, phase v1.QueuePhase, states ...v1.LineState) *v1.OrderQueue {
		q := &v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: instance},
			Type: v1.QueueUnshipped, OrderIDs: []string{"1"}}}
		q.Status.Phase = phase
		for i, s := range states {
			q.Status.Lines = append(q.Status.Lines, v1.OrderLine{LineStatus: v1.LineStatus{ID: strconv.Itoa(i), State: s}})
		}
		return q
	}
	ready := cond(v1.ConditionReady, metav1.ConditionTrue)
	watchObjects(t, "alerts",
		inst("ok", ready),
		inst("stalled", cond(v1.ConditionReady, metav1.ConditionFalse), cond(v1.ConditionStalled, metav1.ConditionTrue)),
		inst("retrying", cond(v1.ConditionReady, metav1.ConditionFalse), cond(v1.ConditionReconciling, metav1.ConditionTrue)),
		inst("failing", ready), inst("stuck", ready),
		queue("ok-1", "ok", v1.PhaseCompleted, v1.LineDone, v1.LineDone),
		queue("failing-1", "failing", v1.PhasePartiallyCompleted, v1.LineDone, v1.LineFailed),
		queue("stuck-1", "stuck", v1.PhaseProcessing, v1.LineDraft),
	)
	for range 100 {
		WebhookDelivery(Instance("alerts", "forged"), "orders/create", "forged")
		WebhookDelivery(Instance("alerts", "ok"), "orders/create", "accepted")
		OdooRoundTrip("alerts.model", "write", time.Millisecond, errors.New("refused"))
	}
	NewShopifyObserver(Instance("alerts", "throttled")).Waited("", 20*time.Minute, false)
	NewShopifyObserver(Instance("alerts", "ok")).Waited("", time.Minute, false)

	// the queues were made now: an hour and a half on, none is stuck yet;
	// three hours on, the one still pending is
	if fired := firing(t, time.Now().Add(90*time.Minute))["ShopifyOdooQueueStuck"]; len(fired) > 0 {
		t.Errorf("ShopifyOdooQueueStuck fired for %v for queues 90 minutes old", fired)
	}
	fired := firing(t, time.Now().Add(3*time.Hour))
	want := map[string][]string{
		"ShopifyOdooFailedQueueLines": {"alerts/failing"},
		"ShopifyOdooInstanceStalled":  {"alerts/stalled"},
		"ShopifyOdooInstanceNotReady": {"alerts/retrying"},
		"ShopifyOdooShopifyThrottled": {"alerts/throttled"},
		"ShopifyOdooOdooErrors":       {"all"},
		"ShopifyOdooWebhooksRejected": {"alerts/forged"},
		"ShopifyOdooQueueStuck":       {"alerts/stuck"},
	}
	for alert, instances := range want {
		if !slices.Equal(fired[alert], instances) {
			t.Errorf("%s fired for %v; want %v", alert, fired[alert], instances)
		}
	}
	for alert := range fired {
		if _, ok := want[alert]; !ok {
			t.Errorf("%s is not tested here", alert)
		}
	}
}

// firing evaluates each alert at now, on what the registry reports, and
// lists the instances it fires for.
func firing(t *testing.T, now time.Time) map[string][]string {
	t.Helper()
	store := recorded(t, now)
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1e6, Timeout: 10 * time.Second, LookbackDelta: 5 * time.Minute})
	fired := map[string][]string{}
	for _, g := range alertRules(t).Groups {
		for _, r := range g.Rules {
			q, err := engine.NewInstantQuery(context.Background(), store, nil, r.Expr, now)
			if err != nil {
				t.Fatalf("%s: %v", r.Alert, err)
			}
			res := q.Exec(context.Background())
			vec, err := res.Vector()
			if err != nil {
				t.Fatalf("%s: %v", r.Alert, err)
			}
			for _, s := range vec {
				fired[r.Alert] = append(fired[r.Alert], cmp.Or(s.Metric.Get(LabelInstance), "all"))
			}
			slices.Sort(fired[r.Alert])
		}
	}
	return fired
}

// recorded is what Prometheus would hold after scraping the registry for
// two hours until now, as the test above takes it.
func recorded(t *testing.T, now time.Time) storage.Queryable {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var all []storage.Series
	for _, f := range families {
		for _, m := range f.GetMetric() {
			lset := []string{labels.MetricName, f.GetName()}
			for _, l := range m.GetLabel() {
				lset = append(lset, l.GetName(), l.GetValue())
			}
			var samples []chunks.Sample
			for at := now.Add(-2 * time.Hour); !at.After(now); at = at.Add(30 * time.Second) {
				switch f.GetType() {
				case dto.MetricType_GAUGE:
					samples = append(samples, floatSample{at.UnixMilli(), m.GetGauge().GetValue()})
				case dto.MetricType_COUNTER:
					grown := max(0, 1-now.Sub(at).Seconds()/(30*time.Minute).Seconds())
					samples = append(samples, floatSample{at.UnixMilli(), grown * m.GetCounter().GetValue()})
				}
			}
			if len(samples) > 0 {
				all = append(all, storage.NewListSeries(labels.FromStrings(lset...), samples))
			}
		}
	}
	return &storage.MockQueryable{MockQuerier: &storage.MockQuerier{
		SelectMockFunction: func(_ bool, _ *storage.SelectHints, matchers ...*labels.Matcher) storage.SeriesSet {
			var out []storage.Series
			for _, s := range all {
				if matchesAll(s.Labels(), matchers) {
					out = append(out, s)
				}
			}
			slices.SortFunc(out, func(a, b storage.Series) int { return labels.Compare(a.Labels(), b.Labels()) })
			return &seriesSet{series: out}
		}}}
}

func matchesAll(l labels.Labels, matchers []*labels.Matcher) bool {
	for _, m := range matchers {
		if !m.Matches(l.Get(m.Name)) {
			return false
		}
	}
	return true
}

// seriesSet is a storage.SeriesSet of a slice.
type seriesSet struct {
	series []storage.Series
	next   int
}

func (s *seriesSet) Next() bool                        { s.next++; return s.next <= len(s.series) }
func (s *seriesSet) At() storage.Series                { return s.series[s.next-1] }
func (s *seriesSet) Err() error                        { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

// floatSample is a chunks.Sample of a float.
type floatSample struct {
	t int64
	f float64
}

func (s floatSample) T() int64                      { return s.t }
func (s floatSample) ST() int64                     { return 0 }
func (s floatSample) F() float64                    { return s.f }
func (s floatSample) H() *histogram.Histogram       { return nil }
func (s floatSample) FH() *histogram.FloatHistogram { return nil }
func (s floatSample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s floatSample) Copy() chunks.Sample           { return s }
