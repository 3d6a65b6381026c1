package odoosim

import (
	"fmt"
	"slices"
	"strings"
)

// Companies, as Odoo keeps them apart: a call works in the companies of its
// context's allowed_company_ids (the first is the current one), else in all
// the user's companies with the user's default one current
// (odoo/api.py Environment.companies and company); the record rules hide the
// records of other companies, and check_company refuses a record that points
// at another company's (models.py _check_company).

// companyRuled are the models whose multi-company record rule the
// simulator applies: a record with a company is seen only by calls working
// in it; one without (a shared contact, product or pricelist) by all.
var companyRuled = map[string]bool{"sale.order": true, "sale.order.line": true, "account.move": true, "account.move.line": true,
	"account.payment": true, "account.journal": true, "account.tax": true, "stock.warehouse": true, "stock.picking": true,
	"product.pricelist": true, "product.template": true, "product.product": true, "res.partner": true}

// companyChecked are the fields of a model that check_company holds to the
// record's company, in the order Odoo reports them.
var companyChecked = map[string][]string{
	"sale.order":      {"partner_id", "partner_invoice_id", "partner_shipping_id", "pricelist_id", "warehouse_id"},
	"sale.order.line": {"product_id", "tax_id", "tax_ids"},
	"account.move":    {"journal_id"},
	"account.payment": {"journal_id"},
}

// setCompanies sets the call's companies, refusing one the user lacks.
func (t *tx) setCompanies() error {
	user := t.rec("res.users", t.uid)
	mine := idList(user["company_ids"])
	if len(mine) == 0 {
		mine = []int64{asInt(user["company_id"])}
	}
	t.company, t.companies = asInt(user["company_id"]), mine
	ids, _ := toIDs(t.ctx["allowed_company_ids"])
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if !slices.Contains(mine, id) {
			return accessError("Access to unauthorized or invalid companies.")
		}
	}
	t.company, t.companies = ids[0], ids
	return nil
}

// currentCompany is the company new records go to: the main one while
// seeding.
func (t *tx) currentCompany() int64 {
	if t.company == 0 {
		return 1
	}
	return t.company
}

// firstOf is the first record of model, in its order, that company may
// use: its own or a shared one.
func (t *tx) firstOf(model string, company int64) int64 {
	m := t.model(model)
	ids, _ := t.search(m, nil, 0, 0, "")
	for _, id := range ids {
		if c := t.companyOf(m, m.records[id]); c == 0 || c == company {
			return id
		}
	}
	return 0
}

// companyOf is a record's company, 0 for a shared one.
func (t *tx) companyOf(m *model, r Record) int64 {
	switch m.name {
	case "sale.order.line":
		return asInt(t.val("sale.order", asInt(r["order_id"]), "company_id"))
	case "account.move.line":
		return asInt(t.val("account.move", asInt(r["move_id"]), "company_id"))
	}
	return asInt(t.get(m, r, "company_id"))
}

// visible says whether the call's record rules let it see r.
func (t *tx) visible(m *model, r Record) bool {
	if t.companies == nil || !companyRuled[m.name] {
		return true
	}
	c := t.companyOf(m, r)
	return c == 0 || slices.Contains(t.companies, c)
}

// ruleError is the record rules' refusal of the records of ids the call
// does not see.
func (t *tx) ruleError(m *model, ids []int64) error {
	var other int64
	for _, id := range ids {
		if r := m.records[id]; r != nil && !t.visible(m, r) {
			other = t.companyOf(m, r)
			break
		}
	}
	if other == 0 {
		return nil
	}
	msg := fmt.Sprintf("Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, %s (id=%d) doesn't have 'read' access to:\n"+
		"- %s (%s)\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.",
		asString(t.val("res.users", t.uid, "name")), t.uid, modelDescriptions[m.name], m.name)
	if t.db.version >= 18 && slices.Contains(idList(t.val("res.users", t.uid, "company_ids")), other) {
		msg += "\n\nThis seems to be a multi-company issue, you might be able to access the record by switching to the company: " +
			asString(t.val("res.company", other, "name")) + "."
	}
	return accessError("%s", msg)
}

// checkCompany is check_company: every checked field of r points at a
// shared record or one of r's company.
func (t *tx) checkCompany(m *model, r Record) error {
	company := t.companyOf(m, r)
	if company == 0 {
		return nil
	}
	var lines []string
	for _, name := range companyChecked[m.name] {
		f := m.fields[name]
		if f == nil {
			continue
		}
		rel := t.model(f.rel)
		for _, id := range relIDs(r[name]) {
			target := rel.records[id]
			if target == nil {
				continue
			}
			if c := t.companyOf(rel, target); c != 0 && c != company {
				lines = append(lines, t.crossover(m, r, f, rel, id, company))
			}
		}
	}
	if len(lines) == 0 && m.name == "sale.order" {
		// lines made with the order are checked once it has its company
		lm := t.model("sale.order.line")
		for _, l := range idList(r["order_line"]) {
			if err := t.checkCompany(lm, lm.records[l]); err != nil {
				return err
			}
		}
	}
	if len(lines) == 0 {
		return nil
	}
	if t.db.version >= 19 {
		return userError("Uh-oh! You’ve got some company inconsistencies here:\n%s\nTo avoid a mess, no company crossover is allowed!", strings.Join(lines, "\n"))
	}
	return userError("Incompatible companies on records:\n%s", strings.Join(lines, "\n"))
}

// crossover is one line of check_company's error.
func (t *tx) crossover(m *model, r Record, f *field, rel *model, id, company int64) string {
	name, cname, label := t.displayName(m, asInt(r["id"])), asString(t.val("res.company", company, "name")), fieldLabels[f.name]
	target := fmt.Sprintf("(%s: '%s')", f.name, t.displayName(rel, id))
	switch t.db.version {
	case 17:
		return fmt.Sprintf("- '%s' belongs to company '%s' and '%s' %s belongs to another company.", name, cname, label, target)
	case 18:
		return fmt.Sprintf("- “%s” belongs to company “%s” and “%s” %s belongs to another company.", name, cname, label, target)
	}
	return fmt.Sprintf("- “%s” belongs to company “%s” while “%s” %s belongs to another company.", name, cname, label, target)
}

// fieldLabels are the strings of the checked fields.
var fieldLabels = map[string]string{"partner_id": "Customer", "partner_invoice_id": "Invoice Address", "partner_shipping_id": "Delivery Address",
	"pricelist_id": "Pricelist", "warehouse_id": "Warehouse", "product_id": "Product", "tax_id": "Taxes", "tax_ids": "Taxes", "journal_id": "Journal"}

// SecondCompanyName is the second company of the recordings of companies.
const SecondCompanyName = "Company B (multi-company check)"

// seedSecondCompany adds company name beside the first, with a chart
// like the first's (its taxes and journals, sharing the first's accounts),
// a warehouse and, when pricelists are on, a pricelist; the API user is
// allowed in both, the first staying the default.
func seedSecondCompany(s seeder, name string, fresh bool) {
	first := s.t.rec("res.company", 1)
	partner := s.add("res.partner", map[string]any{"name": name, "is_company": true, "country_id": first["country_id"]})
	id := s.add("res.company", map[string]any{"name": name, "currency_id": first["currency_id"], "partner_id": partner,
		"country_id": first["country_id"]})
	s.t.rec("res.partner", partner)["company_id"] = id
	for _, u := range []int64{superUser, apiUser} {
		s.t.rec("res.users", u)["company_ids"] = []int64{1, id}
	}
	taxes := s.t.model("account.tax")
	for _, tid := range s.t.sortedIDs(taxes) {
		if tr := taxes.records[tid]; asInt(tr["company_id"]) == 1 {
			vals := map[string]any{"company_id": id}
			for k, v := range tr {
				if f := taxes.fields[k]; f != nil && !f.computed && f.typ != "one2many" && f.typ != "many2many" && k != "company_id" {
					vals[k] = v
				}
			}
			s.add("account.tax", vals)
		}
	}
	journals := s.t.model("account.journal")
	for _, jid := range s.t.sortedIDs(journals) {
		jr := journals.records[jid]
		if asInt(jr["company_id"]) != 1 {
			continue
		}
		nid := s.add("account.journal", map[string]any{"name": jr["name"], "code": jr["code"], "type": jr["type"], "company_id": id})
		nr := s.t.rec("account.journal", nid)
		nr["default_account_id"], nr["suspense_account_id"] = jr["default_account_id"], jr["suspense_account_id"]
		if jr["type"] == "bank" || jr["type"] == "cash" {
			s.t.addPaymentMethodLine(nid, jr["code"] == "BNK1")
		}
	}
	view := s.add("stock.location", map[string]any{"name": "WH2", "usage": "view", "location_id": int64(1)})
	stock := s.add("stock.location", map[string]any{"name": "Stock", "usage": "internal", "location_id": view})
	wh := s.add("stock.warehouse", map[string]any{"name": name, "code": "WH2", "lot_stock_id": stock, "company_id": id})
	s.t.rec("stock.location", stock)["warehouse_id"] = wh
	if !fresh {
		s.add("product.pricelist", map[string]any{"name": "Default EUR pricelist", "company_id": id})
	}
}
