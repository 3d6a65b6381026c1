package importer

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// refundEnv invoices and pays refunded orders too, and has a product for
// refund adjustments.
func refundEnv(t *testing.T, version int) *env {
	t.Helper()
	e := newEnv(t, version, len(shopifysim.Kinds))
	paid := v1.Workflow{Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true, Journal: "Shopify Payments"}
	var rows []v1.Workflow
	for _, status := range []v1.FinancialStatus{"refunded", "partially_refunded"} {
		row := paid
		row.FinancialStatus = status
		rows = append(rows, row)
	}
	rows = append(rows, v1.Workflow{FinancialStatus: "pending", Confirm: true, CreateInvoice: true, PostInvoice: true})
	e.im.Settings.Orders.Workflows = append(rows, e.im.Settings.Orders.Workflows...)
	e.im.Settings.Orders.RefundAdjustmentProduct = "REFUND-ADJ"
	if _, err := e.im.Odoo.Create(ctx(t), "product.product", []map[string]any{{"name": "Refund adjustment", "default_code": "REFUND-ADJ", "type": "service"}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// refunds are the order's Shopify refunds: legacy id to amount refunded.
func (e *env) refunds(t *testing.T, id string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	e.shop.Store().View("gid://shopify/Order/"+id, func(o shopifysim.Obj) {
		for _, rf := range o["refunds"].([]shopifysim.Obj) {
			out[rf["legacyResourceId"].(string)] = float(decimal.MustParse(rf["totalRefundedSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"].(string)))
		}
	})
	return out
}

// creditNotes are Odoo's credit notes by ref.
func (e *env) creditNotes(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, m := range e.records(t, "account.move", []any{[]any{"move_type", "=", "out_refund"}}) {
		ref, _ := m["ref"].(string)
		if _, dup := out[ref]; dup {
			t.Errorf("two credit notes with ref %q", ref)
		}
		out[ref] = m
	}
	return out
}

// wantCredited checks that each Shopify refund of the order has one posted,
// paid credit note of its amount.
func (e *env) wantCredited(t *testing.T, id string) {
	t.Helper()
	notes := e.creditNotes(t)
	refunds := e.refunds(t, id)
	if len(refunds) == 0 {
		t.Fatalf("order %s has no refunds", id)
	}
	for rid, amount := range refunds {
		cn, ok := notes[keys.Refund(e.im.Settings.Shop, rid)]
		switch {
		case !ok:
			t.Errorf("refund %s of order %s has no credit note", rid, id)
		case cn["state"] != "posted" || !slices.Contains([]any{"paid", "in_payment"}, cn["payment_state"]):
			t.Errorf("credit note of refund %s is %v and %v", rid, cn["state"], cn["payment_state"])
		case math.Abs(cn["amount_total"].(float64)-amount) > 0.005:
			t.Errorf("credit note of refund %s is %.2f, Shopify refunded %.2f", rid, cn["amount_total"], amount)
		}
	}
}

func TestRefundsBecomeCreditNotes(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			e := refundEnv(t, version)
			res := e.importAll(t)
			for _, kind := range []string{"refunded", "partially-refunded"} {
				id := e.byKind(kind)
				if r := res[id]; r.State != v1.LineDone || r.Outcome != v1.OutcomePaid || !strings.Contains(r.Message, "credited by") {
					t.Errorf("%s: %+v", kind, r)
				}
				e.wantCredited(t, id)
			}
			before := e.counts(t) + fmt.Sprint(len(e.creditNotes(t)))
			e.importAll(t) // a redelivered webhook, or the next scheduled import
			if after := e.counts(t) + fmt.Sprint(len(e.creditNotes(t))); after != before {
				t.Fatalf("importing again: %s, was %s", after, before)
			}

			// Two more refunds: one more unit, and 5.00 of goodwill, which
			// Shopify records as an order adjustment.
			id := e.byKind("partially-refunded")
			var line string
			e.shop.Store().View("gid://shopify/Order/"+id, func(o shopifysim.Obj) {
				for _, li := range o["lineItems"].([]shopifysim.Obj) {
					if li["currentQuantity"].(int) > 0 && line == "" {
						line = li["id"].(string)
					}
				}
			})
			gid := "gid://shopify/Order/" + id
			for i, in := range []shopify.RefundInput{
				{OrderID: gid, Lines: []shopify.RefundLine{{LineItemID: line, Quantity: 1}}},
				{OrderID: gid, Transactions: []shopify.RefundTransaction{{OrderID: gid, Gateway: "shopify_payments", Kind: "REFUND", Amount: decimal.FromInt(5)}}},
			} {
				if _, err := e.im.Shopify.RefundCreate(ctx(t), in, fmt.Sprint(id, i)); err != nil {
					t.Fatal(err)
				}
			}
			if r := e.importOne(t, id); r.State != v1.LineDone || strings.Count(r.Message, "credited by") != 2 {
				t.Fatalf("after two more refunds: %+v", r)
			}
			e.wantCredited(t, id)
			adjusted := 0
			for _, l := range e.records(t, "account.move.line", []any{[]any{"product_id.default_code", "=", "REFUND-ADJ"}}) {
				if l["price_unit"] == 5.0 && l["quantity"] == 1.0 {
					adjusted++
				}
			}
			if adjusted != 1 {
				t.Errorf("%d credit note lines of 5.00 on the adjustment product, want 1", adjusted)
			}
		})
	}
}

func TestCancelledOrdersAreCredited(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			e := refundEnv(t, version)
			paid, pending, shipped := e.byKind("line-discount"), e.byKind("order-discount"), e.byKind("fulfilled")
			e.update(t, pending, func(o shopifysim.Obj) {
				o["transactions"], o["displayFinancialStatus"] = []shopifysim.Obj{}, "PENDING"
			})
			res := e.importAll(t)
			for id, want := range map[string]v1.Outcome{paid: v1.OutcomePaid, pending: v1.OutcomeInvoiced, shipped: v1.OutcomePaid} {
				if r := res[id]; r.State != v1.LineDone || r.Outcome != want {
					t.Fatalf("%s: %+v, want %s", e.kinds[id], r, want)
				}
			}
			for _, id := range []string{paid, pending, shipped} {
				if err := e.shop.Store().CancelOrder("gid://shopify/Order/"+id, "CUSTOMER"); err != nil {
					t.Fatal(err)
				}
			}
			r := e.importOne(t, paid)
			if r.State != v1.LineCancelled || !strings.Contains(r.Message, "credited by") {
				t.Errorf("cancelled paid order: %+v", r)
			}
			e.wantCredited(t, paid)

			r = e.importOne(t, pending)
			if r.State != v1.LineCancelled || !strings.Contains(r.Message, "reversed by") {
				t.Errorf("cancelled unpaid order: %+v", r)
			}
			for _, id := range []string{paid, pending} {
				so := e.records(t, "sale.order", []any{[]any{"id", "=", res[id].SaleOrderID}})
				inv := e.records(t, "account.move", []any{[]any{"id", "in", so[0]["invoice_ids"]}, []any{"move_type", "=", "out_invoice"}})
				notes := e.records(t, "account.move", []any{[]any{"reversed_entry_id", "=", inv[0]["id"]}})
				if so[0]["state"] != "cancel" || inv[0]["state"] != "posted" || len(notes) != 1 || notes[0]["state"] != "posted" ||
					notes[0]["amount_total"] != inv[0]["amount_total"] {
					t.Errorf("%s: sale order %v, invoice %v %v, credit notes %v", e.kinds[id], so[0]["state"], inv[0]["state"], inv[0]["amount_total"], notes)
				}
			}

			if r := e.importOne(t, shipped); r.State != v1.LineFailed || !strings.Contains(r.Message, "is done in Odoo: not cancelled") {
				t.Errorf("cancelled after delivery: %+v", r)
			}
			before := e.counts(t) + fmt.Sprint(len(e.creditNotes(t)))
			for _, id := range []string{paid, pending} {
				if r := e.importOne(t, id); r.State != v1.LineCancelled {
					t.Errorf("imported again: %+v", r)
				}
			}
			if after := e.counts(t) + fmt.Sprint(len(e.creditNotes(t))); after != before {
				t.Fatalf("importing again: %s, was %s", after, before)
			}
		})
	}
}

// The manager may die between any two Odoo calls of an import that credits
// refunds and a cancellation: a full run after it leaves Odoo as one clean
// run does.
func TestCreditsSurviveACrashBetweenAnyTwoCalls(t *testing.T) {
	prepare := func() *env {
		e := refundEnv(t, 18)
		e.importAll(t)
		if err := e.shop.Store().CancelOrder("gid://shopify/Order/"+e.byKind("line-discount"), "CUSTOMER"); err != nil {
			t.Fatal(err)
		}
		gid := "gid://shopify/Order/" + e.byKind("partially-refunded")
		in := shopify.RefundInput{OrderID: gid, Transactions: []shopify.RefundTransaction{{OrderID: gid, Gateway: "shopify_payments", Kind: "REFUND", Amount: decimal.FromInt(5)}}}
		if _, err := e.im.Shopify.RefundCreate(ctx(t), in, "goodwill"); err != nil {
			t.Fatal(err)
		}
		return e
	}
	crashes(t, prepare, func(e *env) string { return fmt.Sprint(e.counts(t), " credit-notes=", len(e.creditNotes(t))) })
}

// Without an adjustment product, an adjustment within roundingLimit is
// credited as rounding.
func TestSmallRefundAdjustmentIsRounding(t *testing.T) {
	e := refundEnv(t, 19)
	e.im.Settings.Orders.RefundAdjustmentProduct = ""
	id := e.byKind("line-discount")
	e.importOne(t, id)
	gid := "gid://shopify/Order/" + id
	var line string
	var price decimal.Decimal
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		li := o["lineItems"].([]shopifysim.Obj)[0]
		money := func(k string) decimal.Decimal {
			return decimal.MustParse(li[k].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"].(string))
		}
		line, price = li["id"].(string), money("originalTotalSet").Sub(money("totalDiscountSet"))
		if o["taxesIncluded"] != true {
			for _, tl := range li["taxLines"].([]shopifysim.Obj) {
				price = price.Add(decimal.MustParse(tl["priceSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"].(string)))
			}
		}
		price = price.Div(decimal.FromInt(int64(li["quantity"].(int))), 2)
	})
	in := shopify.RefundInput{OrderID: gid, Lines: []shopify.RefundLine{{LineItemID: line, Quantity: 1}},
		Transactions: []shopify.RefundTransaction{{OrderID: gid, Gateway: "shopify_payments", Kind: "REFUND", Amount: price.Add(decimal.MustParse("0.03"))}}}
	if _, err := e.im.Shopify.RefundCreate(ctx(t), in, "small"); err != nil {
		t.Fatal(err)
	}
	if r := e.importOne(t, id); r.State != v1.LineDone || !strings.Contains(r.Message, "credited by") || !strings.Contains(r.Message, "rounding") {
		t.Fatalf("after a refund 0.03 above its line: %+v", r)
	}
	e.wantCredited(t, id)
}

// Two imports of the same refunded orders at once, as a webhook's queue and
// the schedule's may run, make one credit note per refund.
func TestConcurrentImportsCreditOnce(t *testing.T) {
	e := refundEnv(t, 18)
	ids := []string{e.byKind("refunded"), e.byKind("partially-refunded")}
	done := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.im.Import(ctx(t), ids)
			done <- err
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	e.importAll(t)
	for _, id := range ids {
		e.wantCredited(t, id)
	}
}
