package odoosim

import (
	"strconv"
	"strings"
)

// field is one column of a simulated model. Relational values are stored as
// int64 (many2one, 0 meaning unset) or []int64 (x2many, never mutated in place
// so that a transaction can keep shallow copies for rollback).
type field struct {
	name, typ, rel string
	inverse        string // one2many: the many2one on rel pointing back
	required       bool
	computed       bool // read-only, value from computeFns
	sel            []string
}

type model struct {
	name     string
	fields   map[string]*field
	order    string
	delegate string // _inherits: field holding the parent record (product.product)
	records  map[int64]Record
	nextID   int64
}

// Record is the stored state of one row.
type Record map[string]any

// schemaSrc describes the models, one field per line:
// name type [relation [inverse]] [!required] [~computed] [@17|@-18|@18-|@19]
// [#module: only with that module installed].
var schemaSrc = map[string]string{
	"res.users": "login char ! | name char | partner_id m2o res.partner | company_id m2o res.company | company_ids m2m res.company",
	"res.company": `name char ! | currency_id m2o res.currency | partner_id m2o res.partner | country_id m2o res.country |
		tax_calculation_rounding_method sel=round_per_line,round_globally |
		stock_move_sms_validation boolean @-18 #stock_sms | has_received_warning_stock_sms boolean #stock_sms |
		stock_text_confirmation boolean @19 | stock_confirmation_type sel=sms @19`,
	"res.currency": "name char ! | symbol char | rounding float | decimal_places integer ~ | active boolean",
	"res.partner": `name char | display_name char ~ | complete_name char ~ | email char | phone char | mobile char @-18 |
		street char | street2 char | city char | zip char | country_id m2o res.country | state_id m2o res.country.state |
		ref char | vat char | comment html | lang char | active boolean | is_company boolean |
		type sel=contact,invoice,delivery,other | parent_id m2o res.partner | child_ids o2m res.partner parent_id |
		commercial_partner_id m2o res.partner ~ | company_id m2o res.company | customer_rank integer |
		category_id m2m res.partner.category`,
	"res.country":       "name char ! | code char | currency_id m2o res.currency | state_ids o2m res.country.state country_id | phone_code integer",
	"res.country.state": "name char ! | code char ! | country_id m2o res.country !",
	"uom.uom":           "name char ! | rounding float",
	"product.category":  "name char ! | parent_id m2o product.category | complete_name char ~",
	"product.tag":       "name char !",
	"product.template": `name char ! | display_name char ~ | default_code char | list_price float | standard_price float |
		type sel=consu,service,product @17 | type sel=consu,service,combo @18- | detailed_type sel=consu,service,product @17 |
		is_storable boolean @18- | invoice_policy sel=order,delivery | sale_ok boolean | purchase_ok boolean | active boolean |
		uom_id m2o uom.uom | categ_id m2o product.category | taxes_id m2m account.tax | weight float | hs_code char #stock_delivery |
		description_sale text | image_1920 binary | country_of_origin m2o res.country #stock_delivery | product_tag_ids m2m product.tag |
		product_variant_ids o2m product.product product_tmpl_id |
		attribute_line_ids o2m product.template.attribute.line product_tmpl_id | qty_available float ~ | company_id m2o res.company`,
	"product.product": `product_tmpl_id m2o product.template ! | display_name char ~ | default_code char | barcode char |
		active boolean | weight float | lst_price float ~ | price_extra float ~ | qty_available float ~ |
		free_qty float ~ | virtual_available float ~ | image_variant_1920 binary |
		product_template_attribute_value_ids m2m product.template.attribute.value`,
	"product.attribute":       "name char ! | value_ids o2m product.attribute.value attribute_id",
	"product.attribute.value": "name char ! | attribute_id m2o product.attribute !",
	"product.template.attribute.line": `product_tmpl_id m2o product.template ! | attribute_id m2o product.attribute ! |
		value_ids m2m product.attribute.value | product_template_value_ids o2m product.template.attribute.value attribute_line_id`,
	"product.template.attribute.value": `name char ~ | product_attribute_value_id m2o product.attribute.value ! |
		attribute_line_id m2o product.template.attribute.line ! | attribute_id m2o product.attribute ~ |
		product_tmpl_id m2o product.template ~ | price_extra float`,
	"product.pricelist": `name char ! | currency_id m2o res.currency | active boolean | item_ids o2m product.pricelist.item pricelist_id |
		company_id m2o res.company`,
	"product.pricelist.item": `pricelist_id m2o product.pricelist ! | applied_on sel=3_global,2_product_category,1_product,0_product_variant |
		product_tmpl_id m2o product.template | product_id m2o product.product | min_quantity float |
		compute_price sel=fixed,percentage,formula | fixed_price float | percent_price float`,
	"account.tax": `name char ! | amount float | amount_type sel=group,fixed,percent,division | type_tax_use sel=sale,purchase,none |
		price_include boolean @17 | price_include boolean ~ @18- | price_include_override sel=tax_included,tax_excluded @18- |
		active boolean | company_id m2o res.company | description char | sequence integer`,
	"account.journal": `name char ! | code char ! | type sel=sale,purchase,cash,bank,credit,general ! | company_id m2o res.company |
		sequence integer | active boolean | inbound_payment_method_line_ids o2m account.payment.method.line journal_id`,
	"account.payment.method.line": "name char ! | journal_id m2o account.journal ! | payment_type sel=inbound,outbound",
	"account.payment.term":        "name char ! | active boolean",
	"crm.team":                    "name char ! | active boolean",
	"res.partner.category":        "name char ! | parent_id m2o res.partner.category | active boolean",
	"stock.warehouse":             "name char ! | code char ! | lot_stock_id m2o stock.location | company_id m2o res.company",
	"stock.location": `name char ! | complete_name char ~ | location_id m2o stock.location | usage sel=supplier,view,internal,customer,inventory,production,transit |
		warehouse_id m2o stock.warehouse | active boolean`,
	"stock.quant": "product_id m2o product.product ! | location_id m2o stock.location ! | quantity float | reserved_quantity float",
	"stock.picking": `name char | state sel=draft,waiting,confirmed,assigned,done,cancel | partner_id m2o res.partner | origin char |
		sale_id m2o sale.order | move_ids o2m stock.move picking_id | location_id m2o stock.location | location_dest_id m2o stock.location |
		picking_type_code sel=incoming,outgoing,internal | scheduled_date datetime | date_done datetime | backorder_id m2o stock.picking |
		carrier_tracking_ref char #stock_delivery | carrier_id m2o delivery.carrier #stock_delivery | carrier_tracking_url char ~ #stock_delivery |
		company_id m2o res.company`,
	"delivery.carrier": "name char ! | tracking_url char @18- | active boolean",
	"stock.move": `name char | product_id m2o product.product ! | product_uom_qty float | quantity float | picked boolean |
		product_uom m2o uom.uom | state sel=draft,waiting,confirmed,partially_available,assigned,done,cancel |
		picking_id m2o stock.picking | sale_line_id m2o sale.order.line | location_id m2o stock.location | location_dest_id m2o stock.location`,
	"sale.order": `name char | display_name char ~ | state sel=draft,sent,sale,done,cancel @-18 | state sel=draft,sent,sale,cancel @19 |
		partner_id m2o res.partner ! | partner_invoice_id m2o res.partner | partner_shipping_id m2o res.partner |
		client_order_ref char | origin char | note html | date_order datetime | commitment_date datetime |
		order_line o2m sale.order.line order_id | pricelist_id m2o product.pricelist | team_id m2o crm.team |
		payment_term_id m2o account.payment.term | warehouse_id m2o stock.warehouse | currency_id m2o res.currency |
		company_id m2o res.company | user_id m2o res.users |
		amount_untaxed float ~ | amount_tax float ~ | amount_total float ~ | tax_calculation_rounding_method sel=round_per_line,round_globally ~ |
		invoice_status sel=upselling,invoiced,to\ invoice,no ~ | delivery_status sel=pending,started,partial,full ~ |
		invoice_ids m2m account.move ~ | invoice_count integer ~ | picking_ids o2m stock.picking sale_id`,
	"sale.order.line": `order_id m2o sale.order ! | sequence integer | name text | product_id m2o product.product |
		product_uom_qty float | product_uom m2o uom.uom @-18 | product_uom_id m2o uom.uom @19 |
		tax_id m2m account.tax @-18 | tax_ids m2m account.tax @19 | price_unit float | discount float |
		display_type sel=line_section,line_note | is_downpayment boolean |
		price_subtotal float ~ | price_tax float ~ | price_total float ~ | qty_delivered float | qty_invoiced float ~ |
		qty_to_invoice float ~ | invoice_status sel=upselling,invoiced,to\ invoice,no ~ | invoice_lines m2m account.move.line |
		move_ids o2m stock.move sale_line_id | state sel=draft,sent,sale,done,cancel ~ |
		tax_calculation_rounding_method sel=round_per_line,round_globally ~`,
	"account.move": `name char | display_name char ~ | move_type sel=entry,out_invoice,out_refund,in_invoice,in_refund,out_receipt,in_receipt |
		state sel=draft,posted,cancel | partner_id m2o res.partner | partner_shipping_id m2o res.partner | invoice_origin char |
		ref char | journal_id m2o account.journal | date date | invoice_date date | invoice_payment_term_id m2o account.payment.term |
		currency_id m2o res.currency | company_id m2o res.company | payment_reference char |
		invoice_line_ids o2m account.move.line move_id | line_ids o2m account.move.line move_id ~ |
		amount_untaxed float ~ | amount_tax float ~ | amount_total float ~ | amount_residual float ~ |
		payment_state sel=not_paid,in_payment,paid,partial,reversed,invoicing_legacy ~ |
		reversed_entry_id m2o account.move | reversal_move_ids o2m account.move reversed_entry_id |
		tax_calculation_rounding_method sel=round_per_line,round_globally ~`,
	"account.move.line": `move_id m2o account.move ! | product_id m2o product.product | name char | quantity float |
		price_unit float | discount float | tax_ids m2m account.tax | price_subtotal float ~ | price_total float ~ |
		display_type sel=product,line_section,line_note | sale_line_ids m2m sale.order.line |
		tax_calculation_rounding_method sel=round_per_line,round_globally ~`,
	"account.payment": `name char | state sel=draft,posted,cancel @17 | state sel=draft,in_process,paid,canceled,rejected @18- |
		payment_type sel=outbound,inbound | partner_type sel=customer,supplier | partner_id m2o res.partner |
		amount float | currency_id m2o res.currency | journal_id m2o account.journal | date date |
		ref char @17 | memo char @18- | payment_method_line_id m2o account.payment.method.line | reconciled_invoice_ids m2m account.move |
		company_id m2o res.company`,
	"ir.model.data": "name char ! | module char ! | model char ! | res_id integer | noupdate boolean | complete_name char ~",
	"sale.advance.payment.inv": `advance_payment_method sel=delivered,percentage,fixed | consolidated_billing boolean |
		sale_order_ids m2m sale.order | amount float | fixed_amount float`,
	"sale.order.cancel": "order_id m2o sale.order !",
	"account.payment.register": `payment_date date | amount float | journal_id m2o account.journal | communication char |
		payment_method_line_id m2o account.payment.method.line | group_payment boolean | line_ids m2m account.move.line |
		payment_difference_handling sel=open,reconcile`,
	"account.move.reversal": `reason char | journal_id m2o account.journal ! | date date | move_ids m2m account.move |
		new_move_ids m2m account.move`,
	"stock.backorder.confirmation": `pick_ids m2m stock.picking | show_transfers boolean |
		backorder_confirmation_line_ids o2m stock.backorder.confirmation.line backorder_confirmation_id`,
	"stock.backorder.confirmation.line": `backorder_confirmation_id m2o stock.backorder.confirmation |
		picking_id m2o stock.picking | to_backorder boolean`,
	"confirm.stock.sms": "pick_ids m2m stock.picking",
	"ir.module.module": `name char ! | shortdesc char | state sel=uninstallable,uninstalled,installed,to\ upgrade,to\ remove,to\ install |
		application boolean | sequence integer`,
}

var defaultOrder = map[string]string{
	"res.partner":      "display_name, id desc",
	"res.country":      "name",
	"account.tax":      "sequence, id",
	"account.journal":  "sequence, type, code",
	"sale.order":       "date_order desc, id desc",
	"account.move":     "date desc, name desc, id desc",
	"stock.picking":    "id desc",
	"ir.module.module": "application desc, sequence, name",
}

func versionMatch(spec string, v int) bool {
	switch {
	case strings.HasPrefix(spec, "-"):
		n, _ := strconv.Atoi(spec[1:])
		return v <= n
	case strings.HasSuffix(spec, "-"):
		n, _ := strconv.Atoi(spec[:len(spec)-1])
		return v >= n
	default:
		n, _ := strconv.Atoi(spec)
		return v == n
	}
}

func buildSchema(version int, custom map[string]string, modules map[string]bool) map[string]*model {
	models := map[string]*model{}
	for name, src := range schemaSrc {
		if mod := modelModule[name]; mod != "" && !modules[mod] {
			continue
		}
		if v := modelVersions[name]; v != "" && !versionMatch(v, version) {
			continue
		}
		if extra := custom[name]; extra != "" {
			src += " | " + extra
		}
		m := &model{name: name, fields: map[string]*field{}, order: defaultOrder[name], records: map[int64]Record{}, nextID: 1}
		if m.order == "" {
			m.order = "id"
		}
		m.fields["id"] = &field{name: "id", typ: "integer", computed: true}
		for _, line := range strings.Split(src, "|") {
			toks := strings.Fields(strings.ReplaceAll(line, `\ `, "\x00"))
			f := &field{name: toks[0], typ: toks[1]}
			ok := true
			var pos []string
			for _, t := range toks[2:] {
				switch {
				case t == "!":
					f.required = true
				case t == "~":
					f.computed = true
				case t[0] == '@':
					ok = ok && versionMatch(t[1:], version)
				case t[0] == '#':
					ok = ok && modules[t[1:]]
				default:
					pos = append(pos, t)
				}
			}
			if !ok {
				continue
			}
			if s, found := strings.CutPrefix(f.typ, "sel="); found {
				f.typ = "selection"
				f.sel = strings.Split(strings.ReplaceAll(s, "\x00", " "), ",")
			}
			if f.typ == "m2o" || f.typ == "o2m" || f.typ == "m2m" {
				f.typ = map[string]string{"m2o": "many2one", "o2m": "one2many", "m2m": "many2many"}[f.typ]
				f.rel = pos[0]
				if len(pos) > 1 {
					f.inverse = pos[1]
				}
			}
			m.fields[f.name] = f
		}
		for _, f := range []string{"create_date", "write_date"} {
			m.fields[f] = &field{name: f, typ: "datetime", computed: true}
		}
		m.fields["create_uid"] = &field{name: "create_uid", typ: "m2o", rel: "res.users", computed: true}
		if _, ok := m.fields["display_name"]; !ok {
			m.fields["display_name"] = &field{name: "display_name", typ: "char", computed: true}
		}
		models[name] = m
	}
	models["product.product"].delegate = "product_tmpl_id"
	return models
}

// fieldOf resolves a field, following _inherits delegation.
func (db *database) fieldOf(m *model, name string) (*field, *model) {
	if f, ok := m.fields[name]; ok {
		return f, m
	}
	if m.delegate != "" {
		parent := db.models[m.fields[m.delegate].rel]
		if f, ok := parent.fields[name]; ok {
			return f, parent
		}
	}
	return nil, nil
}
