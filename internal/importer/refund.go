package importer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// refund credits the posted invoices of orders Shopify refunded or
// cancelled: one credit note per Shopify refund, found again by its ref
// before one is made, posted, with the refund's payments registered in the
// journals of their gateways. An order cancelled without a refund gets its
// invoice reversed in full. Cancelled orders are settled here.
func (r *run) refund(ctx context.Context) error {
	var its []*item
	var orderIDs []int64
	for _, it := range r.live() {
		inv, ok := r.invoiceOf(it)
		switch {
		case ok && inv.State == "posted" && (it.cancelled || it.plan.Order.TotalRefunded.Shop.Amount.Sign() > 0):
			its = append(its, it)
			orderIDs = append(orderIDs, it.order.ID)
		case it.cancelled:
			it.settle(v1.LineCancelled, "cancelled in Odoo, as in Shopify")
		}
	}
	if len(its) == 0 {
		return nil
	}
	if c := r.im.Cache; c != nil {
		c.credits.Lock()
		defer c.credits.Unlock()
	}
	refunds := map[*item][]shopify.OrderRefund{}
	var refKeys []string
	for _, it := range its {
		rs, total, err := r.im.Shopify.OrderRefunds(ctx, it.plan.Order.ID)
		if err != nil {
			return fmt.Errorf("reading the refunds from Shopify: %w", err)
		}
		read := decimal.Zero
		for _, rf := range rs {
			read = read.Add(rf.TotalRefunded.Shop.Amount)
			refKeys = append(refKeys, keys.Refund(r.s.Shop, rf.LegacyResourceID))
		}
		if read.Cmp(total.Shop.Amount) < 0 {
			it.fail(false, fmt.Sprintf("Shopify refunded %s, but its first %d refunds come to %s: credit the rest in Odoo", total.Shop.Amount, len(rs), read))
			continue
		}
		refunds[it] = rs
	}
	var invIDs []int64
	for _, it := range its {
		inv, _ := r.invoiceOf(it)
		invIDs = append(invIDs, inv.ID)
	}
	invs, err := r.c.Invoices(ctx, invIDs) // partners and names of the invoices this run made
	if err != nil {
		return err
	}
	for _, inv := range invs {
		r.invs[inv.ID] = inv
	}
	existing, err := r.c.CreditNotesByRef(ctx, refKeys)
	if err != nil {
		return err
	}
	lines, err := r.c.SaleLines(ctx, orderIDs)
	if err != nil {
		return err
	}
	byOrder := map[int64][]odoo.SaleLine{}
	for _, l := range lines {
		byOrder[l.Order.ID] = append(byOrder[l.Order.ID], l)
	}
	for _, it := range its {
		if it.plan == nil {
			continue
		}
		inv, _ := r.invoiceOf(it)
		var err error
		if len(refunds[it]) == 0 {
			err = r.reverse(ctx, it, inv)
		}
		for _, rf := range refunds[it] {
			if err = r.credit(ctx, it, inv, rf, existing, byOrder[it.order.ID]); err != nil || it.plan == nil {
				break
			}
		}
		if err != nil {
			if odoo.IsRetryable(err) || errors.Is(err, odoo.ErrReplyLost) {
				return err
			}
			it.fail(false, "Odoo refused the credit note: "+message(err))
		}
		if it.plan != nil && it.cancelled {
			it.settle(v1.LineCancelled, "cancelled in Shopify: "+strings.Join(it.steps, ", "))
		}
	}
	return nil
}

// credit makes sure one Shopify refund has its credit note, posted and paid.
func (r *run) credit(ctx context.Context, it *item, inv odoo.Invoice, rf shopify.OrderRefund, existing map[string]odoo.Invoice, sale []odoo.SaleLine) error {
	key := keys.Refund(r.s.Shop, rf.LegacyResourceID)
	cn, ok := existing[key]
	if !ok {
		var err error
		if cn, ok, err = r.fromOdoo(ctx, rf); err != nil {
			return err
		}
	}
	if !ok {
		n, err := r.creditNote(it, inv, rf, key, sale)
		if err != nil {
			it.fail(false, err.Error())
			return nil
		}
		if len(n.Lines) == 0 {
			return nil // nothing given back that Odoo invoiced
		}
		id, err := r.c.CreateCreditNote(ctx, n)
		if err != nil {
			return err
		}
		if cn, err = r.readMove(ctx, id); err != nil {
			return err
		}
	}
	if cn.State == "draft" {
		var err error
		if cn, err = r.round(ctx, it, cn, refunded(rf)); err != nil {
			return err
		}
	}
	if err := r.postAndPay(ctx, it, &cn, rf.Transactions.Nodes); err != nil {
		return err
	}
	if !ok {
		it.did(fmt.Sprintf("refund %s credited by %s", rf.LegacyResourceID, cn.Name))
	}
	return nil
}

// fromOdoo finds the credit note a refund was made from, when Odoo's
// refund export made it: its note names the credit note, which then
// stands for the refund, so that it is not credited twice.
func (r *run) fromOdoo(ctx context.Context, rf shopify.OrderRefund) (odoo.Invoice, bool, error) {
	id := keys.CreditNoteOf(r.s.Shop, rf.Note)
	if id == 0 {
		return odoo.Invoice{}, false, nil
	}
	rows, err := r.c.Invoices(ctx, []int64{id})
	if err != nil || len(rows) == 0 || rows[0].MoveType != "out_refund" || rows[0].State == "cancel" {
		// Gone or cancelled since: the money went back all the same.
		return odoo.Invoice{}, false, err
	}
	return rows[0], true, nil
}

// reverse credits the whole invoice of an order cancelled without a refund,
// unless a credit note for it exists, with Odoo's reversal wizard.
func (r *run) reverse(ctx context.Context, it *item, inv odoo.Invoice) error {
	notes, err := r.c.CreditNotesOf(ctx, []int64{inv.ID})
	if err != nil || len(notes) > 0 {
		return err
	}
	ids, err := r.c.CreditNote(ctx, inv, "Cancelled in Shopify")
	if err != nil || len(ids) == 0 {
		return err
	}
	cn, err := r.readMove(ctx, ids[0])
	if err != nil {
		return err
	}
	if err := r.postAndPay(ctx, it, &cn, nil); err != nil {
		return err
	}
	it.did(fmt.Sprintf("invoice %s reversed by %s", inv.Name, cn.Name))
	return nil
}

func (r *run) readMove(ctx context.Context, id int64) (odoo.Invoice, error) {
	rows, err := r.c.Invoices(ctx, []int64{id})
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("account.move %d disappeared", id)
	}
	if err != nil {
		return odoo.Invoice{}, err
	}
	return rows[0], nil
}

// postAndPay posts a draft credit note and registers the refund
// transactions not registered yet.
func (r *run) postAndPay(ctx context.Context, it *item, cn *odoo.Invoice, txs []shopify.Transaction) error {
	if cn.State == "draft" {
		if err := r.c.PostInvoices(ctx, []int64{cn.ID}); err != nil {
			return err
		}
		posted, err := r.readMove(ctx, cn.ID)
		if err != nil {
			return err
		}
		*cn = posted
	}
	if cn.State != "posted" || cn.AmountResidual <= 0 {
		return nil
	}
	pays, err := r.unregistered(it.plan, txs, *cn, "REFUND")
	if err != nil {
		it.fail(false, err.Error())
		return nil
	}
	for _, p := range pays {
		amount := p.amount
		if amount >= cn.AmountResidual-0.005 {
			amount = 0 // the rest, in full
		}
		if _, err := r.c.RegisterPayments(ctx, odoo.Payment{InvoiceIDs: []int64{cn.ID}, JournalID: p.journal, Amount: amount, Memo: p.memo}); err != nil {
			return err
		}
		cn.AmountResidual -= p.amount
	}
	return nil
}

// creditNote is the credit note of one refund: its lines at Shopify's
// prices with the taxes of the sale order lines they give back, the
// shipping in the share refunded, and order adjustments on the adjustment
// product.
func (r *run) creditNote(it *item, inv odoo.Invoice, rf shopify.OrderRefund, key string, sale []odoo.SaleLine) (odoo.NewCreditNote, error) {
	n := odoo.NewCreditNote{PartnerID: inv.Partner.ID, Ref: key, InvoiceID: inv.ID, Origin: it.res.SaleOrder}
	find := func(code string) (odoo.SaleLine, bool) {
		for _, l := range sale {
			if code != "" && l.Code == code {
				return l, true
			}
		}
		return odoo.SaleLine{}, false
	}
	for _, l := range rf.Lines.Nodes {
		sl, ok := find(l.LineItem.SKU)
		if !ok {
			return n, fmt.Errorf("refund %s gives back %q, which is not on the sale order: credit it in Odoo", rf.LegacyResourceID, l.LineItem.SKU)
		}
		// Shopify's price after every discount, on the basis of the sale
		// line's price: with the tax when the order's prices include it.
		unit := math.Round(float(l.Subtotal.Shop.Amount)/float64(l.Quantity)*100) / 100
		n.Lines = append(n.Lines, odoo.CreditLine{ProductID: sl.Product.ID, Qty: float64(l.Quantity), PriceUnit: unit,
			TaxIDs: sl.Taxes(), SaleLineID: sl.ID})
	}
	for _, s := range rf.Shipping.Nodes {
		sl, ok := find(r.s.Orders.ShippingProduct)
		if !ok {
			return n, fmt.Errorf("refund %s gives back shipping, but the sale order has no line of %q", rf.LegacyResourceID, r.s.Orders.ShippingProduct)
		}
		share := 1.0
		if full := float(s.ShippingLine.DiscountedPrice.Shop.Amount); full != 0 {
			share = float(s.Subtotal.Shop.Amount) / full
		}
		n.Lines = append(n.Lines, odoo.CreditLine{ProductID: sl.Product.ID, Qty: 1, PriceUnit: math.Round(sl.PriceUnit*share*100) / 100,
			Discount: sl.Discount, TaxIDs: sl.Taxes(), SaleLineID: sl.ID})
	}
	limit, _ := strconv.ParseFloat(r.s.Orders.RoundingLimit, 64)
	for _, a := range rf.Adjustments.Nodes {
		amount := float(a.Amount.Shop.Amount) + float(a.Tax.Shop.Amount)
		if amount == 0 || r.refs.adjustment == 0 && r.refs.rounding != 0 && math.Abs(amount) <= limit+1e-9 {
			continue // a rounding line takes it
		}
		if r.refs.adjustment == 0 {
			return n, fmt.Errorf("refund %s has an adjustment of %.2f (%s): set orders.refundAdjustmentProduct", rf.LegacyResourceID, amount, a.Reason)
		}
		n.Lines = append(n.Lines, odoo.CreditLine{ProductID: r.refs.adjustment, Name: "Refund adjustment " + strings.ToLower(a.Reason),
			Qty: 1, PriceUnit: amount})
	}
	return n, nil
}

// round adds a rounding line to a draft credit note whose total differs
// from the money refunded by no more than the spec's limit. A create, so
// that a lost reply does not add it twice: the next run sees the total.
func (r *run) round(ctx context.Context, it *item, cn odoo.Invoice, money float64) (odoo.Invoice, error) {
	limit, _ := strconv.ParseFloat(r.s.Orders.RoundingLimit, 64)
	diff := math.Round((money-cn.AmountTotal)*100) / 100
	if money == 0 || math.Abs(diff) < 0.005 || r.refs.rounding == 0 || math.Abs(diff) > limit+1e-9 {
		return cn, nil
	}
	if err := r.c.AddMoveRounding(ctx, odoo.RoundingLine{ParentID: cn.ID, ProductID: r.refs.rounding, Price: diff}); err != nil {
		return cn, err
	}
	it.did(fmt.Sprintf("rounding %.2f", diff))
	return r.readMove(ctx, cn.ID)
}

// refunded is the money a refund sent back, in the shop currency.
func refunded(rf shopify.OrderRefund) float64 {
	sum := 0.0
	for _, t := range rf.Transactions.Nodes {
		if t.Status == "SUCCESS" && t.Kind == "REFUND" {
			sum += float(t.Amount.Shop.Amount)
		}
	}
	return sum
}

func float(d decimal.Decimal) float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}
