package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// loadOrders is the size of the store the load test imports; loadWait
// bounds the import on a loaded 2-core machine.
const (
	loadOrders = 10000
	loadWait   = 10 * time.Minute
)

// reconciles is how many reconciles the named controller has run.
func reconciles(t *testing.T, controller string) float64 {
	var n float64
	for _, m := range controllerMetrics(t, "controller_runtime_reconcile_total", controller) {
		n += m.GetCounter().GetValue()
	}
	return n
}

// A store of 10,000 orders goes through the scheduled import in queues of
// 250: every order lands in Odoo once with Shopify's total, the queues stay
// small, and a queue is reconciled a handful of times, not in a loop.
func TestTenThousandOrders(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	cp := controlplane.ForTest(t)
	shop, o := simsOf(t, loadOrders, 0)
	s := spec(shop.URL(), o.URL())
	s.Orders.QueueSize = 250
	s.Fulfillment.Enabled = false // no warehouse ships here
	deploy(t, cp, "load", s)
	before := reconciles(t, "orderqueue")
	stop := startManager(t, cp)
	defer stop()
	queues := finished(t, cp, "load", loadOrders, loadWait)
	done := reconciles(t, "orderqueue")
	perQueue := (done - before) / float64(len(queues))
	time.Sleep(3 * time.Second)
	if idle := reconciles(t, "orderqueue") - done; idle > 0 {
		t.Errorf("%.0f reconciles of finished queues in 3s", idle)
	}

	// Every order with a sale order has exactly one, with Shopify's total.
	want := map[string]decimal.Decimal{}
	var biggest int
	for _, q := range queues {
		b, _ := json.Marshal(q)
		biggest = max(biggest, len(b))
		for _, l := range q.Status.Lines {
			if l.SaleOrderID == 0 {
				continue
			}
			shop.Store().View("gid://shopify/Order/"+l.ID, func(so shopifysim.Obj) {
				want[keys.Order("e2e.myshopify.com", l.ID)], _ = decimal.Parse(fmt.Sprint(so["totalPriceSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"]))
			})
		}
	}
	rows, err := o.SearchRead("sale.order", []any{}, "origin", "amount_total", "state")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		key := fmt.Sprint(r["origin"])
		total, _ := decimal.Parse(fmt.Sprintf("%.2f", r["amount_total"]))
		switch {
		case seen[key]:
			t.Errorf("two sale orders for %s", key)
		case r["state"] != "cancel" && !total.Equal(want[key]):
			t.Errorf("%s: %s in Odoo, %s in Shopify", key, total, want[key])
		}
		seen[key] = true
	}
	if len(rows) != len(want) || len(want) < loadOrders/2 {
		t.Errorf("%d sale orders for %d orders the queues imported", len(rows), len(want))
	}
	if biggest > 256<<10 {
		t.Errorf("the largest queue is %d bytes", biggest)
	}
	if perQueue > 10 {
		t.Errorf("%.1f reconciles per queue", perQueue)
	}
	t.Logf("%d queues, the largest %d KiB, %.1f reconciles each; %d sale orders", len(queues), biggest>>10, perQueue, len(rows))
}
