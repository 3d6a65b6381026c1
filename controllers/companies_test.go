package controllers

import (
	"fmt"
	"strconv"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Two shops wired to two companies of one Odoo database: each shop's
// orders, invoices and payments are its company's, made with its
// warehouse, journals and taxes.
func TestCompaniesKeepTheirShopsApart(t *testing.T) {
	for _, version := range []int{18, 19} { // JSON-RPC and JSON-2
		t.Run(strconv.Itoa(version), func(t *testing.T) { companiesApart(t, version) })
	}
}

func companiesApart(t *testing.T, version int) {
	f := newFixture(t, version, 8)
	f.odoo = odoosim.New(odoosim.Options{Version: version, Database: "db", Login: "admin", APIKey: odooKey, Catalog: true,
		Modules: map[string]bool{"delivery": true}, SecondCompany: odoosim.SecondCompanyName})
	f.odoo.Start()
	t.Cleanup(f.odoo.Close)
	other, err := shopifysim.Start(shopifysim.Options{Orders: 8, Shop: "other-shop.myshopify.com", AccessToken: shopToken,
		WebhookSecret: webhookSecret, RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	f.secrets(goodShopify(), goodOdoo())
	company := map[string]int64{"a": 1, "b": 2}
	f.instanceNamed("a", func(s *v1.ShopifyInstanceSpec) { s.Odoo.Company = "My Company" })
	f.instanceNamed("b", func(s *v1.ShopifyInstanceSpec) {
		s.Shopify.Shop, s.Shopify.Endpoint = "other-shop.myshopify.com", other.URL()
		s.Odoo.Company, s.Odoo.Warehouse = odoosim.SecondCompanyName, "WH2"
	})
	for name, id := range company {
		var si v1.ShopifyInstance
		f.condition(&si, name, v1.ConditionReady, "True", "Connected")
		if si.Status.Odoo == nil || si.Status.Odoo.CompanyID != id {
			t.Errorf("%s: status.odoo %+v, want company %d", name, si.Status.Odoo, id)
		}
	}

	orders := map[int64]string{} // sale order -> instance
	for _, q := range f.finished() {
		for _, l := range q.Status.Lines {
			if l.SaleOrderID != 0 {
				orders[l.SaleOrderID] = q.Spec.InstanceRef.Name
			}
		}
	}
	byInstance := map[string]int{}
	for _, inst := range orders {
		byInstance[inst]++
	}
	if byInstance["a"] == 0 || byInstance["b"] == 0 {
		t.Fatalf("sale orders per instance: %v", byInstance)
	}

	// what each company owns
	owner := func(model string, id int64) int64 {
		rows, err := f.odoo.SearchRead(model, []any{[]any{"id", "=", id}}, "company_id")
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s %d: %v", model, id, err)
		}
		return m2o(rows[0]["company_id"])
	}
	invoices, paid := map[string]int{}, map[int64]int{}
	for so, inst := range orders {
		rows, err := f.odoo.SearchRead("sale.order", []any{[]any{"id", "=", so}}, "company_id", "warehouse_id", "picking_ids", "invoice_ids")
		if err != nil {
			t.Fatal(err)
		}
		o := rows[0]
		if got := m2o(o["company_id"]); got != company[inst] {
			t.Errorf("%s's sale order %d is company %d's", inst, so, got)
		}
		if got := owner("stock.warehouse", m2o(o["warehouse_id"])); got != company[inst] {
			t.Errorf("%s's sale order %d ships from company %d's warehouse", inst, so, got)
		}
		for _, p := range ids(o["picking_ids"]) {
			if got := owner("stock.picking", p); got != company[inst] {
				t.Errorf("%s's sale order %d has company %d's delivery %d", inst, so, got, p)
			}
		}
		taxes := "tax_id"
		if version >= 19 {
			taxes = "tax_ids"
		}
		lines, err := f.odoo.SearchRead("sale.order.line", []any{[]any{"order_id", "=", so}}, taxes)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			for _, tax := range ids(l[taxes]) {
				if got := owner("account.tax", tax); got != company[inst] {
					t.Errorf("%s's sale order %d has company %d's tax %d", inst, so, got, tax)
				}
			}
		}
		for _, inv := range ids(o["invoice_ids"]) {
			invoices[inst]++
			mv, err := f.odoo.SearchRead("account.move", []any{[]any{"id", "=", inv}}, "company_id", "journal_id")
			if err != nil {
				t.Fatal(err)
			}
			if got := m2o(mv[0]["company_id"]); got != company[inst] {
				t.Errorf("%s's invoice %d is company %d's", inst, inv, got)
			}
			if got := owner("account.journal", m2o(mv[0]["journal_id"])); got != company[inst] {
				t.Errorf("%s's invoice %d is in company %d's journal", inst, inv, got)
			}
		}
	}
	payments, err := f.odoo.SearchRead("account.payment", []any{}, "company_id", "journal_id", "reconciled_invoice_ids")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range payments {
		paid[m2o(p["company_id"])]++
		for _, inv := range ids(p["reconciled_invoice_ids"]) {
			c := owner("account.move", inv)
			if m2o(p["company_id"]) != c || owner("account.journal", m2o(p["journal_id"])) != c {
				t.Errorf("payment %v of company %d's invoice %d", p, c, inv)
			}
		}
	}
	for inst, id := range company {
		if invoices[inst] == 0 || paid[id] == 0 {
			t.Errorf("%s: %d invoices, company %d has %d payments", inst, invoices[inst], id, paid[id])
		}
	}
}

func m2o(v any) int64 {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			return toID(x[0])
		}
	}
	return toID(v)
}

func toID(v any) int64 {
	var n int64
	fmt.Sscan(fmt.Sprint(v), &n)
	return n
}

func ids(v any) []int64 {
	l, _ := v.([]any)
	out := make([]int64, len(l))
	for i, e := range l {
		out[i] = toID(e)
	}
	return out
}
