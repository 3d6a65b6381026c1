package odoosim

// Taxes as account.tax computes them for sale order and invoice lines, by
// the company's tax_calculation_rounding_method (account/models/company.py:
// round_per_line by default on 17 and 18, round_globally on 19). Per line,
// the base and each tax are rounded on each line and the document sums them.
// Globally, the lines keep unrounded amounts and the document rounds their
// sums: 17 (account_tax.py compute_all and _compute_taxes) still rounds each
// line's base and rounds each tax's sum; 18 (_add_tax_details_in_base_line,
// _round_base_lines_tax_details) rounds the sum of the bases too. 19 is
// taxes19.go, a port of its account_tax.py.

// taxedLine is a line's base without taxes and its taxes, before the
// document rounds them.
type taxedLine struct {
	excl  float64
	taxes []taxAmount
}

type taxAmount struct {
	id     int64
	amount float64
}

// roundingMethod is the tax_calculation_rounding_method of a company (the
// main one if 0).
func (t *tx) roundingMethod(company int64) string {
	if company == 0 {
		company = 1
	}
	if m := asString(t.val("res.company", company, "tax_calculation_rounding_method")); m != "" {
		return m
	}
	return "round_per_line"
}

func (t *tx) taxLine(price, qty, discount float64, taxIDs []int64, method string) taxedLine {
	perLine := method != "round_globally"
	raw := price * (1 - discount/100) * qty
	if perLine || t.db.version == 17 { // 17's compute_all rounds the base either way
		raw = round2(raw)
	}
	round := func(v float64) float64 {
		if perLine {
			return round2(v)
		}
		return v
	}
	type tax struct {
		id   int64
		rate float64
		incl bool
	}
	var taxes []tax
	inclRate := 0.0
	for _, id := range taxIDs {
		if t.rec("account.tax", id) == nil {
			continue
		}
		x := tax{id, toFloat(t.val("account.tax", id, "amount")), truthy(t.val("account.tax", id, "price_include"))}
		if x.incl {
			inclRate += x.rate
		}
		taxes = append(taxes, x)
	}
	l := taxedLine{excl: raw}
	if inclRate != 0 && t.db.version == 17 {
		// 17 rounds the base without the included taxes; they are the rest
		l.excl = round2(raw / (1 + inclRate/100))
	}
	for _, x := range taxes {
		if !x.incl {
			continue
		}
		amt := round(raw / (1 + inclRate/100) * x.rate / 100)
		if t.db.version == 17 {
			amt = round((raw - l.excl) * x.rate / inclRate)
		} else {
			l.excl -= amt
		}
		l.taxes = append(l.taxes, taxAmount{x.id, amt})
	}
	for _, x := range taxes {
		if !x.incl {
			l.taxes = append(l.taxes, taxAmount{x.id, round(l.excl * x.rate / 100)})
		}
	}
	return l
}

// lineAmounts are a line's price_subtotal, price_tax and price_total
// (monetary fields, so rounded); move says an invoice line.
func (t *tx) lineAmounts(l taxedLine, move bool) [3]float64 {
	sub := round2(l.excl)
	raw, rounded := 0.0, 0.0
	for _, x := range l.taxes {
		raw += x.amount
		rounded += round2(x.amount)
	}
	total := sub + rounded // 17's sale line (_compute_taxes per tax)
	if t.db.version == 18 || t.db.version == 17 && move {
		total = l.excl + raw // 17's compute_all total_included, 18's raw_total_included
	}
	total = round2(total)
	return [3]float64{sub, round2(total - sub), total}
}

// docAmounts are a sale order's or an invoice's untaxed, tax and total
// amounts.
func (t *tx) docAmounts(lines []taxedLine) [3]float64 {
	untaxed, rawExcl := 0.0, 0.0
	perTax := map[int64]float64{}
	var ids []int64
	for _, l := range lines {
		untaxed += round2(l.excl)
		rawExcl += l.excl
		for _, x := range l.taxes {
			if _, seen := perTax[x.id]; !seen {
				ids = append(ids, x.id)
			}
			perTax[x.id] += x.amount
		}
	}
	tax := 0.0
	for _, id := range ids {
		tax += round2(perTax[id])
	}
	if t.db.version != 17 { // 17 sums the lines' rounded bases, 18 rounds the sum
		untaxed = rawExcl
	}
	untaxed, tax = round2(untaxed), round2(tax)
	return [3]float64{untaxed, tax, round2(untaxed + tax)}
}

// amounts are a sale order line's subtotal, tax and total under the main
// company's rounding method.
func (t *tx) amounts(price, qty, discount float64, taxIDs []int64) [3]float64 {
	if t.db.version >= 19 {
		return lineTotals19(taxDetails19(price, qty, discount, t.sortedTaxes(taxIDs), t.roundingMethod(0) != "round_globally"))
	}
	return t.lineAmounts(t.taxLine(price, qty, discount, taxIDs, t.roundingMethod(0)), false)
}

func (t *tx) orderLine(lr Record) taxedLine {
	method := t.roundingMethod(asInt(t.val("sale.order", asInt(lr["order_id"]), "company_id")))
	return t.taxLine(toFloat(lr["price_unit"]), toFloat(lr["product_uom_qty"]), toFloat(lr["discount"]), idList(lr[taxField(t.db.version)]), method)
}

func (t *tx) invoiceLine(lr Record) taxedLine {
	method := t.roundingMethod(asInt(t.val("account.move", asInt(lr["move_id"]), "company_id")))
	return t.taxLine(toFloat(lr["price_unit"]), toFloat(lr["quantity"]), toFloat(lr["discount"]), idList(lr["tax_ids"]), method)
}

// orderLine19 and invoiceLine19 are a line's tax details on 19.
func (t *tx) orderLine19(lr Record) baseLine19 {
	method := t.roundingMethod(asInt(t.val("sale.order", asInt(lr["order_id"]), "company_id")))
	return taxDetails19(toFloat(lr["price_unit"]), toFloat(lr["product_uom_qty"]), toFloat(lr["discount"]),
		t.sortedTaxes(idList(lr[taxField(t.db.version)])), method != "round_globally")
}

func (t *tx) invoiceLine19(lr Record) baseLine19 {
	method := t.roundingMethod(asInt(t.val("account.move", asInt(lr["move_id"]), "company_id")))
	return taxDetails19(toFloat(lr["price_unit"]), toFloat(lr["quantity"]), toFloat(lr["discount"]),
		t.sortedTaxes(idList(lr["tax_ids"])), method != "round_globally")
}

// orderLines and invoiceLines are the priced lines of a sale order and of
// an invoice.
func (t *tx) orderLines(r Record) []Record {
	var out []Record
	for _, l := range idList(r["order_line"]) {
		if lr := t.rec("sale.order.line", l); lr["display_type"] == nil {
			out = append(out, lr)
		}
	}
	return out
}

func (t *tx) invoiceLines(r Record) []Record {
	var out []Record
	for _, l := range idList(r["invoice_line_ids"]) {
		if lr := t.rec("account.move.line", l); lr["display_type"] == nil || lr["display_type"] == "product" {
			out = append(out, lr)
		}
	}
	return out
}

func (db *database) registerTaxComputes(set func(model, field string, fn func(t *tx, r Record) any)) {
	if db.version >= 19 {
		for i, f := range []string{"price_subtotal", "price_tax", "price_total"} {
			set("sale.order.line", f, func(t *tx, r Record) any { return lineTotals19(t.orderLine19(r))[i] })
			if f != "price_tax" {
				set("account.move.line", f, func(t *tx, r Record) any { return lineTotals19(t.invoiceLine19(r))[i] })
			}
		}
		for i, f := range []string{"amount_untaxed", "amount_tax", "amount_total"} {
			set("sale.order", f, func(t *tx, r Record) any {
				var lines []*baseLine19
				for _, lr := range t.orderLines(r) {
					l := t.orderLine19(lr)
					lines = append(lines, &l)
				}
				return totals19(lines)[i]
			})
			set("account.move", f, func(t *tx, r Record) any {
				var lines []*baseLine19
				for _, lr := range t.invoiceLines(r) {
					l := t.invoiceLine19(lr)
					lines = append(lines, &l)
				}
				return totals19(lines)[i]
			})
		}
	} else {
		for i, f := range []string{"price_subtotal", "price_tax", "price_total"} {
			set("sale.order.line", f, func(t *tx, r Record) any { return t.lineAmounts(t.orderLine(r), false)[i] })
			if f != "price_tax" {
				set("account.move.line", f, func(t *tx, r Record) any { return t.lineAmounts(t.invoiceLine(r), true)[i] })
			}
		}
		for i, f := range []string{"amount_untaxed", "amount_tax", "amount_total"} {
			set("sale.order", f, func(t *tx, r Record) any {
				var lines []taxedLine
				for _, lr := range t.orderLines(r) {
					lines = append(lines, t.orderLine(lr))
				}
				return t.docAmounts(lines)[i]
			})
			set("account.move", f, func(t *tx, r Record) any {
				var lines []taxedLine
				for _, lr := range t.invoiceLines(r) {
					lines = append(lines, t.invoiceLine(lr))
				}
				return t.docAmounts(lines)[i]
			})
		}
	}
	// related fields to the company's
	set("sale.order", "tax_calculation_rounding_method", func(t *tx, r Record) any { return t.roundingMethod(asInt(r["company_id"])) })
	set("account.move", "tax_calculation_rounding_method", func(t *tx, r Record) any { return t.roundingMethod(asInt(r["company_id"])) })
	set("sale.order.line", "tax_calculation_rounding_method", func(t *tx, r Record) any {
		return t.roundingMethod(asInt(t.val("sale.order", asInt(r["order_id"]), "company_id")))
	})
	set("account.move.line", "tax_calculation_rounding_method", func(t *tx, r Record) any {
		return t.roundingMethod(asInt(t.val("account.move", asInt(r["move_id"]), "company_id")))
	})
}
