package importer

import (
	"strings"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// ofKind are the generated orders of kind.
func (e *env) ofKind(kind string) []string {
	var out []string
	for _, id := range e.ids {
		if e.kinds[id] == kind {
			out = append(out, id)
		}
	}
	return out
}

func TestPOSOrdersSkippedUnlessEnabled(t *testing.T) {
	e := newEnv(t, 18, 2*len(shopifysim.Kinds))
	e.im.Settings.Orders.POS = v1.POSSpec{}
	pos := e.ofKind("pos")
	web := e.ofKind("multi-line")
	if len(pos) == 0 || len(web) == 0 {
		t.Fatalf("the store has %d point of sale orders and %d web orders", len(pos), len(web))
	}
	res := e.importAll(t)
	var names []any
	for _, id := range pos {
		names = append(names, res[id].Name)
		r := res[id]
		if r.State != v1.LineSkipped || r.Message != "point of sale order: not imported, as spec.orders.pos.enabled is off" || r.SaleOrderID != 0 {
			t.Errorf("%s: %s %q, sale order %d; want skipped, saying why", r.Name, r.State, r.Message, r.SaleOrderID)
		}
	}
	for _, id := range web {
		if r := res[id]; r.State != v1.LineDone {
			t.Errorf("web order %s: %s %q", r.Name, r.State, r.Message)
		}
	}
	if rows := e.records(t, "sale.order", []any{[]any{"client_order_ref", "in", names}}); len(rows) != 0 {
		t.Errorf("%d point of sale orders in Odoo; want none", len(rows))
	}
}

func TestPOSOrdersImportedWithTheirOwnSettings(t *testing.T) {
	e := newEnv(t, 19, 2*len(shopifysim.Kinds))
	o := &e.im.Settings.Orders
	o.Customers.GuestCustomer = "" // the point of sale's own guest serves
	o.POS = v1.POSSpec{Enabled: true, NamePrefix: "POS-", GuestCustomer: catalog.GuestCustomer,
		Workflows: []v1.Workflow{{FinancialStatus: "any", Confirm: true}}}
	pos := e.ofKind("pos")
	res, err := e.im.Import(ctx(t), append(pos, e.ofKind("multi-line")...))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		isPOS := e.kinds[r.ID] == "pos"
		switch {
		case r.State != v1.LineDone:
			t.Errorf("%s: %s %q", r.Name, r.State, r.Message)
		case isPOS && (r.SaleOrder != "POS-"+r.Name || r.Outcome != v1.OutcomeSalesOrder):
			t.Errorf("point of sale order %s: %s, %s; want POS-%s, a sales order by its own workflow", r.Name, r.SaleOrder, r.Outcome, r.Name)
		case !isPOS && (r.SaleOrder != "SHOP-"+r.Name || r.Outcome != v1.OutcomePaid):
			t.Errorf("web order %s: %s, %s; want SHOP-%s, paid", r.Name, r.SaleOrder, r.Outcome, r.Name)
		}
	}
	rows := e.records(t, "sale.order", []any{[]any{"name", "=like", "POS-%"}})
	if len(rows) != len(pos) {
		t.Fatalf("%d POS- orders in Odoo, want %d", len(rows), len(pos))
	}
	for _, so := range rows {
		if p := so["partner_id"].([]any); p[1] != catalog.GuestCustomer {
			t.Errorf("%s is for %v, want the point of sale guest", so["name"], p[1])
		}
	}
}

func TestCustomItemMappedToItsProduct(t *testing.T) {
	e := newEnv(t, 17, len(shopifysim.Kinds))
	ids := e.ofKind("custom-line")
	res, err := e.im.Import(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.State != v1.LineFailed || !strings.Contains(r.Message, `line "Gift wrapping" has no SKU: it is a custom item (no product in Shopify); set spec.orders.customItemProduct`) {
		t.Fatalf("unmapped custom item: %s %q", r.State, r.Message)
	}
	// a custom item with a SKU Odoo lacks says what to set
	if err := e.shop.Store().UpdateOrder("gid://shopify/Order/"+ids[0], func(o shopifysim.Obj) {
		for _, l := range o["lineItems"].([]shopifysim.Obj) {
			if l["title"] == "Gift wrapping" {
				l["sku"] = "WRAP-1"
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if res, err = e.im.Import(ctx(t), ids); err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.State != v1.LineFailed || !strings.Contains(r.Message, "unknown in Odoo: SKU WRAP-1 (Gift wrapping, a custom item: set spec.orders.customItemProduct)") {
		t.Fatalf("custom item of an unknown SKU: %s %q", r.State, r.Message)
	}
	e.im.Settings.Orders.CustomItemProduct = catalog.ShippingSKU // any service product Odoo has
	if res, err = e.im.Import(ctx(t), ids); err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.State != v1.LineDone {
		t.Fatalf("mapped custom item: %s %q", r.State, r.Message)
	}
	lines := e.records(t, "sale.order.line", []any{[]any{"order_id", "=", res[0].SaleOrderID}, []any{"name", "=", "Gift wrapping"}})
	if len(lines) != 1 || lines[0]["product_id"].([]any)[1] == nil || lines[0]["price_unit"].(float64) != 3.5 {
		t.Fatalf("the custom item's line: %v", lines)
	}
	if code := e.records(t, "product.product", []any{[]any{"id", "=", lines[0]["product_id"].([]any)[0]}}); code[0]["default_code"] != catalog.ShippingSKU {
		t.Errorf("the custom item is sold as %v, want %s", code[0]["default_code"], catalog.ShippingSKU)
	}
}

func TestUnknownSKUFailsByDefault(t *testing.T) {
	e := newEnv(t, 18, len(shopifysim.Kinds))
	res, err := e.im.Import(ctx(t), e.ofKind("unknown-sku"))
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.State != v1.LineFailed || r.Retry || !strings.Contains(r.Message, "unknown in Odoo: SKU LEGACY-SCARF") ||
		!strings.Contains(r.Message, "set spec.orders.unknownProducts to Create") {
		t.Errorf("%s: %s %q", r.Name, r.State, r.Message)
	}
	if n := len(e.records(t, "product.product", []any{[]any{"default_code", "=like", "LEGACY-%"}})); n != 0 {
		t.Errorf("%d LEGACY products in Odoo; nothing is invented", n)
	}
}

func TestPOSOrderWithoutGuestFailsSayingWhich(t *testing.T) {
	e := newEnv(t, 17, len(shopifysim.Kinds))
	e.im.Settings.Orders.Customers.GuestCustomer = ""
	res, err := e.im.Import(ctx(t), append(e.ofKind("pos"), e.ofKind("multi-line")...))
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.State != v1.LineFailed || r.Message != "the point of sale order has no customer and neither spec.orders.pos.guestCustomer nor spec.orders.customers.guestCustomer is set" {
		t.Errorf("point of sale order without a guest: %s %q", r.State, r.Message)
	}
	if r := res[1]; r.State != v1.LineDone {
		t.Errorf("the web order beside it: %s %q", r.State, r.Message)
	}
}
