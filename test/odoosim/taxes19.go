package odoosim

import (
	"math"
	"slices"
)

// Odoo 19's taxes computation (account/models/account_tax.py), for percent
// taxes included in the price or not, as sale orders and invoices use it:
// _get_tax_details gives each line's raw amounts (rounded at once under
// round_per_line), _round_base_lines_tax_details rounds them and spreads
// the rounding differences of the document over its lines
// (_round_tax_details_tax_amounts per tax, then _round_tax_details_base_lines
// on the untaxed amount, or on the total when every taxed line has only
// price-included taxes), and _get_tax_totals_summary sums them. Floats are
// handled as Python does, so that sums which are zero on paper but not in
// binary lead where Odoo's lead.

// tax19 is one tax of a line, in the order Odoo evaluates them.
type tax19 struct {
	id      int64
	rate    float64
	include bool
}

// taxData19 is a tax's share of a line.
type taxData19 struct {
	id                         int64
	include                    bool
	rawBase, rawTax, base, tax float64
	extraBaseForTax, extraBase float64
	computed                   bool
}

// baseLine19 is a line's tax_details.
type baseLine19 struct {
	rawExcluded, rawIncluded float64
	excluded, delta          float64
	taxes                    []*taxData19
}

// pyRound is float_round(v, precision_rounding=0.01) of Odoo 19
// (odoo/tools/float_utils.py): scaled by the inverted factor, nudged by an
// epsilon, rounded half to even as Python's round.
func pyRound(v float64) float64 {
	if v == 0 {
		return 0
	}
	n := v * 100
	eps := math.Pow(2, math.Log2(math.Abs(n))-50)
	return math.RoundToEven(n+math.Copysign(eps, n)) / 100
}

// pyIsZero is float_is_zero at 2 digits.
func pyIsZero(v float64) bool { return v == 0 || math.Abs(pyRound(v)) < 0.01 }

// sortedTaxes are a line's taxes in evaluation order (sequence, id).
func (t *tx) sortedTaxes(ids []int64) []tax19 {
	var recs []Record
	for _, id := range ids {
		if r := t.rec("account.tax", id); r != nil {
			recs = append(recs, r)
		}
	}
	t.sortRecords(t.model("account.tax"), recs, "sequence, id")
	out := make([]tax19, 0, len(recs))
	for _, r := range recs {
		out = append(out, tax19{asInt(r["id"]), toFloat(r["amount"]), truthy(t.get(t.model("account.tax"), r, "price_include"))})
	}
	return out
}

// taxDetails19 is _add_tax_details_in_base_line: _get_tax_details on the
// price after discount.
func taxDetails19(price, qty, discount float64, taxes []tax19, perLine bool) baseLine19 {
	raw := qty * (price * (1 - discount/100))
	if perLine {
		raw = pyRound(raw)
	}
	// batches: neighbours alike in price_include (every tax here is a
	// percent tax not affecting the base of the others)
	batchOf := make([][]int, len(taxes))
	for i := len(taxes) - 1; i >= 0; {
		j := i
		for j > 0 && taxes[j-1].include == taxes[i].include {
			j--
		}
		var batch []int
		for k := j; k <= i; k++ {
			batch = append(batch, k)
		}
		for _, k := range batch {
			batchOf[k] = batch
		}
		i = j - 1
	}
	data := make([]*taxData19, len(taxes))
	for i, x := range taxes {
		data[i] = &taxData19{id: x.id, include: x.include}
	}
	set := func(i int, amount float64) {
		if perLine {
			amount = pyRound(amount)
		}
		data[i].tax, data[i].computed = amount, true
		if !taxes[i].include {
			return
		}
		// _propagate_extra_taxes_base: an included tax comes off the base of
		// the taxes outside its batch
		for k := range taxes {
			if slices.Contains(batchOf[i], k) {
				continue
			}
			if !data[k].computed {
				data[k].extraBaseForTax -= amount
			}
			data[k].extraBase -= amount
		}
	}
	for i := len(taxes) - 1; i >= 0; i-- {
		if taxes[i].include {
			total := 0.0
			for _, k := range batchOf[i] {
				total += taxes[k].rate
			}
			total /= 100
			factor := 0.0
			if total != -1 {
				factor = 1 / (1 + total)
			}
			set(i, (raw+data[i].extraBaseForTax)*factor*taxes[i].rate/100)
		}
	}
	for i := range taxes {
		if !taxes[i].include {
			set(i, (raw+data[i].extraBaseForTax)*taxes[i].rate/100)
		}
	}
	for i := len(taxes) - 1; i >= 0; i-- {
		base := raw + data[i].extraBase
		if taxes[i].include {
			for _, k := range batchOf[i] {
				base -= data[k].tax
			}
		}
		data[i].rawBase = base
	}
	l := baseLine19{rawExcluded: raw, rawIncluded: raw}
	if len(data) > 0 {
		l.rawExcluded = data[0].rawBase
		l.rawIncluded = l.rawExcluded
		for _, d := range data {
			l.rawIncluded += d.tax
		}
	}
	if perLine {
		l.rawExcluded, l.rawIncluded = pyRound(l.rawExcluded), pyRound(l.rawIncluded)
	}
	for _, d := range data {
		d.rawTax = d.tax
		if perLine {
			d.rawBase = pyRound(d.rawBase)
		}
	}
	l.taxes = data
	return l
}

// distribute19 is _distribute_delta_amount_smoothly at 2 digits.
func distribute19(delta float64, factors []float64) []float64 {
	out := make([]float64, len(factors))
	if pyIsZero(delta) || len(factors) == 0 {
		return out
	}
	sign := 1.0
	if delta < 0 {
		sign = -1
	}
	errors := math.RoundToEven(math.Abs(delta / 0.01))
	remaining := errors
	type factor struct {
		i int
		f float64
	}
	fs := make([]factor, len(factors))
	sum := 0.0
	for i, f := range factors {
		fs[i] = factor{i, math.Abs(f)}
	}
	slices.SortStableFunc(fs, func(a, b factor) int {
		switch {
		case a.f > b.f:
			return -1
		case a.f < b.f:
			return 1
		}
		return 0
	})
	for _, f := range fs {
		sum += f.f
	}
	for k := range fs {
		if sum != 0 {
			fs[k].f /= sum
		} else {
			fs[k].f = 1 / float64(len(fs))
		}
	}
	for _, f := range fs {
		if remaining == 0 {
			break
		}
		n := min(math.RoundToEven(f.f*errors), remaining)
		remaining -= n
		out[f.i] += sign * n * 0.01
	}
	for k := 0; k < int(remaining); k++ {
		out[fs[k].i] += sign * 0.01
	}
	return out
}

// round19 is _round_base_lines_tax_details for lines of one document (one
// currency, all invoices or all refunds).
func round19(lines []*baseLine19) {
	for _, l := range lines {
		l.excluded, l.delta = pyRound(l.rawExcluded), 0
		for _, d := range l.taxes {
			d.base, d.tax = pyRound(d.rawBase), pyRound(d.rawTax)
		}
	}
	// _round_tax_details_tax_amounts, mode mixed: per tax
	type key struct {
		id      int64
		include bool
	}
	var keys []key
	groups := map[key][]*taxData19{}
	for _, l := range lines {
		for _, d := range l.taxes {
			k := key{d.id, d.include}
			if _, seen := groups[k]; !seen {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], d)
		}
	}
	for _, k := range keys {
		ds := groups[k]
		var rawTax, tax, rawBase, base float64
		for _, d := range ds {
			rawTax += d.rawTax
			tax += d.tax
			rawBase += d.rawBase
			base += d.base
		}
		deltaTax := pyRound(rawTax) - tax
		if !pyIsZero(deltaTax) {
			var fs []float64
			for _, d := range ds {
				fs = append(fs, d.rawTax)
			}
			for i, a := range distribute19(deltaTax, fs) {
				ds[i].tax += a
			}
		}
		var deltaBase float64
		if k.include {
			deltaBase = pyRound(rawBase+rawTax) - (base + tax + deltaTax)
		} else {
			deltaBase = pyRound(rawBase) - base
		}
		if !pyIsZero(deltaBase) {
			var fs []float64
			for _, d := range ds {
				fs = append(fs, d.rawBase)
			}
			for i, a := range distribute19(deltaBase, fs) {
				ds[i].base += a
			}
		}
	}
	// _round_tax_details_base_lines, mode mixed: on the untaxed amount, or
	// on the total when no line has a tax excluded from its price
	included := true
	for _, l := range lines {
		for _, d := range l.taxes {
			included = included && d.include
		}
	}
	// summed as _aggregate_base_lines_aggregated_values does: per line,
	// then over the lines
	var rawExcluded, excluded, rawTax, tax float64
	var fs []float64
	for _, l := range lines {
		rawExcluded += l.rawExcluded
		excluded += l.excluded + l.delta
		lineRaw, lineTax := 0.0, 0.0
		for _, d := range l.taxes {
			lineRaw += d.rawTax
			lineTax += d.tax
		}
		rawTax += lineRaw
		tax += lineTax
		if included {
			fs = append(fs, l.rawIncluded)
		} else {
			fs = append(fs, l.rawExcluded)
		}
	}
	raw, rounded := rawExcluded, excluded
	if included {
		raw, rounded = rawExcluded+rawTax, excluded+tax
	}
	if raw == 0 {
		return
	}
	for i, a := range distribute19(pyRound(raw)-rounded, fs) {
		lines[i].delta += a
	}
}

// totals19 are _get_tax_totals_summary's base, tax and total amounts.
func totals19(lines []*baseLine19) [3]float64 {
	round19(lines)
	// the taxed lines and the others are two groups, summed in the order
	// they come
	var groups [2]struct{ base, tax float64 }
	var order []int
	for _, l := range lines {
		g := 0
		if len(l.taxes) == 0 {
			g = 1
		}
		if !slices.Contains(order, g) {
			order = append(order, g)
		}
		lineTax := 0.0
		for _, d := range l.taxes {
			lineTax += d.tax
		}
		groups[g].base += l.excluded + l.delta
		groups[g].tax += lineTax
	}
	var base, tax float64
	for _, g := range order {
		base += groups[g].base
		tax += groups[g].tax
	}
	return [3]float64{round2(base), round2(tax), round2(base + tax)}
}

// lineTotals19 are a line's price_subtotal, price_tax and price_total: the
// line rounded on its own, its total being its rounded untaxed amount and
// taxes (sale_order_line.py and account_move_line.py _compute_amount).
func lineTotals19(l baseLine19) [3]float64 {
	lines := []*baseLine19{&l}
	round19(lines)
	sub, total := l.excluded, l.excluded
	for _, d := range l.taxes {
		total += pyRound(d.rawTax)
	}
	return [3]float64{round2(sub), round2(total - sub), round2(total)}
}
