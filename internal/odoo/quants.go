package odoo

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// StockLocation is the id of the location a warehouse (by code) keeps its
// stock in, or of a location by full name; 0 when there is none.
func (c *Client) StockLocation(ctx context.Context, warehouse, location string) (int64, error) {
	if location != "" {
		ids, err := c.Search(ctx, "stock.location", Domain{Cond("complete_name", "=", location)}, 1)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	}
	var rows []struct {
		Stock Many2One `json:"lot_stock_id"`
	}
	if err := c.SearchRead(ctx, "stock.warehouse", Domain{Cond("code", "=", warehouse)}, []string{"lot_stock_id"}, 1, "", &rows); err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].Stock.ID, nil
}

// Tracked are the products of ids counted by lot or serial number, whose
// stock is set per lot and not by a plain count.
func (c *Client) Tracked(ctx context.Context, ids []int64) (map[int64]bool, error) {
	var rows []struct {
		ID       int64 `json:"id"`
		Tracking Text  `json:"tracking"`
	}
	out := map[int64]bool{}
	if err := c.Read(ctx, "product.product", ids, []string{"tracking"}, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Tracking != "" && r.Tracking != "none"
	}
	return out, nil
}

// plainQuants are the quants an inventory count of a product at a location
// sets: at that very location, without lot, package or owner.
func plainQuants(location int64, products []int64) Domain {
	return Domain{In("product_id", products), Cond("location_id", "=", location),
		Cond("lot_id", "=", false), Cond("package_id", "=", false), Cond("owner_id", "=", false)}
}

// OnHand is the quantity of each product at location itself, as an
// inventory count sees it; products without a quant have none.
func (c *Client) OnHand(ctx context.Context, location int64, products []int64) (map[int64]float64, error) {
	var rows []struct {
		Product  Many2One `json:"product_id"`
		Quantity float64  `json:"quantity"`
	}
	if err := c.SearchRead(ctx, "stock.quant", plainQuants(location, products), []string{"product_id", "quantity"}, 0, "id", &rows); err != nil {
		return nil, err
	}
	out := map[int64]float64{}
	for _, r := range rows {
		out[r.Product.ID] += r.Quantity
	}
	return out, nil
}

// inventoryMode is the context in which stock.quant takes counted
// quantities, as Odoo's Physical Inventory does.
var inventoryMode = map[string]any{"inventory_mode": true}

// ApplyCounts counts products at location (product id: quantity) and applies
// the count: Odoo moves the difference from its inventory adjustment
// location. In inventory mode create finds the product's quant at location
// and writes the count on it, so that creating again after a lost reply
// counts the same quant again; applying is not repeated, since applying a
// count twice would count it twice. Pass only the products whose quantity
// differs: applying an equal count still records an adjustment.
func (c *Client) ApplyCounts(ctx context.Context, location int64, counts map[int64]float64) error {
	if len(counts) == 0 {
		return nil
	}
	var vals []map[string]any
	for _, p := range slices.Sorted(maps.Keys(counts)) {
		vals = append(vals, map[string]any{"product_id": p, "location_id": location, "inventory_quantity": counts[p]})
	}
	ids, err := c.CreateWithContext(Idempotent(ctx), "stock.quant", vals, inventoryMode)
	if err != nil {
		return err
	}
	a, err := c.action(ctx, "stock.quant", "action_apply_inventory", ids, inventoryMode)
	if err == nil && a.ResModel != "" {
		// stock.inventory.conflict: a quantity moved since it was counted;
		// stock.track.confirmation: a product tracked by lots.
		err = fmt.Errorf("Odoo asks for %s instead of applying the count: review the inventory adjustment in Odoo", a.ResModel)
	}
	return err
}
