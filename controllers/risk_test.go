package controllers

import (
	"context"
	"fmt"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
)

// Risky quotations and failed orders show in Odoo where the team works:
// the quotations tagged, Shopify's risk in their chatter and a To-Do for the
// reviewer; one To-Do per failed order for the onFailure user. When people
// confirm or cancel risky quotations in Odoo, the next listing moves the
// counters, once.
func TestRiskyQuotationsAndFailuresInOdoo(t *testing.T) {
	f := newFixture(t, 18, 42)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped, v1.OrderCancelled}
		s.Orders.Risk.Reviewer = "admin"
		s.Orders.OnFailure = &v1.FailureSpec{ActivityUser: "admin"}
	})
	f.ready()
	var risky []int64
	var failed []string
	var done int64
	for _, q := range f.finished() {
		for _, l := range q.Status.Lines {
			switch {
			case l.Outcome == v1.OutcomeRiskyQuotation:
				risky = append(risky, l.SaleOrderID)
			case l.State == v1.LineFailed:
				failed = append(failed, l.Name)
			}
			if l.State == v1.LineDone {
				done++
			}
		}
	}
	if len(risky) < 2 || len(failed) == 0 {
		t.Fatalf("%d risky quotations, failed orders %v; want 2 or more, and some", len(risky), failed)
	}
	tags := f.odooRows("crm.tag", []any{[]any{"name", "=", importer.DefaultRiskTag}})
	if len(tags) != 1 {
		t.Fatalf("tags %v", tags)
	}
	for _, id := range risky {
		so := f.odooRows("sale.order", []any{[]any{"id", "=", id}, []any{"tag_ids", "in", []any{tags[0]["id"]}}})
		notes := f.odooRows("mail.message", []any{[]any{"model", "=", "sale.order"}, []any{"res_id", "=", id}, []any{"body", "ilike", "as risky: recommendation"}})
		todos := f.odooRows("mail.activity", []any{[]any{"res_model", "=", "sale.order"}, []any{"res_id", "=", id}, []any{"user_id", "=", 2}})
		if len(so) != 1 || len(notes) != 1 || len(todos) != 1 {
			t.Errorf("risky quotation %d: tagged %v, %d risk notes, %d reviewer activities", id, len(so) == 1, len(notes), len(todos))
		}
	}
	for _, name := range failed {
		summary := fmt.Sprintf("Shopify order %s of test-shop.myshopify.com failed to import", name)
		if a := f.odooRows("mail.activity", []any{[]any{"summary", "=", summary}, []any{"user_id", "=", 2}}); len(a) != 1 {
			t.Errorf("%s: activities %v", name, a)
		}
	}
	var before v1.Counters
	eventually(t, "the counters of the imported orders", func() error {
		var si v1.ShopifyInstance
		if err := f.get("shop", &si); err != nil {
			return err
		}
		if c := si.Status.Counters; c.OrdersImported != done || c.RiskyQuotations != int64(len(risky)) {
			return fmt.Errorf("counters %+v", c)
		}
		before = si.Status.Counters
		return nil
	})

	c := f.odooClient()
	if err := c.ConfirmOrders(context.Background(), risky[:1]); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelOrders(context.Background(), risky[1:2]); err != nil {
		t.Fatal(err)
	}
	want := before
	want.RiskyQuotations, want.SalesOrders = before.RiskyQuotations-2, before.SalesOrders+1
	f.runNow("1")
	f.counters(want)
	f.runNow("2")
	f.counters(want)
}

// odooRows reads Odoo's records of model matching domain.
func (f *fixture) odooRows(model string, domain []any) []map[string]any {
	f.t.Helper()
	rows, err := f.odoo.SearchRead(model, domain)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}
