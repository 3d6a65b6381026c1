// Package metrics defines the connector's Prometheus metrics. They are
// registered on controller-runtime's registry, so the manager's metrics
// endpoint serves them next to controller_runtime_reconcile_errors_total and
// the other controller metrics.
//
// Instances are labelled shopify_instance="<namespace>/<name>": Prometheus
// itself adds "instance" and "namespace" labels to every scraped series, and
// metric labels of those names would be renamed to exported_*.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

const prefix = "shopify_odoo_"

// LabelInstance names the ShopifyInstance a series belongs to.
const LabelInstance = "shopify_instance"

// Reasons an order failed, for OrdersFailed.
const (
	// ReasonTransient failures (network, Odoo busy) are retried with backoff.
	ReasonTransient = "transient"
	// ReasonRejected failures come from the data or the spec and wait for a person.
	ReasonRejected = "rejected"
)

var (
	ordersImported = counter("orders_imported_total",
		"Orders imported into Odoo, by what they became: quotation, riskyQuotation, salesOrder, invoiced or paid.", LabelInstance, "outcome")
	ordersDelivered = counter("orders_delivered_total",
		"Orders imported with their Odoo delivery validated.", LabelInstance)
	ordersFailed = counter("orders_failed_total",
		"Order imports that failed, by reason: transient (retried) or rejected (needs a person).", LabelInstance, "reason")
	odooRoundTrips = counter("odoo_round_trips_total",
		"Calls sent to Odoo, by model, method and result (ok or error); retries count again.", "model", "method", "result")
	odooLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    prefix + "odoo_round_trip_duration_seconds",
		Help:    "Time of one call to Odoo, by model and method.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"model", "method"})
	shopifyCost = counter("shopify_cost_points_total",
		"Shopify GraphQL cost points charged (actual query cost).", LabelInstance)
	shopifyWait = counter("shopify_throttle_wait_seconds_total",
		"Time spent waiting for the shop's cost bucket before sending a request.", LabelInstance)
	shopifyThrottled = counter("shopify_throttled_total",
		"Requests Shopify refused as throttled, waited out and sent again.", LabelInstance)
	webhookDeliveries = counter("webhook_deliveries_total",
		"Shopify webhook deliveries received, by topic and result.", LabelInstance, "topic", "result")
	productsExported = counter("products_exported_total",
		"Products exported to Shopify, by outcome: created, updated, unchanged or failed.", LabelInstance, "outcome")
	stockUpdates = counter("stock_updates_exported_total",
		"Stock quantities exported to Shopify, by outcome: sent, activated or failed.", LabelInstance, "outcome")
)

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + name, Help: help}, labels)
}

// Collectors are every metric this package defines, for tests and the docs.
var Collectors = []prometheus.Collector{ordersImported, ordersDelivered, ordersFailed, queueLines, instances,
	odooRoundTrips, odooLatency, shopifyCost, shopifyWait, shopifyThrottled, webhookDeliveries, productsExported, stockUpdates}

func init() {
	ctrlmetrics.Registry.MustRegister(Collectors...)
}

// Instance is the shopify_instance label of an instance.
func Instance(namespace, name string) string { return namespace + "/" + name }

// QueueLines counts the outcome of the lines a processing pass of a queue
// imported. Lines still draft, cancelled or skipped count nowhere here; the
// queue lines gauge has them.
func QueueLines(instance string, lines []v1.OrderLine) {
	for _, l := range lines {
		switch l.State {
		case v1.LineDone:
			if l.Outcome != "" {
				ordersImported.WithLabelValues(instance, string(l.Outcome)).Inc()
			}
			if l.Delivered {
				ordersDelivered.WithLabelValues(instance).Inc()
			}
		case v1.LineFailed:
			reason := ReasonRejected
			if l.Retry {
				reason = ReasonTransient
			}
			ordersFailed.WithLabelValues(instance, reason).Inc()
		}
	}
}

// OdooRoundTrip counts one call to Odoo and its time. Model is "common" for
// the version and authentication calls.
func OdooRoundTrip(model, method string, d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	odooRoundTrips.WithLabelValues(model, method, result).Inc()
	odooLatency.WithLabelValues(model, method).Observe(d.Seconds())
}

// ShopifyObserver counts one instance's Shopify cost and throttling; it
// implements shopify.Observer.
type ShopifyObserver struct{ cost, wait, throttled prometheus.Counter }

// NewShopifyObserver returns the observer of an instance's Shopify client.
func NewShopifyObserver(instance string) ShopifyObserver {
	return ShopifyObserver{cost: shopifyCost.WithLabelValues(instance), wait: shopifyWait.WithLabelValues(instance),
		throttled: shopifyThrottled.WithLabelValues(instance)}
}

// QueryCost counts the points Shopify charged.
func (o ShopifyObserver) QueryCost(_ string, _, actual float64) { o.cost.Add(actual) }

// Waited counts time spent waiting for the cost bucket; throttled says
// Shopify refused the request before.
func (o ShopifyObserver) Waited(_ string, d time.Duration, throttled bool) {
	o.wait.Add(d.Seconds())
	if throttled {
		o.throttled.Inc()
	}
}

// Retried is not counted: transport retries show as Odoo or reconcile errors.
func (o ShopifyObserver) Retried(string, error) {}

// WebhookDelivery counts one webhook delivery. Result is one of a small set,
// e.g. accepted, duplicate, unauthorized, unknownInstance or error.
func WebhookDelivery(instance, topic, result string) {
	webhookDeliveries.WithLabelValues(instance, topic, result).Inc()
}

// ProductsExported counts n products an export pass handled with one
// outcome: created, updated, unchanged or failed.
func ProductsExported(instance, outcome string, n int) {
	if n > 0 {
		productsExported.WithLabelValues(instance, outcome).Add(float64(n))
	}
}

// StockUpdatesExported counts n stock quantities a stock export handled with
// one outcome: sent, activated or failed.
func StockUpdatesExported(instance, outcome string, n int) {
	if n > 0 {
		stockUpdates.WithLabelValues(instance, outcome).Add(float64(n))
	}
}
