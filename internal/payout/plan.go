package payout

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// feeTypes are booked on the fee account, like the charges' fees.
var feeTypes = []string{"ADJUSTMENT", "CHARGE_ADJUSTMENT", "REFUND_ADJUSTMENT", "CHARGEBACK_FEE", "CHARGEBACK_FEE_REFUND",
	"APPLICATION_FEE_REFUND", "STRIPE_FEE", "BILLING_DEBIT", "BILLING_DEBIT_REVERSAL"}

// reserveTypes are booked on the reserve account.
var reserveTypes = []string{"RESERVED_FUNDS", "RESERVED_FUNDS_REVERSAL", "RESERVED_FUNDS_WITHDRAWAL"}

// planned is one statement line and what it is matched with.
type planned struct {
	tx   *shopify.BalanceTransaction // nil for the fees line
	line odoo.NewStatementLine
	// payments are those of the order's invoice or the refund's credit
	// note on the line's counterpart account; nil for other lines.
	payments []odoo.PaymentEntry
	reason   string // why the line is left on the suspense account
}

// plan is the statement to create and its lines.
type plan struct {
	statement odoo.NewStatement
	lines     []planned
}

// docs are the Odoo documents the charges and refunds settle, by key.
type docs struct {
	orders   map[string]odoo.Order
	invoices map[int64]odoo.Invoice // posted customer invoices, by id
	credits  map[string]odoo.Invoice
	payments map[int64][]odoo.PaymentEntry // by invoice or credit note id
}

func planLines(ctx context.Context, oc *odoo.Client, s Settings, refs settingsRefs, p *shopify.Payout, txs []shopify.BalanceTransaction) (plan, error) {
	d, err := readDocs(ctx, oc, s, txs)
	if err != nil {
		return plan{}, err
	}
	ref := keys.Payout(s.Shop, p.LegacyResourceID)
	out := plan{statement: odoo.NewStatement{Name: "Shopify payout " + p.LegacyResourceID, Ref: ref, JournalID: refs.journal,
		Date: p.IssuedAt.Format("2006-01-02")}}
	fees := decimal.Zero
	for i := range txs {
		t := &txs[i]
		fees = fees.Add(t.Fee.Amount)
		pl := planned{tx: t, line: odoo.NewStatementLine{Date: t.TransactionDate.Format("2006-01-02"), Amount: float(t.Amount.Amount),
			Ref: keyOf(ref, legacyID(t.ID)), Label: label(t)}}
		switch {
		case t.Type == "CHARGE" || t.Type == "REFUND":
			d.settle(&pl, s.Shop)
		case slices.Contains(feeTypes, t.Type):
			pl.line.CounterpartAccountID = refs.fee
		case slices.Contains(reserveTypes, t.Type) && refs.reserve != 0:
			pl.line.CounterpartAccountID = refs.reserve
		case slices.Contains(reserveTypes, t.Type):
			pl.reason = "no reserveAccount is set: book the reserve in Odoo"
		default:
			pl.reason = fmt.Sprintf("%s transactions are booked in Odoo by hand", t.Type)
		}
		out.lines = append(out.lines, pl)
	}
	if !fees.IsZero() {
		out.lines = append(out.lines, planned{line: odoo.NewStatementLine{Date: out.statement.Date, Label: "Shopify fees",
			Amount: -float(fees), Ref: keyOf(ref, "fees"), CounterpartAccountID: refs.fee}})
	}
	for _, pl := range out.lines {
		out.statement.Lines = append(out.statement.Lines, pl.line)
	}
	return out, nil
}

// readDocs reads the sale orders of the charges with their posted
// invoices, the credit notes of the refunds, and their payments.
func readDocs(ctx context.Context, oc *odoo.Client, s Settings, txs []shopify.BalanceTransaction) (docs, error) {
	d := docs{invoices: map[int64]odoo.Invoice{}}
	var orderKeys, refundKeys []string
	for i := range txs {
		t := &txs[i]
		switch {
		case t.Type == "CHARGE" && t.AssociatedOrder != nil:
			orderKeys = append(orderKeys, orderKey(s.Shop, t))
		case t.Type == "REFUND" && t.SourceID != "":
			refundKeys = append(refundKeys, keys.Refund(s.Shop, t.SourceID))
		}
	}
	var err error
	if d.orders, err = oc.OrdersByOrigin(ctx, orderKeys); err != nil {
		return d, err
	}
	if d.credits, err = oc.CreditNotesByRef(ctx, refundKeys); err != nil {
		return d, err
	}
	var invIDs, moves []int64
	for _, o := range d.orders {
		invIDs = append(invIDs, o.InvoiceIDs...)
	}
	if len(invIDs) > 0 {
		invs, err := oc.Invoices(ctx, invIDs)
		if err != nil {
			return d, err
		}
		for _, inv := range invs {
			if inv.State == "posted" && inv.MoveType == "out_invoice" {
				d.invoices[inv.ID] = inv
				moves = append(moves, inv.ID)
			}
		}
	}
	for _, cn := range d.credits {
		if cn.State == "posted" {
			moves = append(moves, cn.ID)
		}
	}
	if len(moves) > 0 {
		if d.payments, err = oc.MovePayments(ctx, moves); err != nil {
			return d, err
		}
	}
	return d, nil
}

// settle plans a charge or refund line: on the outstanding account of the
// payment of its amount, with the customer, or on the suspense account
// with the reason.
func (d docs) settle(pl *planned, shop string) {
	t := pl.tx
	var moves []odoo.Invoice
	switch {
	case t.Type == "CHARGE" && t.AssociatedOrder == nil:
		pl.reason = "the charge has no order"
		return
	case t.Type == "CHARGE":
		o, ok := d.orders[orderKey(shop, t)]
		if !ok {
			pl.reason = fmt.Sprintf("order %s is not in Odoo", t.AssociatedOrder.Name)
			return
		}
		for _, id := range o.InvoiceIDs {
			if inv, ok := d.invoices[id]; ok {
				moves = append(moves, inv)
			}
		}
		if moves == nil {
			pl.reason = fmt.Sprintf("order %s (%s) has no posted invoice in Odoo", t.AssociatedOrder.Name, o.Name)
			return
		}
	default:
		cn, ok := d.credits[keys.Refund(shop, t.SourceID)]
		if !ok || cn.State != "posted" {
			pl.reason = fmt.Sprintf("refund %s has no posted credit note in Odoo", t.SourceID)
			return
		}
		moves = []odoo.Invoice{cn}
	}
	amount := math.Abs(pl.line.Amount)
	for _, m := range moves {
		for _, p := range d.payments[m.ID] {
			if p.Move.ID != 0 && math.Abs(p.Amount-amount) < 0.005 {
				if pl.line.CounterpartAccountID == 0 {
					pl.line.CounterpartAccountID, pl.line.PartnerID = p.Outstanding.ID, p.Partner.ID
				}
				if p.Outstanding.ID == pl.line.CounterpartAccountID {
					pl.payments = append(pl.payments, p)
				}
			}
		}
	}
	if pl.payments == nil {
		pl.reason = fmt.Sprintf("%s has no payment of %.2f in Odoo", moves[0].Name, amount)
	}
}

func label(t *shopify.BalanceTransaction) string {
	if t.AssociatedOrder != nil {
		return fmt.Sprintf("Shopify %s %s", t.Type, t.AssociatedOrder.Name)
	}
	if t.AdjustmentReason != "" {
		return fmt.Sprintf("Shopify %s: %s", t.Type, t.AdjustmentReason)
	}
	return "Shopify " + t.Type
}

func float(d decimal.Decimal) float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}
