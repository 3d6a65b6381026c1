package odoosim

import (
	"fmt"
	"strconv"

	"github.com/shopify-odoo/connector/test/catalog"
)

// seeder inserts records with the ids a fresh Odoo database gives them.
type seeder struct{ t *tx }

func (s seeder) add(model string, vals map[string]any) int64 {
	id, err := s.t.create(s.t.model(model), vals)
	if err != nil {
		panic(fmt.Sprintf("seed %s: %v", model, err))
	}
	return id
}

func (s seeder) at(model string, id int64, vals map[string]any) int64 {
	s.t.model(model).nextID = id
	return s.add(model, vals)
}

var countries = []struct {
	id         int64
	code, name string
	phone      int
}{
	{13, "AU", "Australia", 61}, {19, "BD", "Bangladesh", 880}, {20, "BE", "Belgium", 32}, {38, "CA", "Canada", 1},
	{43, "CH", "Switzerland", 41}, {48, "CN", "China", 86}, {57, "DE", "Germany", 49}, {68, "ES", "Spain", 34},
	{75, "FR", "France", 33}, {101, "IE", "Ireland", 353}, {104, "IN", "India", 91}, {109, "IT", "Italy", 39},
	{113, "JP", "Japan", 81}, {165, "NL", "Netherlands", 31}, {183, "PT", "Portugal", 351}, {224, "TR", "Türkiye", 90},
	{231, "GB", "United Kingdom", 44}, {233, "US", "United States", 1}, {241, "VN", "Vietnam", 84},
}

func seed(db *database, o Options) {
	s := seeder{db.begin(map[string]any{})}
	s.t.seeding = true
	home := "FR"
	if o.Fresh {
		// base's data: USD first, EUR further down the list and inactive
		// until a company uses it
		home = "US"
		s.add("res.currency", map[string]any{"name": "USD", "symbol": "$", "rounding": 0.01, "active": true})
		eur := map[int]int64{17: 126, 18: 125, 19: 126}[db.version]
		s.at("res.currency", eur, map[string]any{"name": "EUR", "symbol": "€", "rounding": 0.01, "active": false})
	} else {
		s.add("res.currency", map[string]any{"name": "EUR", "symbol": "€", "rounding": 0.01, "active": true})
		s.add("res.currency", map[string]any{"name": "USD", "symbol": "$", "rounding": 0.01, "active": true})
	}
	country := map[string]int64{}
	for _, c := range countries {
		country[c.code] = s.at("res.country", c.id, map[string]any{"name": c.name, "code": c.code, "phone_code": c.phone})
	}
	s.t.model("res.country").nextID = 251
	for _, st := range countryStates[db.version] {
		s.at("res.country.state", st.id, map[string]any{"code": st.code, "name": st.name, "country_id": country[st.country]})
	}
	s.add("res.partner", map[string]any{"name": "My Company", "is_company": true, "country_id": country[home], "email": "info@yourcompany.com"})
	s.add("res.partner", map[string]any{"name": "OdooBot", "active": false})
	admin := s.add("res.partner", map[string]any{"name": "Mitchell Admin", "email": "admin@yourcompany.example.com"})
	for _, n := range []string{"Public user", "Default User Template", "Portal User Template"} {
		s.add("res.partner", map[string]any{"name": n, "active": false})
	}
	s.add("res.company", map[string]any{"name": "My Company", "currency_id": int64(1), "partner_id": int64(1), "country_id": country[home]})
	if db.version >= 19 && s.t.installed("stock_sms") {
		s.t.rec("res.company", 1)["stock_text_confirmation"] = true // stock_sms's post_init_hook
	}
	s.add("res.users", map[string]any{"login": "__system__", "name": "OdooBot", "partner_id": int64(2), "company_id": int64(1),
		"company_ids": []any{int64(1)}})
	s.add("res.users", map[string]any{"login": o.Login, "name": "Mitchell Admin", "partner_id": admin, "company_id": int64(1),
		"company_ids": []any{int64(1)}})
	s.add("uom.uom", map[string]any{"name": "Units", "rounding": 0.01})
	all := s.add("product.category", map[string]any{"name": "All"})
	s.add("product.category", map[string]any{"name": "Saleable", "parent_id": all})

	// the generic chart of accounts' taxes (account.tax-generic_coa.csv)
	s.add("account.tax", map[string]any{"name": "15%", "amount": 15.0, "type_tax_use": "sale", "company_id": int64(1)})
	s.add("account.tax", map[string]any{"name": "15%", "amount": 15.0, "type_tax_use": "purchase", "company_id": int64(1)})
	if o.Fresh && db.version >= 19 {
		s.add("account.tax", map[string]any{"name": "0% Exports", "amount": 0.0, "type_tax_use": "sale", "company_id": int64(1)})
		s.add("account.tax", map[string]any{"name": "0% Imports", "amount": 0.0, "type_tax_use": "purchase", "company_id": int64(1)})
	}
	for _, j := range journals(db.version, o.Fresh) {
		jid := s.add("account.journal", map[string]any{"name": j[0], "code": j[1], "type": j[2], "company_id": int64(1)})
		if j[2] == "bank" || j[2] == "cash" {
			s.t.addPaymentMethodLine(jid, j[1] == "BNK1")
		}
	}
	for _, n := range []string{"Immediate Payment", "15 Days", "30 Days"} {
		s.add("account.payment.term", map[string]any{"name": n, "active": true})
	}
	if !o.Fresh { // Odoo makes pricelists only once they are enabled
		s.add("product.pricelist", map[string]any{"name": "Default EUR pricelist", "company_id": int64(1)})
	}
	s.add("crm.team", map[string]any{"name": "Sales", "active": true})
	for _, l := range []struct {
		name, usage string
		parent      int64
	}{{"Physical Locations", "view", 0}, {"Partners", "view", 0}, {"Virtual Locations", "view", 0}, {"Vendors", "supplier", 2},
		{"Customers", "customer", 2}, {"Inventory adjustment", "inventory", 3}, {"WH", "view", 1}, {"Stock", "internal", 7}} {
		s.add("stock.location", map[string]any{"name": l.name, "usage": l.usage, "location_id": l.parent})
	}
	s.add("stock.warehouse", map[string]any{"name": "My Company", "code": "WH", "lot_stock_id": int64(8), "company_id": int64(1)})
	s.t.rec("stock.location", 8)["warehouse_id"] = int64(1)
	seedAccounts(s, o.Fresh)
	seedModules(s)
	seedGroups(s, o.Fresh)
	seedMail(s)
	if o.Catalog {
		seedCatalog(s)
	}
	if o.SecondCompany != "" {
		seedSecondCompany(s, o.SecondCompany, o.Fresh)
	}
}

// journals are the journals a database starts with: the chart of accounts'
// (account/models/chart_template.py _get_account_journal, no cash journal on
// 19) and stock_account's Inventory Valuation; the simulator's seeded
// database has a Shopify Payments bank journal instead of the latter.
func journals(version int, fresh bool) [][3]string {
	sales, purchases := "Customer Invoices", "Vendor Bills"
	if version >= 19 {
		sales = "Sales"
		if fresh {
			purchases = "Purchases"
		}
	}
	out := [][3]string{{sales, "INV", "sale"}, {purchases, "BILL", "purchase"}, {"Miscellaneous Operations", "MISC", "general"},
		{"Exchange Difference", "EXCH", "general"}, {"Cash Basis Taxes", "CABA", "general"}, {"Bank", "BNK1", "bank"}}
	if !fresh {
		return append(out, [3]string{"Cash", "CSH1", "cash"}, [3]string{"Shopify Payments", "SHOP", "bank"})
	}
	if version < 19 {
		out = append(out, [3]string{"Cash", "CSH1", "cash"})
	}
	return append(out, [3]string{"Inventory Valuation", "STJ", "general"})
}

// addPaymentMethodLine gives a bank or cash journal its manual inbound
// payment method line; bnk1 says the chart's Bank journal.
func (t *tx) addPaymentMethodLine(journal int64, bnk1 bool) {
	name := "Manual Payment (" + asString(t.val("account.journal", journal, "name")) + ")"
	if bnk1 {
		name = "Manual Payment (Bank)"
		if t.db.version == 17 {
			name = "Manual"
		}
	}
	if _, err := t.create(t.model("account.payment.method.line"), map[string]any{"name": name, "journal_id": journal, "payment_type": "inbound"}); err != nil {
		panic(err)
	}
}

// storable returns the vals making a product a tracked good on this version.
func storable(version int) map[string]any {
	if version == 17 {
		return map[string]any{"type": "product"}
	}
	return map[string]any{"type": "consu", "is_storable": true}
}

// TaxName is the name the catalogue tax gets in the simulated Odoo; two
// entries with the same name differ by their price-include flag.
func TaxName(t catalog.Tax) string {
	for _, o := range catalog.Taxes {
		if o.Name == t.Name && o.Included != t.Included && t.Included {
			return t.Name + " incl."
		}
	}
	return t.Name
}

func seedCatalog(s seeder) {
	s.add("res.partner", map[string]any{"name": catalog.GuestCustomer})
	for _, tax := range catalog.Taxes {
		rate, _ := strconv.ParseFloat(tax.Rate, 64)
		vals := map[string]any{"name": TaxName(tax), "amount": rate, "type_tax_use": "sale", "company_id": int64(1)}
		switch {
		case s.t.db.version == 17:
			vals["price_include"] = tax.Included
		case tax.Included:
			vals["price_include_override"] = "tax_included"
		default:
			vals["price_include_override"] = "tax_excluded"
		}
		s.add("account.tax", vals)
	}
	s.addProducts(catalog.Products())
	for _, svc := range []struct{ sku, name string }{{catalog.ShippingSKU, "Shipping"}, {catalog.DiscountSKU, "Discount"},
		{catalog.GiftCardSKU, "Gift Card"}, {catalog.TipSKU, "Tip"}, {catalog.RoundingSKU, "Rounding"}} {
		s.add("product.product", map[string]any{"name": svc.name, "default_code": svc.sku, "type": "service",
			"invoice_policy": "order", "list_price": 0.0, "taxes_id": []any{[]any{6.0, 0.0, []any{}}}})
	}
}

func price(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// AddProducts adds templates with their attribute values, variants and 100
// units of stock each, as the seeded catalogue is.
func (s *Sim) AddProducts(ps []catalog.Product) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seeder{s.db.begin(map[string]any{})}.addProducts(ps)
}

// named returns the id of the model's record with this name, creating it with vals if none.
func (s seeder) named(model, name string, vals map[string]any) int64 {
	domain := []any{[]any{"name", "=", name}}
	for k, v := range vals {
		domain = append(domain, []any{k, "=", v})
	}
	if ids, _ := s.t.search(s.t.model(model), domain, 0, 1, ""); len(ids) > 0 {
		return ids[0]
	}
	vals["name"] = name
	return s.add(model, vals)
}

func (s seeder) addProducts(ps []catalog.Product) {
	stock := int64(8)
	categ, _ := s.t.search(s.t.model("product.category"), []any{[]any{"name", "=", "Saleable"}}, 0, 1, "")
	for _, p := range ps {
		base := price(p.Variants[0].Price)
		tvals := map[string]any{"name": p.Title, "list_price": base, "invoice_policy": "order", "categ_id": categ[0],
			"description_sale": p.Title + " by " + p.Vendor, "weight": float64(p.Variants[0].WeightGrams) / 1000, "product_variant_ids": []any{}}
		if s.t.installed("stock_delivery") { // its fields
			tvals["hs_code"] = p.HSCode
			if c, _ := s.t.search(s.t.model("res.country"), []any{[]any{"code", "=", p.CountryOfOrigin}}, 0, 1, ""); len(c) > 0 {
				tvals["country_of_origin"] = c[0]
			}
		}
		for k, v := range storable(s.t.db.version) {
			tvals[k] = v
		}
		tmpl := s.add("product.template", tvals)
		ptav := map[string]int64{}
		for i, opt := range p.Options {
			attr := s.named("product.attribute", opt, map[string]any{})
			line := s.add("product.template.attribute.line", map[string]any{"product_tmpl_id": tmpl, "attribute_id": attr})
			for _, v := range p.Variants {
				key := opt + "/" + v.Options[i]
				if ptav[key] != 0 {
					continue
				}
				extra := 0.0
				if i == 0 {
					extra = price(v.Price) - base
				}
				value := s.named("product.attribute.value", v.Options[i], map[string]any{"attribute_id": attr})
				ptav[key] = s.add("product.template.attribute.value", map[string]any{"product_attribute_value_id": value,
					"attribute_line_id": line, "price_extra": extra})
			}
		}
		for _, v := range p.Variants {
			var combo []any
			for i, opt := range p.Options {
				combo = append(combo, float64(ptav[opt+"/"+v.Options[i]]))
			}
			pid := s.add("product.product", map[string]any{"product_tmpl_id": tmpl, "default_code": v.SKU, "barcode": v.Barcode,
				"weight": float64(v.WeightGrams) / 1000, "product_template_attribute_value_ids": []any{[]any{6.0, 0.0, combo}}})
			s.add("stock.quant", map[string]any{"product_id": pid, "location_id": stock, "quantity": 100.0})
		}
	}
}
