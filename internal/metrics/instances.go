package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// instances reports, for each ShopifyInstance that exists, its conditions
// as cert-manager and External Secrets report theirs, and when each of its
// steps last succeeded. An instance without status yet is Ready=Unknown, so
// that every instance has a series from its creation on.
var instances = &instanceCollector{
	ready: prometheus.NewDesc(prefix+"instance_ready",
		"1 for the status (True, False or Unknown) each condition of an existing ShopifyInstance has, 0 for the others.",
		[]string{LabelInstance, "condition", "status"}, nil),
	lastSuccess: prometheus.NewDesc(prefix+"step_last_success_timestamp_seconds",
		"When each step of an existing ShopifyInstance last ran without error, in seconds since the epoch.",
		[]string{LabelInstance, "step"}, nil),
	steps: map[string]map[string]time.Time{},
}

type instanceCollector struct {
	ready, lastSuccess *prometheus.Desc
	mu                 sync.Mutex
	steps              map[string]map[string]time.Time // by instance, then step
}

// StepSucceeded records that a step of an instance ran without error now.
func StepSucceeded(instance, step string) {
	c := instances
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.steps[instance] == nil {
		c.steps[instance] = map[string]time.Time{}
	}
	c.steps[instance][step] = time.Now()
}

func (c *instanceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ready
	ch <- c.lastSuccess
}

func (c *instanceCollector) Collect(ch chan<- prometheus.Metric) {
	var insts v1.ShopifyInstanceList
	if !list(&insts) {
		return
	}
	exists := map[string]bool{}
	for _, inst := range insts.Items {
		name := Instance(inst.Namespace, inst.Name)
		exists[name] = true
		conds := inst.Status.Conditions
		if len(conds) == 0 {
			conds = []metav1.Condition{{Type: v1.ConditionReady, Status: metav1.ConditionUnknown}}
		}
		for _, cond := range conds {
			for _, s := range []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown} {
				v := 0.0
				if cond.Status == s {
					v = 1
				}
				ch <- prometheus.MustNewConstMetric(c.ready, prometheus.GaugeValue, v, name, cond.Type, string(s))
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, steps := range c.steps {
		if !exists[name] {
			delete(c.steps, name) // deleted, or now another shard's
			continue
		}
		for step, at := range steps {
			ch <- prometheus.MustNewConstMetric(c.lastSuccess, prometheus.GaugeValue, float64(at.UnixNano())/1e9, name, step)
		}
	}
}
