package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// queueLines reports the lines of the OrderQueues that exist, by instance and
// state, read from the manager's cache when scraped: a gauge kept up to date
// by the reconciler would drift whenever a queue is deleted.
var queueLines = &queueCollector{desc: prometheus.NewDesc(prefix+"queue_lines",
	"Lines of the existing OrderQueues, by state: draft, done, failed, cancelled or skipped.",
	[]string{LabelInstance, "state"}, nil)}

type queueCollector struct {
	desc   *prometheus.Desc
	reader atomic.Pointer[client.Reader]
}

// WatchQueues makes the queue lines gauge read the OrderQueues from r,
// normally the manager's cache. The last reader set wins.
func WatchQueues(r client.Reader) { queueLines.reader.Store(&r) }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	r := c.reader.Load()
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list v1.OrderQueueList
	if err := (*r).List(ctx, &list); err != nil {
		return // not synced yet: report nothing rather than zeros
	}
	type key struct{ instance, state string }
	counts := map[key]int{}
	for _, q := range list.Items {
		inst := Instance(q.Namespace, q.Spec.InstanceRef.Name)
		for _, s := range []v1.LineState{v1.LineDraft, v1.LineDone, v1.LineFailed, v1.LineCancelled, v1.LineSkipped} {
			counts[key{inst, string(s)}] += 0 // every state shows, zero included
		}
		for _, l := range q.Status.Lines {
			counts[key{inst, string(l.State)}]++
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), k.instance, k.state)
	}
}
