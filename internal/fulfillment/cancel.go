package fulfillment

import (
	"context"
	"time"

	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// cancellations cancels in Shopify the imported orders cancelled in Odoo,
// once: an order Shopify shows cancelled (by this, before its mark was
// written, or cancelled there first and then by the import) is only marked.
// Shopify refuses to cancel an order twice besides.
func (e *Exporter) cancellations(ctx context.Context, since time.Time, res *Result) error {
	orders, err := e.Odoo.CancelledOrders(ctx, keys.Prefix(e.Shop), since)
	if err != nil || len(orders) == 0 {
		return err
	}
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	marked, err := e.Odoo.Marked(ctx, keys.ModuleCancel, "sale.order", ids)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if marked[o.ID] {
			continue
		}
		st, found, err := e.shopifyOrder(ctx, string(o.Origin), res)
		switch {
		case err != nil:
			return err
		case !found:
			continue
		case st.CancelledAt != nil:
		case st.DisplayFulfillmentStatus == "FULFILLED" || st.DisplayFulfillmentStatus == "PARTIALLY_FULFILLED":
			res.fail("%s: cancelled in Odoo, but Shopify shows %s shipped: not cancelled there", o.Name, st.Name)
		default:
			err := e.Shopify.OrderCancel(ctx, st.ID, shopify.Cancel{Reason: "OTHER", Refund: e.Cancel.Refund, Restock: true,
				Notify: e.Cancel.Notify, StaffNote: "Cancelled in Odoo as " + string(o.Name)})
			if refused(err) {
				res.fail("%s: cancelling %s in Shopify: %v", o.Name, st.Name, err)
				continue
			}
			if err != nil {
				return err
			}
			res.Cancelled++
		}
		if err := e.mark(ctx, keys.ModuleCancel, "sale.order", o.ID, string(o.Name), res); err != nil {
			return err
		}
	}
	return nil
}
