package fulfillment

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// A credit note a merchant posts in Odoo, for one unit of an order or for
// all of it, becomes one refund in Shopify: those units restocked where the
// order ships from, the credit note's total sent back to the order's
// payment. Never again: not from a new manager, not when Odoo lost its
// record, and the refund does not come back as a second credit note.
func TestOdooCreditNotesRefundedOnceInShopify(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint("odoo", v), func(t *testing.T) {
			e := newEnv(t, v)
			e.ex.Deliveries, e.ex.Since = false, time.Now().Add(-time.Minute)
			e.ex.Refund = Refunds{Restock: true, Notify: true, ShippingProduct: catalog.Orders().ShippingProduct}
			if r := e.refundRun(t, e.ex); r.Refunded != 0 || r.Failed != 0 {
				t.Fatalf("nothing credited in Odoo yet: %+v", r)
			}
			partial, partialSO := e.anyUnshipped()
			full, fullSO := e.unshippedWithShipping(t)
			one := e.creditOneUnit(t, partialSO)
			all := e.reverse(t, fullSO)

			r := e.refundRun(t, e.ex)
			if r.CreditNotes != 2 || r.Refunded != 2 || r.Failed != 0 {
				t.Fatalf("first run: %+v", r)
			}
			e.wantRefund(t, partial, one, "PARTIALLY_REFUNDED", map[string]int{one.sku: 1}, "CANCEL")
			e.wantRefund(t, full, all, "REFUNDED", nil, "CANCEL")

			// A restarted manager: new clients, a new exporter.
			again := *e.ex
			again.Odoo, again.Shopify = e.newClients(t)
			if r := e.refundRun(t, &again); r.CreditNotes != 0 || r.Refunded != 0 {
				t.Fatalf("after a restart: %+v", r)
			}
			// Odoo's record lost: Shopify's refunds name their credit notes.
			marks, err := e.odoo.Search(ctx(t), "ir.model.data", odoo.Domain{odoo.Cond("module", "=", keys.ModuleRefund),
				odoo.In("res_id", []int64{one.id, all.id})}, 0)
			if err != nil || len(marks) != 2 {
				t.Fatalf("marks %v, %v", marks, err)
			}
			if err := e.odoo.Unlink(ctx(t), "ir.model.data", marks); err != nil {
				t.Fatal(err)
			}
			if r := e.refundRun(t, &again); r.CreditNotes != 2 || r.Refunded != 0 || r.InShopify != 2 {
				t.Fatalf("without Odoo's marks: %+v", r)
			}
			e.wantRefund(t, partial, one, "PARTIALLY_REFUNDED", map[string]int{one.sku: 1}, "CANCEL")
			e.wantRefund(t, full, all, "REFUNDED", nil, "CANCEL")

			// The full credit note cancelled in Odoo since: the money went
			// back all the same.
			for _, method := range []string{"button_draft", "button_cancel"} {
				if err := e.odoo.Call(ctx(t), "account.move", method, []any{[]int64{all.id}}, nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			// The next import sees the refunds and makes no credit note of
			// the partial one: it pays the merchant's with the money Shopify
			// sent back. It credits the full one itself.
			res, err := e.importer().Import(ctx(t), []string{partial, full})
			if err != nil {
				t.Fatal(err)
			}
			for i, so := range []int64{partialSO, fullSO} {
				if res[i].State != v1.LineDone {
					t.Fatalf("import of %d: %+v", so, res[i])
				}
			}
			if notes := e.creditNotes(t, partialSO); len(notes) != 1 || notes[0].ID != one.id || notes[0].PaymentState != "paid" && notes[0].PaymentState != "in_payment" {
				t.Errorf("the partly credited order has credit notes %+v after the import, want the merchant's only, paid", notes)
			}
			if notes := e.creditNotes(t, fullSO); len(notes) != 1 || notes[0].ID == all.id || math.Abs(notes[0].AmountTotal-all.total) > 0.005 {
				t.Errorf("the order credited in full has credit notes %+v after the import, want one of the import for %.2f", notes, all.total)
			}
		})
	}
}

// Off by default, a credit note stays in Odoo.
func TestCreditNotesStayInOdooByDefault(t *testing.T) {
	e := newEnv(t, 17)
	e.ex.Deliveries = false
	gid, so := e.anyUnshipped()
	e.creditOneUnit(t, so)
	if r := e.run(t); r.CreditNotes != 0 || r.Refunded != 0 {
		t.Fatalf("run: %+v", r)
	}
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		if n := len(o["refunds"].([]shopifysim.Obj)); n != 0 {
			t.Fatalf("%s has %d refunds", gid, n)
		}
	})
}

// Shopify refusing a refund is said in the run's problems, naming the
// credit note and Shopify's words, and the credit note is tried again.
func TestRefusedRefundIsReported(t *testing.T) {
	e := newEnv(t, 18)
	e.ex.Deliveries, e.ex.Since = false, time.Now().Add(-time.Minute)
	e.ex.Refund = Refunds{Restock: true, ShippingProduct: catalog.Orders().ShippingProduct}
	gid, so := e.anyUnshipped()
	one := e.creditOneUnit(t, so)
	// Shopify refunded that unit meanwhile, outside Odoo.
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		for _, li := range o["lineItems"].([]shopifysim.Obj) {
			if li["sku"] == one.sku {
				li["currentQuantity"] = 0
			}
		}
	})
	for range 2 {
		r := e.refundRun(t, e.ex)
		want := one.name + " (" + one.order + "): refunding it in Shopify on "
		if r.Refunded != 0 || r.Failed != 1 || !strings.Contains(r.Problems[0], want) ||
			!strings.Contains(r.Problems[0], "Quantity cannot refund more items than were purchased") {
			t.Fatalf("run: %+v, want a problem starting %q with Shopify's words", r, want)
		}
	}
}

// unshippedWithShipping returns an unshipped order whose shipping is paid
// and takes it out of the pool.
func (e *env) unshippedWithShipping(t *testing.T) (string, int64) {
	t.Helper()
	for gid, so := range e.unshipped {
		paid := false
		e.shop.Store().View(gid, func(o shopifysim.Obj) {
			for _, sl := range o["shippingLines"].([]shopifysim.Obj) {
				price := sl["discountedPriceSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"]
				paid = paid || decimal.MustParse(fmt.Sprint(price)).Sign() > 0
			}
		})
		if paid {
			delete(e.unshipped, gid)
			return gid, so
		}
	}
	t.Fatal("no unshipped order with paid shipping")
	return "", 0
}

// A credit note worth more than Shopify has left to refund is not sent,
// and the run says by how much.
func TestCreditNoteBeyondWhatIsLeftIsReported(t *testing.T) {
	e := newEnv(t, 17)
	e.ex.Deliveries, e.ex.Since = false, time.Now().Add(-time.Minute)
	gid, so := e.anyUnshipped()
	// Everything paid given back in Shopify, as money only.
	in := shopify.RefundInput{OrderID: gid}
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		for _, tx := range o["transactions"].([]shopifysim.Obj) {
			paid := decimal.MustParse(fmt.Sprint(tx["amountSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"]))
			in.Transactions = append(in.Transactions, shopify.RefundTransaction{OrderID: gid, ParentID: tx["id"].(string),
				Gateway: tx["gateway"].(string), Kind: "REFUND", Amount: paid})
		}
	})
	if _, err := e.ex.Shopify.RefundCreate(ctx(t), in, "goodwill"); err != nil {
		t.Fatal(err)
	}
	one := e.creditOneUnit(t, so)
	r := e.refundRun(t, e.ex)
	want := fmt.Sprintf("%s (%s): credits %.2f, %s more than ", one.name, one.order, one.total, decimal.Money(one.total))
	if r.Refunded != 0 || r.Failed != 1 || !strings.HasPrefix(r.Problems[0], want) {
		t.Fatalf("run: %+v, want a problem starting %q", r, want)
	}
}

// credited is a credit note a test posted.
type credited struct {
	id          int64
	name, order string
	sku         string // of the unit credited, when one
	total       float64
}

func (e *env) refundRun(t *testing.T, ex *Exporter) Result {
	t.Helper()
	res, err := ex.RefundCreditNotes(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// invoice is the sale order's posted invoice.
func (e *env) invoice(t *testing.T, so int64) odoo.Invoice {
	t.Helper()
	var orders []struct {
		InvoiceIDs []int64 `json:"invoice_ids"`
	}
	if err := e.odoo.Read(ctx(t), "sale.order", []int64{so}, []string{"invoice_ids"}, &orders); err != nil || len(orders) != 1 {
		t.Fatalf("invoices of %d: %v, %v", so, orders, err)
	}
	invs, err := e.odoo.Invoices(ctx(t), orders[0].InvoiceIDs)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if inv.MoveType == "out_invoice" && inv.State == "posted" {
			return inv
		}
	}
	t.Fatalf("order %d has no posted invoice: %+v", so, invs)
	return odoo.Invoice{}
}

// creditOneUnit posts a credit note for one unit of the order's line of
// several units, as a merchant does for a return.
func (e *env) creditOneUnit(t *testing.T, so int64) credited {
	t.Helper()
	inv := e.invoice(t, so)
	lines, err := e.odoo.SaleLines(ctx(t), []int64{so})
	if err != nil {
		t.Fatal(err)
	}
	var qty []struct {
		ID  int64   `json:"id"`
		Qty float64 `json:"product_uom_qty"`
	}
	if err := e.odoo.SearchRead(ctx(t), "sale.order.line", odoo.Domain{odoo.Cond("order_id", "=", so)}, []string{"product_uom_qty"}, 0, "id", &qty); err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		if qty[i].Qty < 2 || l.Code == catalog.Orders().ShippingProduct {
			continue
		}
		id, err := e.odoo.CreateCreditNote(ctx(t), odoo.NewCreditNote{PartnerID: inv.Partner.ID, InvoiceID: inv.ID, Origin: string(inv.Origin),
			Lines: []odoo.CreditLine{{ProductID: l.Product.ID, Qty: 1, PriceUnit: l.PriceUnit, Discount: l.Discount, TaxIDs: l.Taxes(), SaleLineID: l.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		return e.post(t, id, l.Code)
	}
	t.Fatalf("order %d has no line of several units", so)
	return credited{}
}

// reverse posts a credit note of the whole invoice, made by Odoo's reversal
// wizard.
func (e *env) reverse(t *testing.T, so int64) credited {
	t.Helper()
	ids, err := e.odoo.CreditNote(ctx(t), e.invoice(t, so), "Returned")
	if err != nil || len(ids) != 1 {
		t.Fatalf("reversal: %v, %v", ids, err)
	}
	return e.post(t, ids[0], "")
}

func (e *env) post(t *testing.T, id int64, sku string) credited {
	t.Helper()
	if err := e.odoo.PostInvoices(ctx(t), []int64{id}); err != nil {
		t.Fatal(err)
	}
	cn, err := e.odoo.Invoices(ctx(t), []int64{id})
	if err != nil || len(cn) != 1 || cn[0].State != "posted" {
		t.Fatalf("credit note %d: %+v, %v", id, cn, err)
	}
	return credited{id: id, name: string(cn[0].Name), order: string(cn[0].Origin), sku: sku, total: cn[0].AmountTotal}
}

// creditNotes are the sale order's credit notes not cancelled.
func (e *env) creditNotes(t *testing.T, so int64) []odoo.Invoice {
	t.Helper()
	notes, err := e.odoo.CreditNotesOf(ctx(t), []int64{e.invoice(t, so).ID})
	if err != nil {
		t.Fatal(err)
	}
	return notes
}

// wantRefund checks the Shopify order has one refund, of the credit note:
// its note, its total back to the order's payments, the quantities by SKU
// (every line's when nil) restocked as restock at a location.
func (e *env) wantRefund(t *testing.T, gid string, cn credited, status string, qty map[string]int, restock string) {
	t.Helper()
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		refunds := o["refunds"].([]shopifysim.Obj)
		if len(refunds) != 1 || o["displayFinancialStatus"] != status {
			t.Fatalf("%s: %d refunds, %v; want 1, %s", gid, len(refunds), o["displayFinancialStatus"], status)
		}
		rf := refunds[0]
		if note, _ := rf["note"].(string); keys.CreditNoteOf(shop, note) != cn.id || !strings.Contains(note, cn.name) {
			t.Errorf("%s: refund note %q does not name %s", gid, note, cn.name)
		}
		sent := decimal.Zero
		for _, tx := range rf["transactions"].([]shopifysim.Obj) {
			parent, _ := tx["parentTransaction"].(shopifysim.Obj)
			if tx["kind"] != "REFUND" || parent == nil || parent["gateway"] != tx["gateway"] {
				t.Errorf("%s: refund transaction %v %v to parent %v", gid, tx["kind"], tx["gateway"], parent)
			}
			sent = sent.Add(decimal.MustParse(fmt.Sprint(tx["amountSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"])))
		}
		if !sent.Equal(decimal.Money(cn.total)) {
			t.Errorf("%s: %v sent back, the credit note comes to %.2f", gid, sent, cn.total)
		}
		got := map[string]int{}
		for _, l := range rf["refundLineItems"].([]shopifysim.Obj) {
			li := l["lineItem"].(shopifysim.Obj)
			got[li["sku"].(string)] += l["quantity"].(int)
			if l["restockType"] != restock || l["location"] == nil || l["restocked"] != true {
				t.Errorf("%s: line %v restocked %v at %v, want %s at a location", gid, li["sku"], l["restockType"], l["location"], restock)
			}
		}
		if qty == nil {
			if n := len(rf["refundShippingLines"].([]shopifysim.Obj)); n != 1 {
				t.Errorf("%s: %d shipping lines refunded by a full credit note, want 1", gid, n)
			}
			qty = map[string]int{}
			for _, li := range o["lineItems"].([]shopifysim.Obj) {
				qty[li["sku"].(string)] += li["quantity"].(int)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(qty) {
			t.Errorf("%s: refunded %v, want %v", gid, got, qty)
		}
	})
}

// newClients are clients of a manager started again.
func (e *env) newClients(t *testing.T) (*odoo.Client, *shopify.Client) {
	t.Helper()
	sc, err := shopify.New(shopify.Config{Shop: shop, Endpoint: e.shop.URL(), AccessToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := odoo.New(odoo.Config{URL: e.odooURL, Database: "db", Username: "admin", APIKey: "key", Timeout: 5 * time.Second, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return oc, sc
}

func (e *env) importer() *importer.Importer {
	return &importer.Importer{Shopify: e.ex.Shopify, Odoo: e.odoo, Settings: importer.Settings{Shop: shop, Odoo: v1.OdooSpec{Warehouse: "WH"}, Orders: catalog.Orders()}}
}
