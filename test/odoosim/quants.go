package odoosim

import (
	"maps"
	"slices"
)

// Inventory counts on stock.quant, as stock/models/stock_quant.py does them
// (create, action_apply_inventory, _apply_inventory), and as the quants
// recordings show them on 17, 18 and 19.
func init() {
	schemaSrc["stock.quant"] += ` | lot_id m2o stock.lot | package_id m2o stock.quant.package @-18 | package_id m2o stock.package @19 |
		owner_id m2o res.partner | inventory_quantity float | inventory_diff_quantity float | inventory_quantity_set boolean`
	schemaSrc["stock.lot"] = "name char ! | product_id m2o product.product !"
	schemaSrc["stock.quant.package"] = "name char"
	schemaSrc["stock.package"] = "name char"
	modelVersions["stock.quant.package"], modelVersions["stock.package"] = "-18", "19"
	schemaSrc["product.template"] += " | tracking sel=serial,lot,none"
	schemaSrc["stock.move"] += " | is_inventory boolean"
	template := defaults["product.template"]
	defaults["product.template"] = func(t *tx) map[string]any {
		d := template(t)
		d["tracking"] = "none"
		return d
	}
	methods["action_apply_inventory"] = method{records: true, models: []string{"stock.quant"}, run: applyInventory}
	createWith["stock.quant"] = createQuant
}

// inventoryFields are what a quant created in inventory mode may be given
// (_get_inventory_fields_create); the simulator has those of them it models.
var inventoryFields = []string{"product_id", "owner_id", "inventory_quantity", "inventory_quantity_auto_apply",
	"inventory_diff_quantity", "inventory_date", "user_id", "inventory_quantity_set", "is_outdated", "lot_id", "location_id", "package_id"}

// createQuant is stock.quant.create. In inventory mode with a counted
// quantity it writes the count on the product's quant at the location
// (without lot, package or owner), making one when there is none, and
// returns that quant; inventory_quantity_auto_apply applies the count at
// once unless it equals the quantity. Quants are only for storable products.
func createQuant(t *tx, m *model, vals map[string]any) (int64, error) {
	_, counted := vals["inventory_quantity"]
	_, auto := vals["inventory_quantity_auto_apply"]
	if !truthy(t.ctx["inventory_mode"]) || !counted && !auto {
		if !t.isStorable(asInt(vals["product_id"])) {
			return 0, validationError("Quants cannot be created for consumables or services.")
		}
		return t.create(m, vals)
	}
	for k := range vals {
		if !slices.Contains(inventoryFields, k) && !(t.db.version >= 19 && len(k) > 2 && k[:2] == "x_") {
			return 0, userError("Quant's creation is restricted, you can't do this operation.")
		}
	}
	vals = maps.Clone(vals)
	count := toFloat(vals["inventory_quantity_auto_apply"])
	if !auto {
		count = toFloat(vals["inventory_quantity"])
	}
	delete(vals, "inventory_quantity_auto_apply")
	delete(vals, "inventory_quantity")
	id := t.plainQuant(asInt(vals["product_id"]), asInt(vals["location_id"]))
	if id == 0 {
		if !t.isStorable(asInt(vals["product_id"])) {
			return 0, validationError("Quants cannot be created for consumables or services.")
		}
		var err error
		if id, err = t.create(m, vals); err != nil {
			return 0, err
		}
	}
	q := t.touch(m, id)
	if auto && toFloat(q["quantity"]) == count {
		return id, nil
	}
	q["inventory_quantity"], q["inventory_quantity_set"] = count, true
	q["inventory_diff_quantity"] = count - toFloat(q["quantity"])
	if auto {
		_, err := applyInventory(t, m, []int64{id}, nil)
		return id, err
	}
	return id, nil
}

// plainQuant is the quant of a product at a location without lot, package
// or owner (_gather with strict), 0 when there is none.
func (t *tx) plainQuant(product, location int64) int64 {
	m := t.model("stock.quant")
	for _, id := range slices.Sorted(maps.Keys(m.records)) {
		q := m.records[id]
		if asInt(q["product_id"]) == product && asInt(q["location_id"]) == location &&
			asInt(q["lot_id"]) == 0 && asInt(q["package_id"]) == 0 && asInt(q["owner_id"]) == 0 {
			return id
		}
	}
	return 0
}

// applyInventory is action_apply_inventory. On 17 and 18 a quant of a
// product tracked by lots or serial numbers, counted without a lot where
// there was none, stops the whole batch with the stock.track.confirmation
// wizard; 19 applies it. Each quant gets a done move of the difference
// from or to the inventory adjustment location, also when there is none:
// applying the same count twice records a second, empty adjustment.
func applyInventory(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	quants, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	if t.db.version <= 18 {
		var tracked []any
		for _, q := range quants {
			pid := asInt(q["product_id"])
			if tr := t.val("product.product", pid, "tracking"); (tr == "lot" || tr == "serial") && asInt(q["lot_id"]) == 0 &&
				toFloat(q["inventory_quantity"]) != toFloat(q["quantity"]) && toFloat(q["quantity"]) == 0 {
				tracked = append(tracked, pid)
			}
		}
		if len(tracked) > 0 {
			ctx := maps.Clone(t.ctx)
			ctx["default_quant_ids"], ctx["default_product_ids"] = ids, tracked
			return map[string]any{"name": "Tracked Products in Inventory Adjustment", "type": "ir.actions.act_window", "view_mode": "form",
				"views": []any{[]any{false, "form"}}, "res_model": "stock.track.confirmation", "target": "new", "context": ctx}, nil
		}
	}
	adj, _ := t.search(t.model("stock.location"), []any{[]any{"usage", "=", "inventory"}}, 0, 1, "")
	for _, q := range quants {
		diff := toFloat(q["inventory_quantity"]) - toFloat(q["quantity"])
		from, to := adj[0], asInt(q["location_id"])
		if diff < 0 {
			from, to = to, from
		}
		mv := map[string]any{"product_id": q["product_id"], "product_uom_qty": abs(diff), "quantity": abs(diff), "state": "done",
			"is_inventory": true, "location_id": from, "location_dest_id": to}
		if _, err := t.create(t.model("stock.move"), mv); err != nil {
			return nil, err
		}
		q["quantity"] = toFloat(q["inventory_quantity"])
		q["inventory_quantity"], q["inventory_diff_quantity"], q["inventory_quantity_set"] = 0.0, 0.0, false
		if err := t.addQuantity(asInt(q["product_id"]), adj[0], -diff); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// addQuantity adds qty to the product's quant at a location, made when
// there is none (_update_available_quantity).
func (t *tx) addQuantity(product, location int64, qty float64) error {
	m := t.model("stock.quant")
	if id := t.plainQuant(product, location); id != 0 {
		q := t.touch(m, id)
		q["quantity"] = toFloat(q["quantity"]) + qty
		return nil
	}
	_, err := t.create(m, map[string]any{"product_id": product, "location_id": location, "quantity": qty})
	return err
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
