package importer

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// A risky quotation carries the tag, Shopify's risk in its chatter and a
// To-Do for the reviewer, once however often it is imported.
func TestRiskyQuotationsAreMarkedInOdoo(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			e := newEnv(t, version, len(shopifysim.Kinds))
			e.im.Settings.Orders.Risk.Reviewer = "admin"
			e.importAll(t)
			res := e.importAll(t)
			tags := e.records(t, "crm.tag", []any{[]any{"name", "=", DefaultRiskTag}})
			if len(tags) != 1 {
				t.Fatalf("tags named %q: %v", DefaultRiskTag, tags)
			}
			tag := tags[0]["id"].(float64)
			for _, kind := range []string{"risk-investigate", "risk-cancel", "fulfilled"} {
				id := e.byKind(kind)
				r := res[id]
				so := e.records(t, "sale.order", []any{[]any{"id", "=", r.SaleOrderID}})[0]
				tagged := slices.Contains(so["tag_ids"].([]any), any(tag))
				notes := e.records(t, "mail.message", []any{[]any{"model", "=", "sale.order"}, []any{"res_id", "=", r.SaleOrderID},
					[]any{"body", "ilike", "Shopify flags order " + r.Name}})
				todos := e.records(t, "mail.activity", []any{[]any{"res_model", "=", "sale.order"}, []any{"res_id", "=", r.SaleOrderID},
					[]any{"user_id", "=", 2}})
				risky := kind != "fulfilled"
				if tagged != risky || len(notes) != map[bool]int{true: 1}[risky] || len(todos) != map[bool]int{true: 1}[risky] {
					t.Errorf("%s %s: tagged %v, %d risk notes, %d reviewer activities", kind, r.Name, tagged, len(notes), len(todos))
				}
				if risky && (!strings.Contains(notes[0]["body"].(string), "recommendation") || todos[0]["summary"] != "Review risky Shopify order "+r.Name) {
					t.Errorf("%s: note %q, activity %q", kind, notes[0]["body"], todos[0]["summary"])
				}
			}
		})
	}
}

// A failed order gives the onFailure user one To-Do, however often it is
// retried, on the failure record while it has no sale order; Odoo learning
// the product lets it import, and the To-Do is marked done.
func TestFailedOrdersHaveOneActivityUntilImported(t *testing.T) {
	for _, version := range []int{17, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			e := newEnv(t, version, len(shopifysim.Kinds))
			e.im.Settings.Orders.OnFailure = &v1.FailureSpec{ActivityUser: "admin"}
			id := e.byKind("unknown-sku")
			for range 3 {
				if r := e.importOne(t, id); r.State != v1.LineFailed {
					t.Fatalf("unknown SKU: %+v", r)
				}
			}
			summary := "Shopify order " + e.importOne(t, id).Name + " of sim-shop.myshopify.com failed to import"
			open := func() []map[string]any {
				return e.records(t, "mail.activity", []any{[]any{"summary", "=", summary}, []any{"user_id", "=", 2}})
			}
			journal := e.records(t, "account.journal", []any{[]any{"name", "=", catalog.Orders().Workflows[0].Journal}})[0]["id"]
			if a := open(); len(a) != 1 || a[0]["res_model"] != "account.journal" || a[0]["res_id"] != journal ||
				!strings.Contains(a[0]["note"].(string), "LEGACY-SCARF") {
				t.Fatalf("after 4 failed imports: activities %v", a)
			}
			e.odoo.AddProducts([]catalog.Product{{Handle: "legacy-scarf", Title: "Legacy Silk Scarf",
				Variants: []catalog.Variant{{SKU: "LEGACY-SCARF", Price: "45.00"}, {SKU: "LEGACY-SCARF-2", Price: "49.00"}}}})
			if r := e.importOne(t, id); r.State != v1.LineDone {
				t.Fatalf("once Odoo has the product: %+v", r)
			}
			if a := open(); len(a) != 0 {
				t.Errorf("imported, the activity is still open: %v", a)
			}
			done := e.records(t, "mail.message", []any{[]any{"model", "=", "account.journal"}, []any{"body", "ilike", "Imported into Odoo"}})
			if len(done) != 1 {
				t.Errorf("messages of the activity done on the journal: %v", done)
			}
		})
	}
}
