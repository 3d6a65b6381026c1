package odoosim

import (
	"fmt"
	"slices"
	"strings"
)

// Static defaults, applied on create for fields not given.
var defaults = map[string]func(t *tx) map[string]any{
	"res.partner": func(*tx) map[string]any { return map[string]any{"active": true, "type": "contact"} },
	"res.company": func(t *tx) map[string]any {
		// the account module's default for a new company
		method := "round_per_line"
		if t.db.version >= 19 {
			method = "round_globally"
		}
		return map[string]any{"tax_calculation_rounding_method": method, "stock_move_sms_validation": true, "stock_confirmation_type": "sms"}
	},
	"product.template": func(t *tx) map[string]any {
		d := map[string]any{"active": true, "sale_ok": true, "purchase_ok": true, "type": "consu", "detailed_type": "consu",
			"invoice_policy": "order", "uom_id": int64(1), "categ_id": int64(1)}
		if ids, _ := t.search(t.model("account.tax"), []any{[]any{"type_tax_use", "=", "sale"}}, 0, 1, ""); len(ids) > 0 {
			d["taxes_id"] = ids
		}
		return d
	},
	"product.product": func(*tx) map[string]any { return map[string]any{"active": true} },
	"account.tax": func(*tx) map[string]any {
		return map[string]any{"active": true, "amount_type": "percent", "type_tax_use": "sale", "sequence": int64(1)}
	},
	"account.journal":        func(*tx) map[string]any { return map[string]any{"active": true, "sequence": int64(10)} },
	"product.pricelist":      func(t *tx) map[string]any { return map[string]any{"active": true, "currency_id": t.companyCurrency()} },
	"product.pricelist.item": func(*tx) map[string]any { return map[string]any{"applied_on": "3_global", "compute_price": "fixed"} },
	"stock.location":         func(*tx) map[string]any { return map[string]any{"active": true, "usage": "internal"} },
	"sale.order.line":        func(*tx) map[string]any { return map[string]any{"product_uom_qty": 1.0} },
	// Odoo computes it: product, for every line the simulator keeps
	"account.move.line": func(*tx) map[string]any { return map[string]any{"display_type": "product"} },
	"account.move": func(t *tx) map[string]any {
		return map[string]any{"state": "draft", "move_type": "entry", "date": t.today(), "currency_id": t.companyCurrency(), "company_id": t.currentCompany()}
	},
	"sale.advance.payment.inv": func(*tx) map[string]any {
		return map[string]any{"advance_payment_method": "delivered", "consolidated_billing": true}
	},
}

func (t *tx) today() string { return t.now()[:10] }

// companyCurrency is the main company's currency.
func (t *tx) companyCurrency() int64 { return asInt(t.val("res.company", 1, "currency_id")) }

func (t *tx) nextName(prefix string) string {
	t.db.seq[prefix]++
	return fmt.Sprintf(prefix, t.db.seq[prefix])
}

func (t *tx) ctxIDs(model string) []int64 {
	if t.ctx["active_model"] != model {
		return nil
	}
	ids, _ := toIDs(t.ctx["active_ids"])
	return ids
}

var onCreate map[string]func(t *tx, r Record, vals map[string]any) error

func init() {
	onCreate = map[string]func(t *tx, r Record, vals map[string]any) error{
		"product.template": func(t *tx, r Record, vals map[string]any) error {
			syncDetailedType(t, r, vals)
			if _, given := vals["attribute_line_ids"]; given {
				return syncVariants(t, r)
			}
			if _, given := vals["product_variant_ids"]; !given {
				_, err := t.create(t.model("product.product"), map[string]any{"product_tmpl_id": r["id"]})
				return err
			}
			return nil
		},
		"sale.order": func(t *tx, r Record, vals map[string]any) error {
			// Odoo takes the next number only when no name is given.
			if name, _ := vals["name"].(string); name == "" || name == "New" {
				r["name"] = t.nextName("S%05d")
			}
			r["state"] = "draft"
			addr := t.addressGet(asInt(r["partner_id"]))
			for f, kind := range map[string]string{"partner_invoice_id": "invoice", "partner_shipping_id": "delivery"} {
				if asInt(r[f]) == 0 {
					r[f] = addr[kind]
				}
			}
			// the first pricelist, if any (a fresh database has none), and its
			// currency, else the company's
			if asInt(r["company_id"]) == 0 {
				r["company_id"] = t.currentCompany()
			}
			company := asInt(r["company_id"])
			currency, pricelist := t.companyCurrency(), t.firstOf("product.pricelist", company)
			if pricelist != 0 {
				currency = asInt(t.val("product.pricelist", pricelist, "currency_id"))
			}
			if p := asInt(r["pricelist_id"]); p != 0 {
				currency = asInt(t.val("product.pricelist", p, "currency_id"))
			}
			for f, v := range map[string]any{"date_order": t.now(), "currency_id": currency, "user_id": int64(2),
				"warehouse_id": t.firstOf("stock.warehouse", company), "pricelist_id": pricelist, "team_id": int64(1)} {
				if !truthy(r[f]) && v != int64(0) {
					r[f] = v
				}
			}
			return nil
		},
		"sale.order.line": func(t *tx, r Record, vals map[string]any) error {
			pid := asInt(r["product_id"])
			if pid == 0 {
				return nil
			}
			if _, ok := vals["name"]; !ok {
				r["name"] = t.displayName(t.model("product.product"), pid)
			}
			if _, ok := vals["price_unit"]; !ok {
				r["price_unit"] = toFloat(t.val("product.product", pid, "lst_price"))
			}
			if tf := taxField(t.db.version); vals[tf] == nil {
				r[tf] = slices.Clone(idList(t.val("product.product", pid, "taxes_id")))
			}
			if uf := uomField(t.db.version); vals[uf] == nil {
				r[uf] = t.val("product.product", pid, "uom_id")
			}
			if t.val("sale.order", asInt(r["order_id"]), "state") == "sale" {
				return userError("The simulator does not add lines to confirmed orders.")
			}
			return nil
		},
		"account.move": func(t *tx, r Record, _ map[string]any) error {
			if r["move_type"] != "entry" && asInt(r["journal_id"]) == 0 {
				r["journal_id"] = t.journal("sale", asInt(r["company_id"]))
			}
			if t.db.version == 17 && r["move_type"] != "entry" && r["name"] == nil {
				r["name"] = t.moveName(r) // Odoo 17 numbers drafts already
			}
			t.linkInvoiceLines(asInt(r["id"]))
			return nil
		},
		"sale.advance.payment.inv": func(t *tx, r Record, vals map[string]any) error {
			if _, ok := vals["sale_order_ids"]; !ok {
				r["sale_order_ids"] = t.ctxIDs("sale.order")
			}
			return nil
		},
		"account.payment.register": paymentRegisterDefaults,
		"stock.backorder.confirmation": func(t *tx, r Record, vals map[string]any) error {
			// default_get makes a line to backorder for each transfer the
			// context's default_pick_ids gives
			if _, given := vals["backorder_confirmation_line_ids"]; given || t.ctx["default_pick_ids"] == nil {
				return nil
			}
			for _, p := range idList(r["pick_ids"]) {
				if _, err := t.create(t.model("stock.backorder.confirmation.line"), map[string]any{"backorder_confirmation_id": r["id"],
					"picking_id": p, "to_backorder": true}); err != nil {
					return err
				}
			}
			return nil
		},
		"account.bank.statement.line": createStatementLine,
		"account.journal":             createJournal,
		"account.move.reversal": func(t *tx, r Record, vals map[string]any) error {
			if _, ok := vals["move_ids"]; !ok {
				r["move_ids"] = t.ctxIDs("account.move")
			}
			for _, id := range idList(r["move_ids"]) {
				if t.val("account.move", id, "state") != "posted" {
					return userError("You can only reverse posted moves.")
				}
			}
			if r["date"] == nil {
				r["date"] = t.today()
			}
			return nil
		},
	}
}

var onWrite map[string]func(t *tx, r Record, vals map[string]any) error

// afterWrite hooks run once the values are written.
var afterWrite map[string]func(t *tx, r Record, vals map[string]any) error

func init() {
	afterWrite = map[string]func(t *tx, r Record, vals map[string]any) error{
		"product.template": func(t *tx, r Record, vals map[string]any) error {
			if _, given := vals["attribute_line_ids"]; given {
				return syncVariants(t, r)
			}
			return nil
		},
	}
}

func init() {
	onWrite = map[string]func(t *tx, r Record, vals map[string]any) error{
		"product.template": func(t *tx, r Record, vals map[string]any) error {
			syncDetailedType(t, r, vals)
			return nil
		},
		"res.company": func(t *tx, r Record, vals map[string]any) error {
			// a company's currency is activated (base/models/res_company.py write)
			if c := asInt(vals["currency_id"]); c != 0 {
				if cur := t.rec("res.currency", c); cur != nil && cur["active"] == false {
					t.touch(t.model("res.currency"), c)["active"] = true
				}
			}
			return nil
		},
		"sale.order": func(t *tx, r Record, vals map[string]any) error {
			if _, ok := vals["order_line"]; ok && r["state"] == "sale" {
				return userError("The simulator does not change lines of confirmed orders.")
			}
			return nil
		},
		"account.move": func(t *tx, r Record, vals map[string]any) error {
			if r["state"] == "posted" {
				for k := range vals {
					if k != "ref" && k != "payment_reference" {
						return userError("You cannot modify a posted entry of this journal.")
					}
				}
			}
			return nil
		},
	}
}

// syncDetailedType keeps Odoo 17's type and detailed_type in step.
func syncDetailedType(t *tx, r Record, vals map[string]any) {
	if t.db.version != 17 {
		return
	}
	if v, ok := vals["detailed_type"]; ok {
		r["type"] = v
	} else if v, ok := vals["type"]; ok {
		r["detailed_type"] = v
	}
}

var onUnlink map[string]func(t *tx, r Record) error

func init() {
	onUnlink = map[string]func(t *tx, r Record) error{
		"sale.order": func(t *tx, r Record) error {
			if r["state"] != "draft" && r["state"] != "cancel" {
				return userError("You can not delete a sent quotation or a confirmed sales order. You must first cancel it.")
			}
			return t.unlink(t.model("sale.order.line"), idList(r["order_line"]))
		},
		"account.move": func(t *tx, r Record) error {
			if r["state"] == "posted" {
				return userError("You cannot delete an entry which has been posted once.")
			}
			return nil
		},
	}
}

func taxField(v int) string {
	if v >= 19 {
		return "tax_ids"
	}
	return "tax_id"
}

func uomField(v int) string {
	if v >= 19 {
		return "product_uom_id"
	}
	return "product_uom"
}

// constrain checks the SQL and Python constraints of a record.
// barcodeHolders are the products that may hold barcode bc, now or since
// this transaction began, with id among them: an index made on first use in
// a transaction, so that a call writing many variants reads the products once.
func (t *tx) barcodeHolders(m *model, bc string, id int64) []int64 {
	if t.barcodes == nil {
		t.barcodes = map[string][]int64{}
		for oid, o := range m.records {
			if b := asString(o["barcode"]); b != "" {
				t.barcodes[b] = append(t.barcodes[b], oid)
			}
		}
	}
	if !slices.Contains(t.barcodes[bc], id) {
		t.barcodes[bc] = append(t.barcodes[bc], id)
	}
	return t.barcodes[bc]
}

func (t *tx) constrain(m *model, r Record) error {
	if err := t.checkCompany(m, r); err != nil {
		return err
	}
	switch m.name {
	case "product.product":
		bc := asString(r["barcode"])
		if bc == "" {
			return nil
		}
		same := func(o Record) bool { return o["barcode"] == bc && o["active"] != false }
		n := 0
		for _, id := range t.barcodeHolders(m, bc, asInt(r["id"])) {
			if o := m.records[id]; o != nil && same(o) {
				n++
			}
		}
		if n > 1 { // sorted only then: large catalogues are created one product at a time
			var names []string
			for _, id := range t.sortedIDs(m) {
				if same(m.records[id]) {
					names = append(names, t.displayName(m, id))
				}
			}
			return validationError("Barcode(s) already assigned:\n\n- Barcode %q already assigned to product(s): %s\n\nNote: products that you don't have access to will not be shown above.", bc, t.formatList(names))
		}
	case "res.partner":
		if r["type"] == "contact" && asString(r["name"]) == "" {
			return validationError("Contacts require a name")
		}
	case "ir.model.data":
		for id, o := range m.records {
			if id != r["id"] && o["module"] == r["module"] && o["name"] == r["name"] {
				return validationError("The operation cannot be completed: duplicate key value violates unique constraint \"ir_model_data_module_name_uniq_index\"\nDETAIL:  Key (module, name)=(%s, %s) already exists.", r["module"], r["name"])
			}
		}
	case "res.country.state":
		for id, o := range m.records {
			if id != r["id"] && o["country_id"] == r["country_id"] && o["code"] == r["code"] {
				return validationError("The code of the state must be unique by country!")
			}
		}
	}
	return nil
}

func (t *tx) sortedIDs(m *model) []int64 {
	ids := make([]int64, 0, len(m.records))
	for id := range m.records {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// formatList joins names as the server's locale helpers do.
func (t *tx) formatList(names []string) string {
	if t.db.version == 17 || len(names) < 2 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// addressGet mirrors res.partner.address_get: the first child of each type,
// the partner itself otherwise.
func (t *tx) addressGet(pid int64) map[string]any {
	out := map[string]any{}
	pm := t.model("res.partner")
	for _, kind := range []string{"contact", "invoice", "delivery", "other"} {
		out[kind] = pid
		for _, c := range idList(pm.records[pid]["child_ids"]) {
			if pm.records[c]["type"] == kind && pm.records[c]["active"] != false {
				out[kind] = c
				break
			}
		}
	}
	return out
}

// ---- computed fields ---------------------------------------------------------------

func (db *database) registerComputes() {
	c := map[string]map[string]func(t *tx, r Record) any{}
	set := func(model, field string, fn func(t *tx, r Record) any) {
		if c[model] == nil {
			c[model] = map[string]func(t *tx, r Record) any{}
		}
		c[model][field] = fn
	}
	set("res.partner", "display_name", func(t *tx, r Record) any {
		name := asString(r["name"])
		if p := asInt(r["parent_id"]); p != 0 {
			parent := t.displayName(t.model("res.partner"), p)
			if name == "" {
				return parent
			}
			return parent + ", " + name
		}
		return name
	})
	set("res.partner", "complete_name", c["res.partner"]["display_name"])
	// As stock_delivery's fixed and rule-based carriers do; on 17 they have
	// no tracking_url and give no link.
	set("stock.picking", "carrier_tracking_url", func(t *tx, r Record) any {
		if db.models["delivery.carrier"] == nil || db.version == 17 {
			return false
		}
		carrier, ref := asInt(r["carrier_id"]), asString(r["carrier_tracking_ref"])
		url := asString(t.model("delivery.carrier").records[carrier]["tracking_url"])
		if carrier == 0 || ref == "" || url == "" {
			return false
		}
		return strings.ReplaceAll(url, "<shipmenttrackingnumber>", ref)
	})
	set("res.partner", "commercial_partner_id", func(t *tx, r Record) any {
		for r["parent_id"] != nil && asInt(r["parent_id"]) != 0 && r["is_company"] != true {
			r = t.rec("res.partner", asInt(r["parent_id"]))
		}
		return r["id"]
	})
	productName := func(t *tx, r Record) any {
		name := asString(t.val("product.template", asInt(r["product_tmpl_id"]), "name"))
		var vals []string
		for _, v := range idList(r["product_template_attribute_value_ids"]) {
			vals = append(vals, asString(t.val("product.template.attribute.value", v, "name")))
		}
		if len(vals) > 0 {
			name += " (" + strings.Join(vals, ", ") + ")"
		}
		if code := asString(r["default_code"]); code != "" {
			return "[" + code + "] " + name
		}
		return name
	}
	set("product.product", "display_name", productName)
	set("product.template", "display_name", func(t *tx, r Record) any {
		if code := asString(r["default_code"]); code != "" {
			return "[" + code + "] " + asString(r["name"])
		}
		if v := idList(r["product_variant_ids"]); len(v) == 1 {
			if code := asString(t.val("product.product", v[0], "default_code")); code != "" {
				return "[" + code + "] " + asString(r["name"])
			}
		}
		return r["name"]
	})
	set("product.product", "price_extra", func(t *tx, r Record) any {
		sum := 0.0
		for _, v := range idList(r["product_template_attribute_value_ids"]) {
			sum += toFloat(t.val("product.template.attribute.value", v, "price_extra"))
		}
		return sum
	})
	set("product.product", "lst_price", func(t *tx, r Record) any {
		return toFloat(t.val("product.template", asInt(r["product_tmpl_id"]), "list_price")) + toFloat(c["product.product"]["price_extra"](t, r))
	})
	set("product.product", "qty_available", func(t *tx, r Record) any { return t.onHand(asInt(r["id"])) })
	set("product.product", "free_qty", func(t *tx, r Record) any { return t.onHand(asInt(r["id"])) - t.reserved(asInt(r["id"])) })
	set("product.product", "virtual_available", func(t *tx, r Record) any { return t.onHand(asInt(r["id"])) + t.planned(asInt(r["id"])) })
	set("product.category", "complete_name", func(t *tx, r Record) any {
		if p := asInt(r["parent_id"]); p != 0 {
			return asString(t.val("product.category", p, "complete_name")) + " / " + asString(r["name"])
		}
		return r["name"]
	})
	set("product.category", "display_name", c["product.category"]["complete_name"])
	set("product.template", "qty_available", func(t *tx, r Record) any {
		sum := 0.0
		for _, v := range idList(r["product_variant_ids"]) {
			sum += t.onHand(v)
		}
		return sum
	})
	ptav := func(f string) func(t *tx, r Record) any {
		return func(t *tx, r Record) any {
			line := t.rec("product.template.attribute.line", asInt(r["attribute_line_id"]))
			switch f {
			case "name":
				return t.val("product.attribute.value", asInt(r["product_attribute_value_id"]), "name")
			case "attribute_id":
				return line["attribute_id"]
			}
			return line["product_tmpl_id"]
		}
	}
	for _, f := range []string{"name", "attribute_id", "product_tmpl_id"} {
		set("product.template.attribute.value", f, ptav(f))
	}
	set("stock.location", "complete_name", func(t *tx, r Record) any {
		if p := asInt(r["location_id"]); p != 0 && r["usage"] != "view" { // as Odoo: a view location starts the name
			return asString(t.val("stock.location", p, "complete_name")) + "/" + asString(r["name"])
		}
		return r["name"]
	})
	set("stock.location", "display_name", c["stock.location"]["complete_name"])
	set("res.currency", "decimal_places", func(*tx, Record) any { return int64(2) })
	set("ir.module.module", "display_name", func(_ *tx, r Record) any { return r["shortdesc"] }) // its _rec_name
	set("ir.model.data", "complete_name", func(_ *tx, r Record) any { return asString(r["module"]) + "." + asString(r["name"]) })
	if db.version >= 18 {
		set("account.tax", "price_include", func(_ *tx, r Record) any { return r["price_include_override"] == "tax_included" })
	}

	db.registerTaxComputes(set)
	set("sale.order.line", "state", func(t *tx, r Record) any { return t.val("sale.order", asInt(r["order_id"]), "state") })
	set("sale.order.line", "qty_invoiced", func(t *tx, r Record) any { return t.qtyInvoiced(r) })
	set("sale.order.line", "qty_to_invoice", func(t *tx, r Record) any { return t.qtyToInvoice(r) })
	set("sale.order.line", "invoice_status", func(t *tx, r Record) any { return t.lineInvoiceStatus(r) })
	set("sale.order", "display_name", func(_ *tx, r Record) any { return r["name"] })
	set("product.pricelist", "display_name", func(t *tx, r Record) any {
		return fmt.Sprintf("%s (%s)", r["name"], t.val("res.currency", asInt(r["currency_id"]), "name"))
	})
	set("sale.order", "invoice_status", func(t *tx, r Record) any { return t.orderInvoiceStatus(r) })
	set("sale.order", "delivery_status", func(t *tx, r Record) any { return t.deliveryStatus(r) })
	set("sale.order", "invoice_ids", func(t *tx, r Record) any { return t.orderInvoices(r) })
	set("sale.order", "invoice_count", func(t *tx, r Record) any { return int64(len(t.orderInvoices(r))) })
	set("account.move", "line_ids", func(_ *tx, r Record) any { return r["invoice_line_ids"] })
	set("account.move", "amount_residual", func(t *tx, r Record) any { return t.residual(r) })
	set("account.move", "payment_state", func(t *tx, r Record) any { return t.paymentState(r) })
	set("account.move", "display_name", func(t *tx, r Record) any { return t.moveDisplayName(r) })
	db.registerAccountingComputes(set)
	db.computes = c
}

func (t *tx) isGoods(pid int64) bool {
	return t.val("product.product", pid, "type") != "service"
}

func (t *tx) isStorable(pid int64) bool {
	if t.db.version == 17 {
		return t.val("product.product", pid, "type") == "product"
	}
	return truthy(t.val("product.product", pid, "is_storable"))
}

func (t *tx) moveLinesOf(r Record) []Record {
	var out []Record
	for _, l := range idList(r["invoice_lines"]) {
		ml := t.rec("account.move.line", l)
		if ml == nil {
			continue
		}
		if mv := t.rec("account.move", asInt(ml["move_id"])); mv != nil && mv["state"] != "cancel" {
			out = append(out, ml)
		}
	}
	return out
}

func (t *tx) qtyInvoiced(r Record) float64 {
	sum := 0.0
	for _, ml := range t.moveLinesOf(r) {
		q := toFloat(ml["quantity"])
		if t.val("account.move", asInt(ml["move_id"]), "move_type") == "out_refund" {
			q = -q
		}
		sum += q
	}
	return sum
}

func (t *tx) qtyToInvoice(r Record) float64 {
	if t.val("sale.order", asInt(r["order_id"]), "state") != "sale" || r["display_type"] != nil {
		return 0
	}
	qty := toFloat(r["product_uom_qty"])
	if t.val("product.product", asInt(r["product_id"]), "invoice_policy") == "delivery" {
		qty = toFloat(r["qty_delivered"])
	}
	return qty - t.qtyInvoiced(r)
}

func (t *tx) lineInvoiceStatus(r Record) string {
	switch {
	case t.val("sale.order", asInt(r["order_id"]), "state") != "sale":
		return "no"
	case t.qtyToInvoice(r) > 0.0001:
		return "to invoice"
	case t.qtyInvoiced(r) >= toFloat(r["product_uom_qty"]):
		return "invoiced"
	}
	return "no"
}

func (t *tx) orderInvoiceStatus(r Record) string {
	if r["state"] != "sale" {
		return "no"
	}
	all := true
	for _, l := range idList(r["order_line"]) {
		switch t.lineInvoiceStatus(t.rec("sale.order.line", l)) {
		case "to invoice":
			return "to invoice"
		case "no":
			all = false
		}
	}
	if all && len(idList(r["order_line"])) > 0 {
		return "invoiced"
	}
	return "no"
}

func (t *tx) deliveryStatus(r Record) any {
	var done, open int
	for _, p := range idList(r["picking_ids"]) {
		switch t.val("stock.picking", p, "state") {
		case "done":
			done++
		case "cancel":
		default:
			open++
		}
	}
	switch {
	case done == 0 && open == 0:
		return false
	case open == 0:
		return "full"
	case done > 0:
		return "partial"
	}
	return "pending"
}

func (t *tx) orderInvoices(r Record) []int64 {
	ids := []int64{}
	for _, l := range idList(r["order_line"]) {
		for _, ml := range idList(t.val("sale.order.line", l, "invoice_lines")) {
			if mv := asInt(t.val("account.move.line", ml, "move_id")); mv != 0 && !slices.Contains(ids, mv) {
				ids = append(ids, mv)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// paid returns how much of a move its posted payments settle, allocating a
// grouped payment over its invoices in id order. Moves keep the ids of their
// payments under a key that is no field, so this does not scan all payments.
func (t *tx) paid(moveID int64) float64 {
	sum := 0.0
	for _, pid := range idList(t.rec("account.move", moveID)["_payment_ids"]) {
		pr := t.rec("account.payment", pid)
		if pr == nil || pr["state"] == "draft" || pr["state"] == "cancel" || pr["state"] == "canceled" {
			continue
		}
		left := toFloat(pr["amount"])
		for _, inv := range slices.Sorted(slices.Values(idList(pr["reconciled_invoice_ids"]))) {
			share := min(toFloat(t.val("account.move", inv, "amount_total")), left)
			if inv == moveID {
				sum += share
				break
			}
			left -= share
		}
	}
	return sum
}

func (t *tx) residual(r Record) float64 {
	total := toFloat(t.get(t.model("account.move"), r, "amount_total"))
	return round2(max(total-t.paid(asInt(r["id"])), 0))
}

func (t *tx) paymentState(r Record) string {
	if r["state"] != "posted" || r["move_type"] == "entry" {
		return "not_paid"
	}
	res := t.residual(r)
	total := toFloat(t.get(t.model("account.move"), r, "amount_total"))
	switch {
	case res == 0: // nothing left to pay, even if there never was anything (_compute_payment_state)
		return "paid"
	case res < total:
		return "partial"
	}
	return "not_paid"
}

func (t *tx) onHand(pid int64) float64 { return t.quants(pid, "quantity") }

func (t *tx) reserved(pid int64) float64 { return t.quants(pid, "reserved_quantity") }

// ctxLocations are the locations the context's warehouse or location
// restricts quantities to; nil means every internal location.
func (t *tx) ctxLocations() []int64 {
	if wh := asInt(t.ctx["warehouse"]); wh != 0 {
		return []int64{asInt(t.val("stock.warehouse", wh, "lot_stock_id"))}
	} else if loc := asInt(t.ctx["location"]); loc != 0 {
		return []int64{loc}
	}
	return nil
}

// inside tells whether loc is an internal location the context counts.
func (t *tx) inside(loc int64, locs []int64) bool {
	return t.val("stock.location", loc, "usage") == "internal" && (locs == nil || t.under(loc, locs))
}

// quants sums a stock.quant field of a product over the context's locations.
func (t *tx) quants(pid int64, field string) float64 {
	locs := t.ctxLocations()
	sum := 0.0
	for _, q := range t.model("stock.quant").records {
		if asInt(q["product_id"]) == pid && t.inside(asInt(q["location_id"]), locs) {
			sum += toFloat(q[field])
		}
	}
	return sum
}

// planned is what open moves will bring in less what they will take out.
func (t *tx) planned(pid int64) float64 {
	locs := t.ctxLocations()
	sum := 0.0
	for _, m := range t.model("stock.move").records {
		if asInt(m["product_id"]) != pid || m["state"] == "done" || m["state"] == "cancel" || m["state"] == "draft" {
			continue
		}
		in, out := t.inside(asInt(m["location_dest_id"]), locs), t.inside(asInt(m["location_id"]), locs)
		switch {
		case in && !out:
			sum += toFloat(m["product_uom_qty"])
		case out && !in:
			sum -= toFloat(m["product_uom_qty"])
		}
	}
	return sum
}

func (t *tx) under(loc int64, roots []int64) bool {
	for i := 0; loc != 0 && i < 50; i++ {
		if slices.Contains(roots, loc) {
			return true
		}
		loc = asInt(t.val("stock.location", loc, "location_id"))
	}
	return false
}

func (t *tx) moveName(r Record) string {
	year := t.today()[:4]
	switch r["move_type"] {
	case "out_refund":
		return t.nextName("RINV/" + year + "/%05d")
	case "out_invoice":
		return t.nextName("INV/" + year + "/%05d")
	}
	return t.nextName("MISC/" + year + "/%05d")
}

var draftLabels = map[string]string{"out_invoice": "Draft Invoice", "out_refund": "Draft Credit Note", "in_invoice": "Draft Bill",
	"in_refund": "Draft Vendor Credit Note", "out_receipt": "Draft Sales Receipt", "in_receipt": "Draft Purchase Receipt", "entry": "Draft Entry"}

// moveDisplayName is account.move's _get_move_display_name(show_ref=True):
// a draft says so, a move without a number shows its id (up to 18), and
// the reference follows in parentheses, shortened to 50 characters.
func (t *tx) moveDisplayName(r Record) string {
	name := ""
	if r["state"] == "draft" {
		name = draftLabels[asString(r["move_type"])]
	}
	switch n := asString(r["name"]); {
	case n != "" && n != "/":
		name = strings.TrimSpace(name + " " + n)
	case t.db.version <= 18:
		name = strings.TrimSpace(name + fmt.Sprintf(" (* %d)", r["id"]))
	}
	if ref := asString(r["ref"]); ref != "" {
		name += " (" + shorten(ref, 50) + ")"
	}
	return name
}

// shorten is Python's textwrap.shorten: whitespace collapsed, then words
// dropped from the end until the text fits with " [...]".
func shorten(s string, width int) string {
	words := strings.Fields(s)
	s = strings.Join(words, " ")
	if len([]rune(s)) <= width {
		return s
	}
	for len(words) > 0 {
		words = words[:len(words)-1]
		if out := strings.Join(words, " ") + " [...]"; len([]rune(out)) <= width {
			return out
		}
	}
	return "[...]"
}
