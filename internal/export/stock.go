package export

import (
	"context"
	"errors"
	"fmt"
	"math"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// staleRetries bounds how often a batch is re-read and sent again when
// Shopify's quantities moved under it.
const staleRetries = 3

// StockResult counts what a stock pass did, by item and location.
type StockResult struct {
	Items     int // tracked Shopify items with an Odoo product
	Sent      int // quantities changed
	Activated int // items stocked at a location for the first time
	Unchanged int
}

type place struct {
	shopify string // location GID
	ctx     map[string]any
}

// ExportStock sends each tracked variant's Odoo quantity to the mapped
// Shopify locations, only where it differs from Shopify's.
func ExportStock(ctx context.Context, o *odoo.Client, s *shopify.Client, spec v1.StockSpec) (StockResult, error) {
	field := map[v1.StockQuantity]string{"": "free_qty", "Free": "free_qty", "OnHand": "qty_available", "Forecast": "virtual_available"}[spec.Quantity]
	if field == "" {
		return StockResult{}, fmt.Errorf("unknown stock quantity %q", spec.Quantity)
	}
	locs, err := s.Locations(ctx)
	if err != nil {
		return StockResult{}, err
	}
	var places []place
	for _, m := range spec.Locations {
		p, err := resolve(ctx, o, m, locs)
		if err != nil {
			return StockResult{}, err
		}
		places = append(places, p)
	}
	var res StockResult
	err = s.StockLevels(ctx, len(locs), func(items []shopify.ItemStock) error {
		return exportStockPage(ctx, o, s, field, places, len(locs), items, &res)
	})
	return res, err
}

func resolve(ctx context.Context, o *odoo.Client, m v1.LocationMapping, locs []shopify.Location) (place, error) {
	var p place
	l, ok := shopify.FindLocation(locs, m.ShopifyLocation)
	if !ok {
		return p, fmt.Errorf("no active Shopify location %q", m.ShopifyLocation)
	}
	p.shopify = l.ID
	var err error
	if p.ctx, err = o.StockContext(ctx, m.OdooWarehouse, m.OdooLocation); err != nil {
		return p, err
	}
	if p.ctx == nil && m.OdooLocation != "" {
		return p, fmt.Errorf("no Odoo stock.location %q", m.OdooLocation)
	}
	if p.ctx == nil {
		return p, fmt.Errorf("no Odoo stock.warehouse %q", m.OdooWarehouse)
	}
	return p, nil
}

func exportStockPage(ctx context.Context, o *odoo.Client, s *shopify.Client, field string, places []place, nlocs int, items []shopify.ItemStock, res *StockResult) error {
	var skus []string
	for _, it := range items {
		if it.Tracked && it.SKU != "" {
			skus = append(skus, it.SKU)
		}
	}
	if len(skus) == 0 {
		return nil
	}
	products, err := o.ProductsByCode(ctx, skus)
	if err != nil {
		return err
	}
	var ids []int64
	for _, p := range products {
		ids = append(ids, p.ID)
	}
	want := map[[2]string]int{} // item, location -> quantity
	for _, pl := range places {
		qty, err := o.Quantities(ctx, ids, field, pl.ctx)
		if err != nil {
			return err
		}
		for _, it := range items {
			if p, ok := products[it.SKU]; ok && it.Tracked {
				want[[2]string{it.ItemID, pl.shopify}] = max(0, int(math.Floor(qty[p.ID])))
			}
		}
	}
	have := map[string]shopify.ItemStock{}
	for _, it := range items {
		if _, ok := products[it.SKU]; ok && it.Tracked {
			have[it.ItemID] = it
			res.Items++
		}
	}
	for range staleRetries {
		var batch []shopify.InventoryQuantity
		for k, q := range want {
			cur, stocked := have[k[0]].Available[k[1]]
			switch {
			case !stocked:
				if err := s.InventoryActivate(ctx, k[0], k[1], &q, ""); err != nil {
					return err
				}
				res.Activated++
			case cur == q:
				res.Unchanged++
			default:
				batch = append(batch, shopify.InventoryQuantity{InventoryItemID: k[0], LocationID: k[1], Quantity: q, ChangeFrom: &cur})
			}
			if !stocked || cur == q {
				delete(want, k)
			}
		}
		err := setQuantities(ctx, s, batch)
		var se *shopify.Error
		if !errors.As(err, &se) || !stale(se) {
			if err == nil {
				res.Sent += len(batch)
			}
			return err
		}
		// Another writer changed a quantity since it was read: read again.
		var ids []string
		for _, q := range batch {
			ids = append(ids, q.InventoryItemID)
		}
		fresh, err := s.ItemLevels(ctx, ids, nlocs)
		if err != nil {
			return err
		}
		for _, it := range fresh {
			it.SKU = have[it.ItemID].SKU
			have[it.ItemID] = it
		}
	}
	return fmt.Errorf("stock quantities kept changing in Shopify during %d attempts", staleRetries)
}

func stale(e *shopify.Error) bool {
	for _, u := range e.UserErrors {
		if u.Code == "CHANGE_FROM_QUANTITY_STALE" {
			return true
		}
	}
	return false
}

// setQuantities sends quantities in batches Shopify accepts. Each batch is
// an operation of its own with a new idempotency key, which the client's
// retries of it reuse: a later correction with the same numbers (Shopify's
// quantity moved back meanwhile) is a new operation, not a retry, and
// Shopify would answer a reused key with the first correction's result
// without applying it.
func setQuantities(ctx context.Context, s *shopify.Client, qs []shopify.InventoryQuantity) error {
	const perCall = 250
	for start := 0; start < len(qs); start += perCall {
		in := shopify.InventorySet{Name: "available", Reason: "correction", Quantities: qs[start:min(start+perCall, len(qs))]}
		if err := s.InventorySetQuantities(ctx, in, ""); err != nil {
			return err
		}
	}
	return nil
}
