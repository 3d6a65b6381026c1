package shopify_test

import (
	"testing"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// The simulator's bucket is made large enough not to pace, so orders/s is the
// client and simulator work; orders/s@100pts is what Shopify's standard
// restore rate of 100 points per second would allow at the measured cost,
// and budget-%@1k-orders/h the share of that rate reading a shop's 1,000
// orders an hour takes.
func benchOrders(b *testing.B, n int, fetch func(*shopify.Client, func(shopify.Order) error) error) {
	sim := startSim(b, shopifysim.Options{Orders: n, Seed: 1, RestoreRate: 1e9})
	c := newClient(b, sim)
	orders := 0
	b.ResetTimer()
	for b.Loop() {
		if err := fetch(c, func(shopify.Order) error { orders++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	points := float64(c.Stats().CostPoints) / float64(orders)
	b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(points, "points/order")
	if points > 0 {
		b.ReportMetric(100/points, "orders/s@100pts")
	}
	b.ReportMetric(points*1000/3600/100*100, "budget-%@1k-orders/h")
}

func BenchmarkOrdersPage(b *testing.B) {
	benchOrders(b, 1000, func(c *shopify.Client, fn func(shopify.Order) error) error {
		return c.Orders(ctx(b), shopify.OrderFilter{}, fn)
	})
}

func BenchmarkOrdersBulk(b *testing.B) {
	benchOrders(b, 10000, func(c *shopify.Client, fn func(shopify.Order) error) error {
		return bulkOrders(b, c, shopify.OrderFilter{}, fn)
	})
}
