package reference

import (
	"context"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// BenchmarkReferenceFlows imports 100 unshipped orders of a typical store
// into a fresh simulated Odoo 18 with the operator (queues of 50, two at a
// time as the manager runs them, and one at a time), the minimal batched
// flow (batches of 50) and the naive flow, and reports
// each one's orders per second and Odoo calls per order, and how the
// operator compares with the other two.
func BenchmarkReferenceFlows(b *testing.B) {
	var sum []Result
	for range b.N {
		for i, r := range compareOnce(b) {
			if i == len(sum) {
				sum = append(sum, Result{})
			}
			sum[i] = Result{Flow: r.Flow, Orders: sum[i].Orders + r.Orders, Calls: sum[i].Calls + r.Calls, Spent: sum[i].Spent + r.Spent}
		}
	}
	op := sum[0]
	for _, r := range sum {
		b.ReportMetric(r.PerSecond(), r.Flow+"-orders/s")
		b.ReportMetric(r.CallsPerOrder(), r.Flow+"-calls/order")
	}
	for _, r := range sum[1:] {
		b.ReportMetric(op.PerSecond()/r.PerSecond(), "operator/"+r.Flow+"-speed")
		b.ReportMetric(op.CallsPerOrder()/r.CallsPerOrder(), "operator/"+r.Flow+"-calls")
	}
}

func compareOnce(b *testing.B) []Result {
	b.StopTimer()
	defer b.StartTimer()
	const shop = "sim-shop.myshopify.com"
	ssim, err := shopifysim.Start(shopifysim.Options{Shop: shop, Orders: 24 * len(shopifysim.Kinds), AccessToken: "tok", Seed: 11,
		RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		b.Fatal(err)
	}
	defer ssim.Close()
	osim := odoosim.New(odoosim.Options{Version: 18, Database: "db", Login: "admin", APIKey: "key", Catalog: true})
	osim.Start()
	defer osim.Close()
	sc, err := shopify.New(shopify.Config{Shop: shop, Endpoint: ssim.URL(), AccessToken: "tok"})
	if err != nil {
		b.Fatal(err)
	}
	var calls Counter
	oc, err := odoo.New(odoo.Config{URL: osim.URL(), Database: "db", Username: "admin", APIKey: "key", Timeout: 10 * time.Second,
		Observer: calls.Observe})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := oc.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	im := &importer.Importer{Shopify: sc, Odoo: oc, Cache: &importer.Cache{},
		Settings: importer.Settings{Shop: shop, Odoo: v1.OdooSpec{Warehouse: "WH"}, Orders: catalog.Orders()}}
	ids := UnshippedTypical(ssim.Store(), 100)
	if len(ids) < 100 {
		b.Fatalf("the store has %d typical unshipped orders, want 100", len(ids))
	}
	b.StartTimer()
	rs, err := Compare(ctx, im, &calls, ids, 50)
	if err != nil {
		b.Fatal(err)
	}
	return rs
}
