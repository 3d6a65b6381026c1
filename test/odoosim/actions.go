package odoosim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// recordedActions holds window actions as real servers return them.
var recordedActions map[string]map[string]map[string]any

func (t *tx) recordedAction(name string) map[string]any {
	var out map[string]any
	b, _ := json.Marshal(recordedActions[fmt.Sprint(t.db.version)][name])
	_ = json.Unmarshal(b, &out)
	return out
}

func (t *tx) listView() string {
	if t.db.version == 17 {
		return "tree,form"
	}
	return "list,form"
}

// windowAction opens one record in a form, or several in a list.
func (t *tx) windowAction(name, model string, ids []int64, ctx map[string]any) map[string]any {
	a := map[string]any{"name": name, "type": "ir.actions.act_window", "res_model": model, "context": ctx}
	if len(ids) == 1 {
		a["view_mode"], a["res_id"] = "form", ids[0]
	} else {
		a["view_mode"], a["domain"] = t.listView(), []any{[]any{"id", "in", ids}}
	}
	return a
}

func (t *tx) records(m *model, ids []int64) ([]Record, error) {
	if missing := t.missing(m, ids); len(missing) > 0 {
		return nil, missingError(m, missing)
	}
	out := make([]Record, len(ids))
	for i, id := range ids {
		out[i] = t.touch(m, id)
	}
	return out, nil
}

func actionConfirm(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	orders, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, o := range orders {
		if o["state"] != "draft" && o["state"] != "sent" {
			bad = append(bad, asString(o["name"]))
		}
	}
	if len(bad) > 0 {
		if t.db.version == 17 {
			return nil, userError("The following orders are not in a state requiring confirmation: %s", strings.Join(bad, ", "))
		}
		return nil, userError("Some orders are not in a state requiring confirmation.")
	}
	for _, o := range orders {
		o["state"], o["date_order"] = "sale", t.now()
		if err := t.createDelivery(o); err != nil {
			return nil, err
		}
	}
	return true, nil
}

func (t *tx) createDelivery(o Record) error {
	var lines []Record
	for _, l := range idList(o["order_line"]) {
		lr := t.rec("sale.order.line", l)
		if pid := asInt(lr["product_id"]); pid != 0 && t.isGoods(pid) && lr["display_type"] == nil {
			lines = append(lines, lr)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	stock := asInt(t.val("stock.warehouse", asInt(o["warehouse_id"]), "lot_stock_id"))
	customers := t.customerLocation()
	pid, err := t.create(t.model("stock.picking"), map[string]any{
		"name": t.nextName("WH/OUT/%05d"), "state": "confirmed", "partner_id": o["partner_shipping_id"], "origin": o["name"],
		"sale_id": o["id"], "location_id": stock, "location_dest_id": customers, "picking_type_code": "outgoing", "scheduled_date": t.now(),
		"company_id": o["company_id"],
	})
	if err != nil {
		return err
	}
	for _, lr := range lines {
		if _, err := t.create(t.model("stock.move"), map[string]any{
			"name": lr["name"], "product_id": lr["product_id"], "product_uom_qty": lr["product_uom_qty"], "product_uom": lr[uomField(t.db.version)],
			"state": "confirmed", "picking_id": pid, "sale_line_id": lr["id"], "location_id": stock, "location_dest_id": customers,
		}); err != nil {
			return err
		}
	}
	t.reserve(t.touch(t.model("stock.picking"), pid))
	return nil
}

func (t *tx) customerLocation() int64 {
	ids, _ := t.search(t.model("stock.location"), []any{[]any{"usage", "=", "customer"}}, 0, 1, "")
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// reserve assigns available stock to the picking's moves.
func (t *tx) reserve(p Record) {
	mm := t.model("stock.move")
	all := true
	for _, mid := range idList(p["move_ids"]) {
		mv := t.touch(mm, mid)
		if mv["state"] == "done" || mv["state"] == "cancel" {
			continue
		}
		need := toFloat(mv["product_uom_qty"]) - toFloat(mv["quantity"])
		pid := asInt(mv["product_id"])
		if need > 0 && t.isStorable(pid) {
			got := t.reserveQuants(pid, asInt(mv["location_id"]), need)
			mv["_reserved"] = toFloat(mv["_reserved"]) + got
			need -= got
			mv["quantity"] = toFloat(mv["product_uom_qty"]) - need
		} else if need > 0 {
			mv["quantity"], need = toFloat(mv["product_uom_qty"]), 0
		}
		if need > 0 {
			all = false
			if toFloat(mv["quantity"]) > 0 {
				mv["state"] = "partially_available"
			}
		} else {
			mv["state"] = "assigned"
		}
	}
	if all {
		p["state"] = "assigned"
	}
}

func (t *tx) reserveQuants(pid, loc int64, need float64) float64 {
	qm := t.model("stock.quant")
	got := 0.0
	for _, qid := range t.sortedIDs(qm) {
		q := qm.records[qid]
		if asInt(q["product_id"]) != pid || !t.under(asInt(q["location_id"]), []int64{loc}) {
			continue
		}
		free := toFloat(q["quantity"]) - toFloat(q["reserved_quantity"])
		if take := min(free, need-got); take > 0 {
			t.touch(qm, qid)["reserved_quantity"] = toFloat(q["reserved_quantity"]) + take
			got += take
		}
	}
	return got
}

func actionAssign(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	picks, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range picks {
		t.reserve(p)
	}
	return true, nil
}

func actionCancel(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	recs, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	switch m.name {
	case "sale.order.cancel":
		for _, w := range recs {
			t.ctx = withKey(t.ctx, "disable_cancel_warning", true)
			if _, err := actionCancel(t, t.model("sale.order"), []int64{asInt(w["order_id"])}, nil); err != nil {
				return nil, err
			}
		}
		return true, nil
	case "stock.picking":
		for _, p := range recs {
			t.cancelPicking(p)
		}
		return true, nil
	}
	if t.db.version < 19 && !truthy(t.ctx["disable_cancel_warning"]) {
		for _, o := range recs {
			if o["state"] != "draft" {
				a := t.recordedAction("cancel")
				if _, err := t.create(t.model("sale.order.cancel"), map[string]any{"order_id": o["id"]}); err != nil {
					return nil, err
				}
				ctx, _ := a["context"].(map[string]any)
				ctx["default_order_id"] = o["id"]
				return a, nil
			}
		}
	}
	for _, o := range recs {
		for _, p := range idList(o["picking_ids"]) {
			t.cancelPicking(t.touch(t.model("stock.picking"), p))
		}
		for _, inv := range t.orderInvoices(o) {
			if mv := t.touch(t.model("account.move"), inv); mv["state"] == "draft" {
				mv["state"] = "cancel"
			}
		}
		o["state"] = "cancel"
	}
	return true, nil
}

func (t *tx) cancelPicking(p Record) {
	if p["state"] == "done" {
		return
	}
	for _, mid := range idList(p["move_ids"]) {
		mv := t.touch(t.model("stock.move"), mid)
		t.unreserve(mv)
		mv["state"] = "cancel"
	}
	p["state"] = "cancel"
}

// unreserve frees what reserve took for the move, kept under a key that is
// no field since clients may change quantity after the reservation.
func (t *tx) unreserve(mv Record) {
	qty := toFloat(mv["_reserved"])
	mv["_reserved"] = 0.0
	qm := t.model("stock.quant")
	for _, qid := range t.sortedIDs(qm) {
		q := qm.records[qid]
		if asInt(q["product_id"]) != asInt(mv["product_id"]) || qty <= 0 {
			continue
		}
		give := min(qty, toFloat(q["reserved_quantity"]))
		t.touch(qm, qid)["reserved_quantity"] = toFloat(q["reserved_quantity"]) - give
		qty -= give
	}
}

func actionDraft(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	orders, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		if o["state"] != "cancel" && o["state"] != "sent" {
			return nil, userError("Only cancelled or sent orders can be set back to quotation.")
		}
		o["state"] = "draft"
	}
	return true, nil
}

// buttonValidate is stock.picking.button_validate as stock and stock_sms
// make it (stock/models/stock_picking.py, stock_sms/models/stock_picking.py):
// after the sanity checks, the pre-validation hooks may answer a wizard
// instead of validating: the backorder confirmation when moves are not all
// picked in full (unless skip_backorder), then stock_sms's confirm.stock.sms
// before the first SMS to a customer (unless skip_sms). Those wizards call
// button_validate again with the context that answers them.
func buttonValidate(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	picks, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	if t.db.version >= 18 { // 18+ leave done transfers out
		picks = slices.DeleteFunc(picks, func(p Record) bool { return p["state"] == "done" })
	}
	mm := t.model("stock.move")
	var pickIDs []int64
	for _, p := range picks {
		pickIDs = append(pickIDs, asInt(p["id"]))
		moves := idList(p["move_ids"])
		if len(moves) == 0 {
			if len(picks) > 1 {
				return nil, userError("Transfers %s: Please add some items to move.", p["name"])
			}
			return nil, userError("You can’t validate an empty transfer. Please add some products to move before proceeding.")
		}
		open := func(mv Record) bool { return mv["state"] != "done" && mv["state"] != "cancel" }
		anyPicked := false // 19 counts the picked moves only, if any
		for _, mid := range moves {
			anyPicked = anyPicked || t.db.version >= 19 && truthy(mm.records[mid]["picked"]) && open(mm.records[mid])
		}
		noQty := true
		for _, mid := range moves {
			if mv := mm.records[mid]; open(mv) && (!anyPicked || truthy(mv["picked"])) && toFloat(mv["quantity"]) != 0 {
				noQty = false
			}
		}
		// Odoo raises this for a single transfer only; the simulator for each
		// of several too, rather than guess what validating them does.
		if noQty {
			if t.db.version >= 19 {
				return nil, userError("Transfer trouble alert! Validating a zero quantity transfer? You're not moving invisible goods around are you?\nSet some quantities and let's get moving!")
			}
			return nil, userError("You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.")
		}
	}
	ctx := t.ctx
	if !truthy(ctx["button_validate_picking_ids"]) {
		ctx = withKey(ctx, "button_validate_picking_ids", pickIDs)
	}
	// stock's _pre_action_done_hook: quantities set but nothing picked picks all
	for _, p := range picks {
		hasQty, hasPick := false, false
		for _, mid := range idList(p["move_ids"]) {
			hasQty = hasQty || toFloat(mm.records[mid]["quantity"]) != 0
			hasPick = hasPick || truthy(mm.records[mid]["picked"])
		}
		if hasQty && !hasPick {
			for _, mid := range idList(p["move_ids"]) {
				t.touch(mm, mid)["picked"] = true
			}
		}
	}
	if !truthy(ctx["skip_backorder"]) {
		var partial []any
		for _, p := range picks {
			for _, mid := range idList(p["move_ids"]) {
				mv := mm.records[mid]
				if mv["state"] != "cancel" && (toFloat(mv["product_uom_qty"]) != 0 && !truthy(mv["picked"]) || toFloat(mv["quantity"]) < toFloat(mv["product_uom_qty"])) {
					partial = append(partial, []any{int64(4), p["id"]})
					break
				}
			}
		}
		if len(partial) > 0 {
			c := withKey(withKey(ctx, "default_show_transfers", len(picks) > 1), "default_pick_ids", partial)
			return wizardAction("Create Backorder?", "stock.backorder.confirmation", viewBackorderConfirmation, 0, c), nil
		}
	}
	if t.installed("stock_sms") && !truthy(ctx["skip_sms"]) {
		var warn []any
		for _, p := range picks {
			if t.warnSMS(p) {
				warn = append(warn, []any{int64(4), p["id"]})
			}
		}
		if len(warn) > 0 {
			wid, err := t.create(t.model("confirm.stock.sms"), map[string]any{"pick_ids": warn})
			if err != nil {
				return nil, err
			}
			return wizardAction("SMS", "confirm.stock.sms", viewConfirmStockSMS, wid, ctx), nil
		}
	}
	noBackorder, _ := toIDs(ctx["picking_ids_not_to_backorder"])
	for _, p := range picks {
		if err := t.validatePicking(p, !slices.Contains(noBackorder, asInt(p["id"]))); err != nil {
			return nil, err
		}
	}
	return true, nil
}

// The ids of stock.view_backorder_confirmation and
// stock_sms.view_confirm_stock_sms differ between databases; these stand
// for them.
const viewBackorderConfirmation, viewConfirmStockSMS = int64(1180), int64(1422)

// wizardAction is the window action of a pre-validation wizard, with the
// wizard's id when the hook created it.
func wizardAction(name, model string, view, id int64, ctx map[string]any) map[string]any {
	a := map[string]any{"name": name, "type": "ir.actions.act_window", "view_mode": "form", "res_model": model,
		"views": []any{[]any{view, "form"}}, "view_id": view, "target": "new", "context": ctx}
	if id != 0 {
		a["res_id"] = id
	}
	return a
}

// warnSMS tells whether stock_sms asks before validating the picking: a
// delivery to a partner with a phone (or mobile, before 19) while the
// company sends SMS confirmations and has not answered the question yet.
func (t *tx) warnSMS(p Record) bool {
	c := t.rec("res.company", 1)
	on := truthy(c["stock_move_sms_validation"])
	if t.db.version >= 19 { // res.company._get_text_validation('sms')
		on = truthy(c["stock_text_confirmation"]) && c["stock_confirmation_type"] == "sms"
	}
	partner := t.rec("res.partner", asInt(p["partner_id"]))
	phone := partner != nil && (truthy(partner["phone"]) || t.db.version < 19 && truthy(partner["mobile"]))
	return on && p["picking_type_code"] == "outgoing" && phone && !truthy(c["has_received_warning_stock_sms"])
}

// withContext runs fn with the transaction's context replaced, as a
// method's with_context(...).button_validate() does.
func (t *tx) withContext(ctx map[string]any, fn func() (any, error)) (any, error) {
	saved := t.ctx
	t.ctx = ctx
	defer func() { t.ctx = saved }()
	return fn()
}

// processBackorder is stock.backorder.confirmation's process (cancel:
// process_cancel_backorder): validate the pickings of the context's
// button_validate_picking_ids, making backorders of those whose line says
// so (or none), or nothing at all without that context key.
func processBackorder(t *tx, m *model, ids []int64, cancel bool) (any, error) {
	wizards, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	validate, _ := toIDs(t.ctx["button_validate_picking_ids"])
	if len(validate) == 0 {
		return true, nil
	}
	var notToBackorder []int64
	for _, w := range wizards {
		if cancel {
			notToBackorder = append(notToBackorder, idList(w["pick_ids"])...)
			continue
		}
		for _, l := range idList(w["backorder_confirmation_line_ids"]) {
			if line := t.rec("stock.backorder.confirmation.line", l); !truthy(line["to_backorder"]) && asInt(line["picking_id"]) != 0 {
				notToBackorder = append(notToBackorder, asInt(line["picking_id"]))
			}
		}
	}
	ctx := withKey(t.ctx, "skip_backorder", true)
	if cancel || len(notToBackorder) > 0 {
		ctx["picking_ids_not_to_backorder"] = notToBackorder
	}
	return t.withContext(ctx, func() (any, error) { return buttonValidate(t, t.model("stock.picking"), validate, nil) })
}

// answerSMS is confirm.stock.sms's send_sms (send) and dont_send_sms: the
// company has its answer, and the context's pickings are validated again.
func answerSMS(t *tx, m *model, ids []int64, send bool) (any, error) {
	if len(ids) != 1 {
		return nil, valueError("Expected singleton: %s%s", m.name, pyTuple(ids))
	}
	w, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	// the company of its transfers (the simulator's only one)
	if c := t.touch(t.model("res.company"), 1); len(idList(w[0]["pick_ids"])) > 0 && !truthy(c["has_received_warning_stock_sms"]) {
		c["has_received_warning_stock_sms"] = true
		if !send && t.db.version >= 19 {
			c["stock_text_confirmation"] = false
		} else if !send {
			c["stock_move_sms_validation"] = false
		}
	}
	validate, _ := toIDs(t.ctx["button_validate_picking_ids"])
	return buttonValidate(t, t.model("stock.picking"), validate, nil)
}

func anySlice(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = float64(id)
	}
	return out
}

func (t *tx) validatePicking(p Record, backorder bool) error {
	mm := t.model("stock.move")
	anyPicked := false
	for _, mid := range idList(p["move_ids"]) {
		anyPicked = anyPicked || truthy(mm.records[mid]["picked"])
	}
	var rest []map[string]any
	for _, mid := range idList(p["move_ids"]) {
		mv := t.touch(mm, mid)
		done := toFloat(mv["quantity"])
		if anyPicked && !truthy(mv["picked"]) {
			done = 0
		}
		if left := toFloat(mv["product_uom_qty"]) - done; left > 0 {
			rest = append(rest, map[string]any{"name": mv["name"], "product_id": mv["product_id"], "product_uom_qty": left,
				"product_uom": mv["product_uom"], "state": "confirmed", "sale_line_id": mv["sale_line_id"],
				"location_id": mv["location_id"], "location_dest_id": mv["location_dest_id"]})
		}
		t.unreserve(mv)
		if done == 0 {
			mv["state"] = "cancel"
			continue
		}
		mv["quantity"], mv["product_uom_qty"], mv["picked"], mv["state"] = done, done, true, "done"
		t.moveStock(asInt(mv["product_id"]), asInt(mv["location_id"]), -done)
		if sl := asInt(mv["sale_line_id"]); sl != 0 {
			lr := t.touch(t.model("sale.order.line"), sl)
			lr["qty_delivered"] = toFloat(lr["qty_delivered"]) + done
		}
	}
	p["state"], p["date_done"] = "done", t.now()
	if !backorder || len(rest) == 0 {
		return nil
	}
	bid, err := t.create(t.model("stock.picking"), map[string]any{"name": t.nextName("WH/OUT/%05d"), "state": "confirmed",
		"partner_id": p["partner_id"], "origin": p["origin"], "sale_id": p["sale_id"], "location_id": p["location_id"],
		"location_dest_id": p["location_dest_id"], "picking_type_code": "outgoing", "backorder_id": p["id"], "scheduled_date": t.now(),
		"company_id": p["company_id"]})
	if err != nil {
		return err
	}
	for _, vals := range rest {
		vals["picking_id"] = bid
		if _, err := t.create(mm, vals); err != nil {
			return err
		}
	}
	t.reserve(t.touch(t.model("stock.picking"), bid))
	return nil
}

func (t *tx) moveStock(pid, loc int64, qty float64) {
	if !t.isStorable(pid) {
		return
	}
	qm := t.model("stock.quant")
	for _, qid := range t.sortedIDs(qm) {
		if q := qm.records[qid]; asInt(q["product_id"]) == pid && asInt(q["location_id"]) == loc {
			t.touch(qm, qid)["quantity"] = toFloat(q["quantity"]) + qty
			return
		}
	}
	_, _ = t.create(qm, map[string]any{"product_id": pid, "location_id": loc, "quantity": qty})
}

func createInvoices(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	wizards, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	var invoices []int64
	for _, w := range wizards {
		if w["advance_payment_method"] != "delivered" {
			return nil, userError("The simulator only creates regular invoices.")
		}
		groups := map[string][]Record{}
		var keys []string
		// the orders as the many2many reads them, in sale.order's order:
		// their invoices are made in that order
		var orders []Record
		for _, oid := range idList(w["sale_order_ids"]) {
			o := t.rec("sale.order", oid)
			if o == nil {
				return nil, missingError(t.model("sale.order"), []int64{oid})
			}
			orders = append(orders, o)
		}
		som := t.model("sale.order")
		t.sortRecords(som, orders, som.order)
		for _, o := range orders {
			oid := asInt(o["id"])
			key := fmt.Sprint(oid)
			if truthy(w["consolidated_billing"]) {
				key = fmt.Sprint(o["partner_invoice_id"], "/", o["currency_id"])
			}
			if _, seen := groups[key]; !seen {
				keys = append(keys, key)
			}
			groups[key] = append(groups[key], o)
		}
		for _, key := range keys {
			id, err := t.invoiceOrders(groups[key])
			if err != nil {
				return nil, err
			}
			if id != 0 {
				invoices = append(invoices, id)
			}
		}
	}
	if len(invoices) == 0 {
		return nil, userError("There is no invoiceable line. If a product has a control policy based on received quantity, please make sure that a quantity has been received.")
	}
	// sale.order.action_view_invoice on the wizard's orders
	// (sale/models/sale_order.py): the action account.action_move_out_invoice_type,
	// opening one invoice in its form or listing several; the defaults of a
	// new invoice in the context only for one order.
	a := t.recordedAction("invoices")
	recorded, _ := a["context"].(map[string]any)
	ctx := map[string]any{"default_move_type": "out_invoice"}
	var orders []int64
	for _, w := range wizards {
		for _, o := range idList(w["sale_order_ids"]) {
			if !slices.Contains(orders, o) {
				orders = append(orders, o)
			}
		}
	}
	if len(orders) == 1 {
		o := t.rec("sale.order", orders[0])
		ctx["default_partner_id"], ctx["default_partner_shipping_id"] = o["partner_id"], o["partner_shipping_id"]
		ctx["default_invoice_payment_term_id"] = recorded["default_invoice_payment_term_id"]
		if pt := asInt(o["payment_term_id"]); pt != 0 {
			ctx["default_invoice_payment_term_id"] = pt
		}
		if _, ok := recorded["default_invoice_origin"]; ok {
			ctx["default_invoice_origin"] = o["name"]
		}
	}
	a["context"] = ctx
	if len(invoices) == 1 {
		a["res_id"] = invoices[0]
	} else {
		// the action as it is stored: its views in view_mode's order, the
		// list view its own, and no record
		views, _ := a["views"].([]any)
		var stored []any
		for _, mode := range strings.Split(asString(a["view_mode"]), ",") {
			id := any(false)
			for _, v := range views {
				if pair, _ := v.([]any); len(pair) == 2 && pair[1] == mode && mode != "form" {
					id = pair[0]
				}
			}
			stored = append(stored, []any{id, mode})
		}
		a["views"], a["res_id"] = stored, int64(0)
		a["domain"] = []any{[]any{"id", "in", invoices}}
	}
	return a, nil
}

// invoiceOrders creates one customer invoice for the invoiceable lines of orders.
func (t *tx) invoiceOrders(orders []Record) (int64, error) {
	var lines []any
	var names []string
	for _, o := range orders {
		if o["state"] != "sale" {
			continue
		}
		names = append(names, asString(o["name"]))
		for _, l := range idList(o["order_line"]) {
			lr := t.rec("sale.order.line", l)
			q := t.qtyToInvoice(lr)
			if q <= 0.0001 {
				continue
			}
			lines = append(lines, []any{0.0, 0.0, map[string]any{"product_id": lr["product_id"], "name": lr["name"], "quantity": q,
				"price_unit": lr["price_unit"], "discount": lr["discount"], "display_type": "product",
				"tax_ids":       []any{[]any{6.0, 0.0, anySlice(idList(lr[taxField(t.db.version)]))}},
				"sale_line_ids": []any{[]any{6.0, 0.0, []any{float64(l)}}}}})
		}
	}
	if len(lines) == 0 {
		return 0, nil
	}
	o := orders[0]
	id, err := t.create(t.model("account.move"), map[string]any{"move_type": "out_invoice", "partner_id": o["partner_invoice_id"],
		"partner_shipping_id": o["partner_shipping_id"], "invoice_origin": strings.Join(names, ", "), "journal_id": t.journal("sale", asInt(o["company_id"])), "company_id": o["company_id"],
		"invoice_payment_term_id": o["payment_term_id"], "invoice_line_ids": lines, "ref": o["client_order_ref"]})
	if err == nil && toFloat(t.val("account.move", id, "amount_total")) < 0 {
		t.switchMoveType(id)
	}
	return id, err
}

// switchMoveType is account.move's action_switch_move_type, which
// sale.order._create_invoices applies to the invoices whose total is
// negative: the invoice becomes a credit note of the same lines, their
// quantities negated, and loses its number.
func (t *tx) switchMoveType(id int64) {
	mv := t.touch(t.model("account.move"), id)
	if mv["move_type"] == "out_invoice" {
		mv["move_type"] = "out_refund"
	} else {
		mv["move_type"] = "out_invoice"
	}
	delete(mv, "name")
	if t.db.version == 17 {
		mv["name"] = t.moveName(mv) // 17 numbers drafts
	}
	if toFloat(t.get(t.model("account.move"), mv, "amount_total")) < 0 {
		for _, l := range idList(mv["invoice_line_ids"]) {
			if lr := t.touch(t.model("account.move.line"), l); lr["display_type"] == nil || lr["display_type"] == "product" {
				lr["quantity"] = -toFloat(lr["quantity"])
			}
		}
	}
}

// linkInvoiceLines mirrors sale_line_ids on the sale lines' invoice_lines.
func (t *tx) linkInvoiceLines(moveID int64) {
	for _, ml := range idList(t.val("account.move", moveID, "invoice_line_ids")) {
		for _, sl := range idList(t.val("account.move.line", ml, "sale_line_ids")) {
			lr := t.touch(t.model("sale.order.line"), sl)
			lr["invoice_lines"] = append(slices.Clone(idList(lr["invoice_lines"])), ml)
		}
	}
}

// journal is the first journal of type typ of company.
func (t *tx) journal(typ string, company int64) int64 {
	ids, _ := t.search(t.model("account.journal"), []any{[]any{"type", "=", typ}, []any{"company_id", "=", company}}, 0, 1, "")
	return first(ids)
}

// first is the first of ids, 0 for none.
func first(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

func actionPost(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	moves, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	for _, mv := range moves {
		if mv["state"] == "posted" {
			return nil, userError("The entry %s (id %d) is already posted.", t.displayName(m, asInt(mv["id"])), mv["id"])
		}
		if len(idList(mv["invoice_line_ids"])) == 0 {
			return nil, userError("You need to add a line before posting.")
		}
		if !truthy(mv["partner_id"]) && mv["move_type"] != "entry" {
			return nil, userError("The field 'Customer' is required, please complete it to validate the Customer Invoice.")
		}
		if n := asString(mv["name"]); n == "" || n == "/" {
			mv["name"] = t.moveName(mv)
		}
		if mv["invoice_date"] == nil {
			mv["invoice_date"] = t.today()
		}
		mv["state"] = "posted"
	}
	return false, nil
}

func buttonDraft(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	moves, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	for _, mv := range moves {
		if t.paid(asInt(mv["id"])) > 0 {
			return nil, userError("You cannot reset to draft a move with payments; unreconcile them first.")
		}
		mv["state"] = "draft"
	}
	return nil, nil // Odoo's button_draft returns None
}

func buttonCancel(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	moves, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	for _, mv := range moves {
		if mv["state"] != "draft" {
			return nil, userError("Only draft journal entries can be cancelled.")
		}
		mv["state"] = "cancel"
	}
	return true, nil
}

func paymentRegisterDefaults(t *tx, r Record, vals map[string]any) error {
	moves := t.ctxIDs("account.move")
	if _, ok := vals["line_ids"]; !ok {
		var lines []int64
		for _, mid := range moves {
			if t.rec("account.move", mid) == nil {
				return missingError(t.model("account.move"), []int64{mid})
			}
			lines = append(lines, idList(t.val("account.move", mid, "invoice_line_ids"))...)
		}
		r["line_ids"] = lines
	}
	moves = t.wizardMoves(r)
	if len(moves) == 0 {
		return userError("You can't open the register payment wizard without at least one receivable/payable line.")
	}
	total := 0.0
	var names []string
	for _, mid := range moves {
		mv := t.rec("account.move", mid)
		if mv["state"] != "posted" {
			return userError("You can only register payment for posted journal entries.")
		}
		total += t.residual(mv)
		names = append(names, asString(mv["name"]))
	}
	if total <= 0 {
		return userError("You can't register a payment because there is nothing left to pay on the selected journal items.")
	}
	if _, ok := vals["amount"]; !ok {
		r["amount"] = round2(total)
	}
	if _, ok := vals["group_payment"]; !ok {
		r["group_payment"] = len(moves) == 1
	}
	if _, ok := vals["communication"]; !ok {
		r["communication"] = strings.Join(names, " ")
	}
	if r["payment_date"] == nil {
		r["payment_date"] = t.today()
	}
	if asInt(r["journal_id"]) == 0 {
		r["journal_id"] = t.journal("bank", asInt(t.val("account.move", moves[0], "company_id")))
	}
	if asInt(r["payment_method_line_id"]) == 0 {
		if l := idList(t.val("account.journal", asInt(r["journal_id"]), "inbound_payment_method_line_ids")); len(l) > 0 {
			r["payment_method_line_id"] = l[0]
		}
	}
	return nil
}

func (t *tx) wizardMoves(r Record) []int64 {
	var moves []int64
	for _, l := range idList(r["line_ids"]) {
		if mid := asInt(t.val("account.move.line", l, "move_id")); mid != 0 && !slices.Contains(moves, mid) {
			moves = append(moves, mid)
		}
	}
	return moves
}

func createPayments(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	wizards, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	var payments []int64
	for _, w := range wizards {
		moves := t.wizardMoves(w)
		batches := [][]int64{moves}
		if !truthy(w["group_payment"]) && len(moves) > 1 {
			batches = nil
			for _, mid := range moves {
				batches = append(batches, []int64{mid})
			}
		}
		for _, batch := range batches {
			amount, names := 0.0, []string{}
			for _, mid := range batch {
				amount += t.residual(t.rec("account.move", mid))
				names = append(names, asString(t.val("account.move", mid, "name")))
			}
			memo := strings.Join(names, " ")
			if len(batches) == 1 {
				amount, memo = toFloat(w["amount"]), asString(w["communication"])
			}
			pid, err := t.createPayment(w, batch, round2(amount), memo)
			if err != nil {
				return nil, err
			}
			payments = append(payments, pid)
		}
	}
	return t.windowAction("Payments", "account.payment", payments, map[string]any{"create": false}), nil
}

func (t *tx) createPayment(w Record, moves []int64, amount float64, memo string) (int64, error) {
	first := t.rec("account.move", moves[0])
	ptype := "inbound"
	if first["move_type"] == "out_refund" {
		ptype = "outbound"
	}
	state, memoField := "paid", "memo"
	if t.db.version == 17 {
		state, memoField = "posted", "ref"
	}
	journal := asInt(w["journal_id"])
	code := asString(t.val("account.journal", journal, "code"))
	pid, err := t.create(t.model("account.payment"), map[string]any{
		"name": t.nextName("P" + code + "/" + t.today()[:4] + "/%05d"), "state": state, "payment_type": ptype, "partner_type": "customer",
		"partner_id": first["partner_id"], "amount": amount, "currency_id": first["currency_id"], "journal_id": journal, "date": w["payment_date"],
		"company_id": t.val("account.journal", journal, "company_id"),
		memoField:    memo, "payment_method_line_id": w["payment_method_line_id"], "reconciled_invoice_ids": anySlice(moves),
	})
	if err != nil {
		return 0, err
	}
	for _, mid := range moves {
		mv := t.touch(t.model("account.move"), mid)
		mv["_payment_ids"] = append(slices.Clone(idList(mv["_payment_ids"])), pid)
	}
	return pid, t.paymentEntry(pid)
}

func refundMoves(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	wizards, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	var refunds []int64
	for _, w := range wizards {
		var created []int64
		for _, mid := range idList(w["move_ids"]) {
			id, err := t.reverse(w, t.rec("account.move", mid))
			if err != nil {
				return nil, err
			}
			created = append(created, id)
		}
		w["new_move_ids"] = created
		refunds = append(refunds, created...)
	}
	return t.windowAction("Reverse Moves", "account.move", refunds, map[string]any{"default_move_type": "out_refund"}), nil
}

func (t *tx) reverse(w, mv Record) (int64, error) {
	mlm := t.model("account.move.line")
	var lines []any
	for _, l := range idList(mv["invoice_line_ids"]) {
		lr := mlm.records[l]
		lines = append(lines, []any{0.0, 0.0, map[string]any{"product_id": lr["product_id"], "name": lr["name"], "quantity": lr["quantity"],
			"price_unit": lr["price_unit"], "discount": lr["discount"], "display_type": "product",
			"tax_ids":       []any{[]any{6.0, 0.0, anySlice(idList(lr["tax_ids"]))}},
			"sale_line_ids": []any{[]any{6.0, 0.0, anySlice(idList(lr["sale_line_ids"]))}}}})
	}
	typ := "out_refund"
	if mv["move_type"] == "out_refund" {
		typ = "out_invoice"
	}
	journal := w["journal_id"]
	if asInt(journal) == 0 {
		journal = mv["journal_id"]
	}
	ref := "Reversal of: " + asString(mv["name"])
	if reason := asString(w["reason"]); reason != "" {
		ref += ", " + reason
	}
	id, err := t.create(t.model("account.move"), map[string]any{"move_type": typ, "partner_id": mv["partner_id"],
		"partner_shipping_id": mv["partner_shipping_id"], "invoice_origin": mv["invoice_origin"], "journal_id": journal,
		"ref": ref, "reversed_entry_id": mv["id"], "date": w["date"], "invoice_line_ids": lines})
	return id, err
}
