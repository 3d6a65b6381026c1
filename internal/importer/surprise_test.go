package importer

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Orders as no well-behaved store sends them, or that Odoo refuses, imported
// in one batch with good ones: each surprising order ends with its own
// message, or imports when it can, and the good orders are not held back.
func TestSurprisingOrders(t *testing.T) {
	e := newEnv(t, 18, len(shopifysim.Kinds))
	byKind := map[string]string{}
	for _, id := range e.ids {
		byKind[e.kinds[id]] = id
	}
	// A constraint of Odoo's sale module, as a ValidationError.
	const refusal = "Prepayment percentage must be a valid percentage."
	firstLine := func(o shopifysim.Obj) shopifysim.Obj { return o["lineItems"].([]shopifysim.Obj)[0] }
	cases := []struct {
		kind, name string
		change     func(shopifysim.Obj)
		state      v1.LineState
		message    string
	}{
		{"multi-line", "no customer", func(o shopifysim.Obj) { o["customer"] = nil }, v1.LineDone, "order created"},
		{"pos", "unicode names", func(o shopifysim.Obj) {
			firstLine(o)["name"] = "Pull mérinos – 羊毛セーター 🧶"
		}, v1.LineDone, "order created"},
		{"line-discount", "a line without a price", func(o shopifysim.Obj) { firstLine(o)["originalUnitPriceSet"] = nil },
			v1.LineFailed, "has no price"},
		{"order-discount", "a negative quantity", func(o shopifysim.Obj) { firstLine(o)["quantity"] = -1 },
			v1.LineFailed, "has a negative quantity or price (-1 at"},
		{"shipping-discount", "a currency Odoo does not use", func(o shopifysim.Obj) {
			o["totalPriceSet"].(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["currencyCode"] = "XTS"
		}, v1.LineFailed, "the order is in XTS and Odoo's sale orders are in EUR"},
		{"taxes-included", "250 lines", func(o shopifysim.Obj) {
			// 250 lines of one unit of the first item; totals and payment follow.
			money := func(bag any) decimal.Decimal {
				d, _ := decimal.Parse(fmt.Sprint(bag.(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"]))
				return d
			}
			setMoney := func(bag any, d decimal.Decimal) {
				bag.(shopifysim.Obj)["shopMoney"].(shopifysim.Obj)["amount"] = d.StringFixed(2)
				bag.(shopifysim.Obj)["presentmentMoney"].(shopifysim.Obj)["amount"] = d.StringFixed(2)
			}
			lines := o["lineItems"].([]shopifysim.Obj)
			total := money(o["totalPriceSet"])
			for _, li := range lines {
				total = total.Sub(money(li["originalTotalSet"]))
			}
			many := make([]shopifysim.Obj, 250)
			for i := range many {
				many[i] = maps.Clone(lines[0])
				many[i]["quantity"], many[i]["currentQuantity"], many[i]["discountAllocations"] = 1, 1, []shopifysim.Obj{}
			}
			o["lineItems"] = many
			total = total.Add(money(lines[0]["originalUnitPriceSet"]).MulInt(250))
			setMoney(o["totalPriceSet"], total)
			setMoney(o["transactions"].([]shopifysim.Obj)[0]["amountSet"], total)
		}, v1.LineDone, "order created"},
		{"taxes-excluded-multi", "refused by Odoo", func(o shopifysim.Obj) {
			e.odoo.Inject(odoosim.Fault{Kind: odoosim.Refuse, Model: "sale.order", Method: "create",
				Mentions: keys.Order(e.im.Settings.Shop, o["legacyResourceId"].(string)), Message: refusal})
		}, v1.LineFailed, "Odoo refused the order: " + refusal},
		{"fulfilled", "untouched", func(shopifysim.Obj) {}, v1.LineDone, "order created"},
	}
	var ids []string
	for _, c := range cases {
		id := byKind[c.kind]
		if err := e.shop.Store().UpdateOrder("gid://shopify/Order/"+id, c.change); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	res, err := e.im.Import(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if c := cases[i]; r.State != c.state || !strings.Contains(r.Message, c.message) {
			t.Errorf("%s: %s %q; want %s %q", c.name, r.State, r.Message, c.state, c.message)
		}
	}
	for i, c := range cases {
		if c.name != "250 lines" {
			continue
		}
		lines, err := e.odoo.SearchRead("sale.order.line", []any{[]any{"order_id", "=", res[i].SaleOrderID}}, "name")
		if err != nil || len(lines) < 250 || res[i].SaleOrderID == 0 {
			t.Errorf("the 250-line order has %d lines in Odoo: %v", len(lines), err)
		}
	}
	rows, err := e.odoo.SearchRead("sale.order.line", []any{[]any{"name", "ilike", "羊毛セーター"}}, "name")
	if err != nil || len(rows) != 1 {
		t.Errorf("the unicode line in Odoo: %v %v", rows, err)
	}
}
