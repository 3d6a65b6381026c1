package controllers

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Off by default: a credit note posted in Odoo stays there.
func TestCreditNotesStayInOdooUnlessEnabled(t *testing.T) {
	f := newFixture(t, 17, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(*v1.ShopifyInstanceSpec) {})
	f.ready()
	gid, so := f.unshipped()
	f.creditInOdoo(so)
	si := f.runNow("1")
	f.condition(si, "shop", v1.ConditionReady, metav1.ConditionTrue, "Connected")
	if c := meta.FindStatusCondition(si.Status.Conditions, v1.ConditionRefundsExported); c != nil || si.Status.Refunds != nil {
		t.Errorf("refunds to Shopify ran while off: %+v, %+v", c, si.Status.Refunds)
	}
	if n := f.refunds(gid); n != 0 {
		t.Errorf("%s has %d refunds", gid, n)
	}
}

// Turned on, a credit note posted in Odoo becomes one refund in Shopify,
// and a refund Shopify refuses shows in the RefundsExported condition and
// an event, in Shopify's words.
func TestCreditNotesRefundedInShopify(t *testing.T) {
	f := newFixture(t, 19, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.RefundsToShopify = v1.RefundsToShopify{Enabled: true, Restock: "Restock"}
	})
	f.ready()
	gid, so := f.unshipped()
	f.creditInOdoo(so)
	var si v1.ShopifyInstance
	f.runNow("1")
	f.condition(&si, "shop", v1.ConditionRefundsExported, metav1.ConditionTrue, "Exported")
	if st := si.Status.Refunds; st == nil || st.Refunded != 1 || st.Failed != 0 {
		t.Fatalf("status.refunds %+v, want one refund", st)
	}
	f.runNow("2")
	if n := f.refunds(gid); n != 1 {
		t.Fatalf("%s has %d refunds, want 1", gid, n)
	}

	// Shopify gave everything back meanwhile, outside Odoo.
	other, otherSO := f.unshippedBut(gid)
	f.shop.Store().View(other, func(o shopifysim.Obj) {
		for _, li := range o["lineItems"].([]shopifysim.Obj) {
			li["currentQuantity"] = 0
		}
	})
	f.creditInOdoo(otherSO)
	f.runNow("3")
	c := f.condition(&si, "shop", v1.ConditionRefundsExported, metav1.ConditionFalse, "RefundExportFailed")
	if !strings.Contains(c.Message, "Quantity cannot refund more items than were purchased") || !strings.Contains(c.Message, "RINV/") {
		t.Errorf("the condition does not name the credit note and Shopify's words: %s", c.Message)
	}
	failed := false
	for _, e := range f.events() {
		failed = failed || e.Reason == "RefundExportFailed" && strings.Contains(e.Note, "Quantity cannot refund")
	}
	if !failed {
		t.Error("no RefundExportFailed event")
	}
	if n := f.refunds(gid); n != 1 {
		t.Errorf("%s has %d refunds, want still 1", gid, n)
	}
	f.noSecrets()
}

// creditInOdoo credits an order's invoice in full, as a merchant does
// with Odoo's reversal, and posts the credit note.
func (f *fixture) creditInOdoo(so int64) {
	f.t.Helper()
	oc, ctx := f.odooClient(), context.Background()
	var orders []struct {
		Invoices []int64 `json:"invoice_ids"`
	}
	if err := oc.Read(ctx, "sale.order", []int64{so}, []string{"invoice_ids"}, &orders); err != nil || len(orders) != 1 || len(orders[0].Invoices) == 0 {
		f.t.Fatalf("invoices of %d: %v, %v", so, orders, err)
	}
	invs, err := oc.Invoices(ctx, orders[0].Invoices[:1])
	if err != nil || len(invs) != 1 {
		f.t.Fatalf("invoice of %d: %v, %v", so, invs, err)
	}
	ids, err := oc.CreditNote(ctx, invs[0], "Returned")
	if err == nil {
		err = oc.PostInvoices(ctx, ids)
	}
	if err != nil {
		f.t.Fatal(err)
	}
}

// refunds counts an order's refunds in Shopify.
func (f *fixture) refunds(gid string) (n int) {
	f.shop.Store().View(gid, func(o shopifysim.Obj) { n = len(o["refunds"].([]shopifysim.Obj)) })
	return n
}

// unshippedBut waits for the import and returns an imported, paid order
// nothing of which has shipped, other than gid.
func (f *fixture) unshippedBut(gid string) (string, int64) {
	f.t.Helper()
	status := map[string]string{}
	for _, o := range f.orders() {
		status[o.id] = o.fulfillment
	}
	for _, q := range f.finished() {
		for _, l := range q.Status.Lines {
			if other := "gid://shopify/Order/" + l.ID; l.Outcome == v1.OutcomePaid && status[l.ID] == "UNFULFILLED" && other != gid {
				return other, l.SaleOrderID
			}
		}
	}
	f.t.Fatal("no unshipped order was imported")
	return "", 0
}
