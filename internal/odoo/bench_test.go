package odoo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/catalog"
)

// BenchmarkOrderFlow imports batches of orders the way the order pipeline
// does (look up, create, confirm, deliver, invoice, post, pay) and reports
// the round trips per order.
func BenchmarkOrderFlow(b *testing.B) {
	const batch = 50
	for _, v := range []int{17, 18, 19} {
		b.Run(fmt.Sprint(v), func(b *testing.B) {
			sim := start(b, v)
			c := connect(b, sim, "auto")
			ctx := context.Background()
			variants := catalog.Variants()
			bank := must(c.Resolve(ctx, odoo.Names{BankJournal: "Bank"})).BankJournal
			sim.ResetCalls()
			n := 0
			for b.Loop() {
				var emails, refs, skus []string
				for i := range batch {
					emails = append(emails, fmt.Sprintf("c%d-%d@example.com", n, i))
					refs = append(refs, fmt.Sprintf("#%d-%d", n, i))
					skus = append(skus, variants[(n*batch+i)%len(variants)].SKU)
				}
				n++
				known := must(c.PartnersByEmail(ctx, emails))
				existing := must(c.OrdersByRef(ctx, refs))
				products := must(c.ProductsByCode(ctx, append(skus, catalog.ShippingSKU)))
				taxes := must(c.Taxes(ctx, []odoo.TaxKey{{20, false}}))
				var newPartners []odoo.NewPartner
				for _, e := range emails {
					if _, ok := known[e]; !ok {
						newPartners = append(newPartners, odoo.NewPartner{Vals: map[string]any{"name": e, "email": e},
							Delivery: map[string]any{"name": "Ship to", "street": "1 Road"}})
					}
				}
				partners := must(c.CreatePartners(ctx, newPartners))
				var orders []odoo.NewOrder
				for i, ref := range refs {
					if _, ok := existing[ref]; ok {
						continue
					}
					orders = append(orders, odoo.NewOrder{PartnerID: partners[i].ID, DeliveryAddressID: partners[i].DeliveryID, ClientRef: ref,
						Lines: []odoo.OrderLine{{ProductID: products[skus[i]].ID, Qty: 1, PriceUnit: products[skus[i]].Price, TaxIDs: []int64{taxes[odoo.TaxKey{Rate: 20}]}},
							{ProductID: products[catalog.ShippingSKU].ID, Qty: 1, PriceUnit: 4.9}}})
				}
				ids := must(c.CreateOrders(ctx, orders))
				check(b, c.ConfirmOrders(ctx, ids))
				var pickings []int64
				for _, o := range must(c.Orders(ctx, ids)) {
					pickings = append(pickings, o.PickingIDs...)
				}
				check(b, c.ValidateDeliveries(ctx, odoo.Delivery{PickingIDs: pickings}))
				var invoices []int64
				for _, inv := range must(c.InvoiceOrders(ctx, ids)) {
					invoices = append(invoices, inv...)
				}
				check(b, c.PostInvoices(ctx, invoices))
				must(c.RegisterPayments(ctx, odoo.Payment{InvoiceIDs: invoices, JournalID: bank}))
			}
			b.ReportMetric(float64(sim.Calls("", ""))/float64(n*batch), "roundtrips/order")
		})
	}
}
