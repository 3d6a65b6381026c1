package odoosim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func inCompany(id int64, more map[string]any) map[string]any {
	c := map[string]any{"allowed_company_ids": []any{id}}
	for k, v := range more {
		c[k] = v
	}
	return map[string]any{"context": c}
}

func m2oID(v any) int64 {
	l, _ := v.([]any)
	if len(l) == 0 {
		return 0
	}
	return int64(l[0].(float64))
}

func TestCompaniesKeptApart(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v, SecondCompany: SecondCompanyName})
			const a, b = int64(1), int64(2)
			search := func(model string, kw map[string]any) []int64 {
				return ids(t, must(t, s, model, "search", []any{[]any{}}, kw))
			}
			whA, whB := search("stock.warehouse", inCompany(a, nil)), search("stock.warehouse", inCompany(b, nil))
			if len(whA) != 1 || len(whB) != 1 || whA[0] == whB[0] || len(search("stock.warehouse", nil)) != 2 {
				t.Fatalf("warehouses: A %v, B %v, without context %v", whA, whB, search("stock.warehouse", nil))
			}
			for _, model := range []string{"account.tax", "account.journal", "product.pricelist"} {
				inA, inB := search(model, inCompany(a, nil)), search(model, inCompany(b, nil))
				if len(inA) == 0 || len(inB) == 0 || slices.ContainsFunc(inA, func(id int64) bool { return slices.Contains(inB, id) }) {
					t.Errorf("%s: A sees %v, B sees %v", model, inA, inB)
				}
			}

			_, err := call(t, s, "stock.warehouse", "read", []any{whB, []any{"code"}}, inCompany(a, nil))
			want := "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, Mitchell Admin (id=2) doesn't have 'read' access to:\n" +
				"- Warehouse (stock.warehouse)\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies."
			if v >= 18 {
				want += "\n\nThis seems to be a multi-company issue, you might be able to access the record by switching to the company: " + SecondCompanyName + "."
			}
			if errName(err) != "odoo.exceptions.AccessError" || errMsg(err) != want {
				t.Errorf("reading B's warehouse in A: %v", err)
			}
			// writing is refused alike, naming the read access
			_, err = call(t, s, "stock.warehouse", "write", []any{whB, map[string]any{"name": "x"}}, inCompany(a, nil))
			if errName(err) != "odoo.exceptions.AccessError" || errMsg(err) != want {
				t.Errorf("writing B's warehouse in A: %v", err)
			}
			if _, err := call(t, s, "res.partner", "search", []any{[]any{}}, inCompany(99, nil)); errMsg(err) != "Access to unauthorized or invalid companies." {
				t.Errorf("an unknown company: %v", err)
			}

			// an order made in B is B's, with B's warehouse, and so are its
			// invoice (in B's sale journal) and payment (in B's bank journal)
			partner := must(t, s, "res.partner", "create", []any{map[string]any{"name": "Shared"}}, inCompany(b, nil))
			prod := must(t, s, "product.product", "create", []any{map[string]any{"name": "Svc", "type": "service", "invoice_policy": "order"}}, inCompany(b, nil))
			tf := taxField(v)
			taxB := ids(t, must(t, s, "account.tax", "search", []any{[]any{[]any{"type_tax_use", "=", "sale"}}}, inCompany(b, nil)))[:1]
			taxA := ids(t, must(t, s, "account.tax", "search", []any{[]any{[]any{"type_tax_use", "=", "sale"}}}, inCompany(a, nil)))[:1]
			line := func(tax []int64) []any {
				return []any{0, 0, map[string]any{"product_id": prod, "price_unit": 10.0, tf: []any{[]any{6, 0, tax}}}}
			}
			_, err = call(t, s, "sale.order", "create", []any{map[string]any{"partner_id": partner, "order_line": []any{line(taxA)}}}, inCompany(b, nil))
			if errName(err) != "odoo.exceptions.UserError" || !strings.Contains(errMsg(err), "“Taxes” ("+tf+": '") && !strings.Contains(errMsg(err), "'Taxes' ("+tf+": '") {
				t.Errorf("A's tax on B's order: %v", err)
			}
			so := must(t, s, "sale.order", "create", []any{map[string]any{"partner_id": partner, "order_line": []any{line(taxB)}}}, inCompany(b, nil))
			o := must(t, s, "sale.order", "read", []any{[]any{so}, []any{"company_id", "warehouse_id"}}, inCompany(b, nil)).([]any)[0].(map[string]any)
			if m2oID(o["company_id"]) != b || m2oID(o["warehouse_id"]) != whB[0] {
				t.Errorf("order made in B: %v", o)
			}
			if _, err := call(t, s, "sale.order", "read", []any{[]any{so}, []any{"name"}}, inCompany(a, nil)); errName(err) != "odoo.exceptions.AccessError" {
				t.Errorf("B's order read in A: %v", err)
			}
			must(t, s, "sale.order", "action_confirm", []any{[]any{so}}, inCompany(b, nil))
			onOrder := inCompany(b, map[string]any{"active_model": "sale.order", "active_ids": []any{so}})
			w := must(t, s, "sale.advance.payment.inv", "create", []any{map[string]any{}}, onOrder)
			inv := int64(must(t, s, "sale.advance.payment.inv", "create_invoices", []any{[]any{w}}, onOrder).(map[string]any)["res_id"].(float64))
			must(t, s, "account.move", "action_post", []any{[]any{inv}}, inCompany(b, nil))
			mv := must(t, s, "account.move", "read", []any{[]any{inv}, []any{"company_id", "journal_id"}}, inCompany(b, nil)).([]any)[0].(map[string]any)
			salesB := search("account.journal", inCompany(b, nil))
			if m2oID(mv["company_id"]) != b || !slices.Contains(salesB, m2oID(mv["journal_id"])) {
				t.Errorf("invoice of B's order: %v (B's journals %v)", mv, salesB)
			}
			onInvoice := inCompany(b, map[string]any{"active_model": "account.move", "active_ids": []any{inv}})
			pw := must(t, s, "account.payment.register", "create", []any{map[string]any{}}, onInvoice)
			must(t, s, "account.payment.register", "action_create_payments", []any{[]any{pw}}, onInvoice)
			pays := ids(t, must(t, s, "account.payment", "search", []any{[]any{}}, inCompany(b, nil)))
			if len(pays) != 1 || len(ids(t, must(t, s, "account.payment", "search", []any{[]any{}}, inCompany(a, nil)))) != 0 {
				t.Fatalf("payments: B %v", pays)
			}
			p := must(t, s, "account.payment", "read", []any{pays, []any{"company_id", "journal_id"}}, inCompany(b, nil)).([]any)[0].(map[string]any)
			if m2oID(p["company_id"]) != b || !slices.Contains(salesB, m2oID(p["journal_id"])) {
				t.Errorf("payment of B's invoice: %v", p)
			}
		})
	}
}
