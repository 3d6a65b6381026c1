package fulfillment

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Refunds says how the credit notes posted in Odoo for imported orders are
// refunded in Shopify.
type Refunds struct {
	Notify  bool // Shopify emails the customer about each refund
	Restock bool // the credited quantities go back to stock in Shopify
	// ShippingProduct is the internal reference of the shipping lines,
	// refunded as shipping.
	ShippingProduct string
}

// RefundCreditNotes refunds in Shopify, once each, the credit notes posted
// in Odoo since Since for imported orders, other than the import's own.
//
// Once rests on three records. Odoo's: a refunded credit note gets the
// external id shopify_refund.account_move_<id>. Shopify's: the refund's
// note names the credit note (keys.CreditNote), so a credit note whose
// mark was never written is found among the order's refunds and only
// marked; the import reads the same note and takes the credit note for the
// refund instead of crediting it again. And the idempotency key, for two
// runs at once.
func (e *Exporter) RefundCreditNotes(ctx context.Context) (Result, error) {
	var res Result
	notes, err := e.Odoo.UnsentCreditNotes(ctx, e.Shop, e.since())
	if err != nil {
		return res, err
	}
	for _, cn := range notes {
		res.CreditNotes++
		if err := e.refund(ctx, cn, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// refund refunds one credit note, or says why not.
func (e *Exporter) refund(ctx context.Context, cn odoo.PostedCreditNote, res *Result) error {
	what := cn.Name + " (" + cn.OrderName + ")"
	if cn.Orders > 1 {
		res.fail("%s: credits %d sale orders, a Shopify refund belongs to one order: refund it in Shopify", what, cn.Orders)
		return nil
	}
	st, found, err := e.shopifyOrder(ctx, cn.OrderOrigin, res)
	if !found || err != nil {
		return err
	}
	if st.CancelledAt != nil {
		// Its cancellation settled the money, in both directions.
		return e.mark(ctx, keys.ModuleRefund, "account.move", cn.ID, what, res)
	}
	key := keys.CreditNote(e.Shop, cn.ID)
	refunds, _, err := e.Shopify.OrderRefunds(ctx, st.ID)
	if err != nil {
		return err
	}
	for _, rf := range refunds {
		if keys.CreditNoteOf(e.Shop, rf.Note) == cn.ID {
			res.InShopify++
			return e.mark(ctx, keys.ModuleRefund, "account.move", cn.ID, what, res)
		}
	}
	pay, err := e.Shopify.OrderPayments(ctx, st.ID)
	if err != nil {
		return err
	}
	in, problem := e.refundInput(cn, st, pay)
	if problem != "" {
		res.fail("%s: %s", what, problem)
		return nil
	}
	if _, err := e.Shopify.RefundCreate(ctx, in, idempotencyKey(key, in)); err != nil {
		if refused(err) {
			res.fail("%s: refunding it in Shopify on %s: %v", what, st.Name, err)
			return nil
		}
		return err
	}
	res.Refunded++
	return e.mark(ctx, keys.ModuleRefund, "account.move", cn.ID, what, res)
}

// idempotencyKey names one refund of one credit note as it reads now: a
// credit note reset to draft and posted again with other lines is another
// request, which Shopify would refuse under the first one's key.
func idempotencyKey(key string, in shopify.RefundInput) string {
	b, _ := json.Marshal(in)
	return fmt.Sprintf("%s/%x", key, sha256.Sum256(b))[:len(key)+17]
}

// refundInput is the refund of a credit note: its products' quantities
// on the order's lines with the same SKU, restocked where the lines ship
// from if asked, its shipping lines as shipping, and its total sent back
// to the order's payments, oldest first.
func (e *Exporter) refundInput(cn odoo.PostedCreditNote, st shopify.FulfillmentState, pay shopify.OrderPayments) (shopify.RefundInput, string) {
	in := shopify.RefundInput{OrderID: pay.ID, Notify: e.Refund.Notify,
		Note: fmt.Sprintf("Credit note %s in Odoo (%s)", cn.Name, keys.CreditNote(e.Shop, cn.ID))}
	shipping := 0.0
	left := map[string]int{} // by line item
	for _, l := range pay.Lines.Nodes {
		left[l.ID] = l.CurrentQuantity
	}
	for _, cl := range cn.Lines {
		if cl.Code != "" && cl.Code == e.Refund.ShippingProduct {
			// Shopify's shipping prices include taxes when the order's do.
			if pay.TaxesIncluded {
				shipping += cl.PriceTotal
			} else {
				shipping += cl.PriceSubtotal
			}
			continue
		}
		var same []shopify.LineItem
		for _, l := range pay.Lines.Nodes {
			if cl.Code != "" && l.SKU == cl.Code {
				same = append(same, l)
			}
		}
		n := int(math.Round(cl.Qty))
		for i, l := range same {
			take := min(n, left[l.ID])
			if i == len(same)-1 {
				take = n // too many: Shopify says so
			}
			if take <= 0 {
				continue
			}
			n -= take
			left[l.ID] -= take
			in.Lines = append(in.Lines, e.restock(shopify.RefundLine{LineItemID: l.ID, Quantity: take}, st))
		}
	}
	if shipping > 0.005 {
		amount := decimal.Money(shipping)
		in.Shipping = &shopify.RefundShipping{Amount: &amount}
	}
	due := decimal.Money(cn.AmountTotal)
	for _, t := range refundable(pay.Transactions) {
		if due.Sign() <= 0 {
			break
		}
		amount := t.left
		if due.Cmp(amount) < 0 {
			amount = due
		}
		due = due.Sub(amount)
		in.Transactions = append(in.Transactions, shopify.RefundTransaction{OrderID: pay.ID, ParentID: t.ID, Gateway: t.Gateway,
			Kind: "REFUND", Amount: amount})
	}
	if due.Sign() > 0 {
		return in, fmt.Sprintf("credits %.2f, %s more than %s has left to refund in Shopify", cn.AmountTotal, due, pay.Name)
	}
	return in, ""
}

// restock says where a refunded line goes back to stock: cancelled from
// what is still to ship, else returned, at the location of its fulfillment
// order.
func (e *Exporter) restock(l shopify.RefundLine, st shopify.FulfillmentState) shopify.RefundLine {
	l.RestockType = "NO_RESTOCK"
	if !e.Refund.Restock {
		return l
	}
	for _, fo := range st.FulfillmentOrders.Nodes {
		for _, fl := range fo.LineItems.Nodes {
			if fl.LineItem.ID != l.LineItemID || fo.AssignedLocation.Location == nil {
				continue
			}
			l.LocationID, l.RestockType = fo.AssignedLocation.Location.ID, "RETURN"
			if fl.RemainingQuantity >= l.Quantity {
				l.RestockType = "CANCEL"
			}
			return l
		}
	}
	return l
}

// payment is a sale or capture with what is left to refund of it.
type payment struct {
	shopify.Transaction
	left decimal.Decimal
}

// refundable are the order's successful sales and captures with something
// left to refund, oldest first.
func refundable(txs []shopify.Transaction) []payment {
	refunded := map[string]decimal.Decimal{}
	for _, t := range txs {
		if t.Kind == "REFUND" && t.Status == "SUCCESS" && t.Parent != nil {
			refunded[t.Parent.ID] = refunded[t.Parent.ID].Add(t.Amount.Shop.Amount)
		}
	}
	var out []payment
	for _, t := range txs {
		if (t.Kind == "SALE" || t.Kind == "CAPTURE") && t.Status == "SUCCESS" {
			if left := t.Amount.Shop.Amount.Sub(refunded[t.ID]); left.Sign() > 0 {
				out = append(out, payment{t, left})
			}
		}
	}
	return out
}
