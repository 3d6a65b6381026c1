package metrics

import (
	"cmp"
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/queue"
)

// cache is where the gauges of what exists read it when scraped: a gauge
// kept up to date by a reconciler would drift whenever an object is deleted.
var cache atomic.Pointer[client.Reader]

// Watch makes the queue and instance gauges read the objects from r,
// normally the manager's cache. The last reader set wins.
func Watch(r client.Reader) { cache.Store(&r) }

// list lists from the watched reader, uncopied: the collectors only read.
// It says false when there is no reader or it is not synced yet, so that
// they report nothing rather than zeros.
func list(l client.ObjectList) bool {
	r := cache.Load()
	if r == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return (*r).List(ctx, l, client.UnsafeDisableDeepCopy) == nil
}

// queueLines reports the lines of the OrderQueues and ImportQueues that
// exist, by instance and state, and the resource an ImportQueue imports.
var queueLines = &queueCollector{
	orders: prometheus.NewDesc(prefix+"queue_lines",
		"Lines of the existing OrderQueues, by state: draft, done, failed, cancelled or skipped.",
		[]string{LabelInstance, "state"}, nil),
	imports: prometheus.NewDesc(prefix+"import_queue_lines",
		"Lines of the existing ImportQueues, by resource and state: draft, done, failed, cancelled or skipped.",
		[]string{LabelInstance, "resource", "state"}, nil),
	oldest: prometheus.NewDesc(prefix+"queue_oldest_pending_timestamp_seconds",
		"When the oldest OrderQueue or ImportQueue of an instance not yet finished was created, in seconds since the epoch.",
		[]string{LabelInstance, "kind"}, nil),
	payouts: prometheus.NewDesc(prefix+"payout_reports",
		"Existing PayoutReports, by phase: Draft, Imported, Reconciled or NeedsAttention.",
		[]string{LabelInstance, "phase"}, nil),
}

type queueCollector struct{ orders, imports, oldest, payouts *prometheus.Desc }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.orders
	ch <- c.imports
	ch <- c.oldest
	ch <- c.payouts
}

// pending keeps the creation time of the oldest unfinished queue of each
// instance.
type pending map[string]time.Time

func (p pending) add(instance string, q metav1.Object, phase v1.QueuePhase) {
	at := q.GetCreationTimestamp().Time
	if was, ok := p[instance]; !queue.Finished(phase) && (!ok || at.Before(was)) {
		p[instance] = at
	}
}

func (c *queueCollector) oldestOf(ch chan<- prometheus.Metric, kind string, p pending) {
	for inst, at := range p {
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, float64(at.Unix()), inst, kind)
	}
}

// lineKey are the labels of one series of lines; resource is empty for
// orders.
type lineKey struct{ instance, resource, state string }

// lineCounts counts lines by their labels.
type lineCounts map[lineKey]int

// queue makes every state of a queue's series show, zero included.
func (n lineCounts) queue(instance, resource string) {
	for _, s := range []v1.LineState{v1.LineDraft, v1.LineDone, v1.LineFailed, v1.LineCancelled, v1.LineSkipped} {
		n[lineKey{instance, resource, string(s)}] += 0
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	var orders v1.OrderQueueList
	if list(&orders) {
		n, p := lineCounts{}, pending{}
		for _, q := range orders.Items {
			inst := Instance(q.Namespace, q.Spec.InstanceRef.Name)
			p.add(inst, &q, q.Status.Phase)
			n.queue(inst, "")
			for _, l := range q.Status.Lines {
				n[lineKey{inst, "", string(l.State)}]++
			}
		}
		for k, v := range n {
			ch <- prometheus.MustNewConstMetric(c.orders, prometheus.GaugeValue, float64(v), k.instance, k.state)
		}
		c.oldestOf(ch, "OrderQueue", p)
	}
	var imports v1.ImportQueueList
	if list(&imports) {
		n, p := lineCounts{}, pending{}
		for _, q := range imports.Items {
			inst, res := Instance(q.Namespace, q.Spec.InstanceRef.Name), string(q.Spec.Resource)
			p.add(inst, &q, q.Status.Phase)
			n.queue(inst, res)
			for _, l := range q.Status.Lines {
				n[lineKey{inst, res, string(l.State)}]++
			}
		}
		for k, v := range n {
			ch <- prometheus.MustNewConstMetric(c.imports, prometheus.GaugeValue, float64(v), k.instance, k.resource, k.state)
		}
		c.oldestOf(ch, "ImportQueue", p)
	}
	var reports v1.PayoutReportList
	if list(&reports) {
		type key struct{ instance, phase string }
		n := map[key]int{}
		for _, r := range reports.Items {
			inst := Instance(r.Namespace, r.Spec.InstanceRef.Name)
			for _, ph := range []v1.PayoutPhase{v1.PayoutDraft, v1.PayoutImported, v1.PayoutReconciled, v1.PayoutNeedsAttention} {
				n[key{inst, string(ph)}] += 0
			}
			n[key{inst, string(cmp.Or(r.Status.Phase, v1.PayoutDraft))}]++
		}
		for k, v := range n {
			ch <- prometheus.MustNewConstMetric(c.payouts, prometheus.GaugeValue, float64(v), k.instance, k.phase)
		}
	}
}
