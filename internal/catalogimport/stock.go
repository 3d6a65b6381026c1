package catalogimport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// stockPlace is a mapped Shopify location and the Odoo location its stock
// goes to.
type stockPlace struct {
	shopify, name string // GID and name
	odoo          int64
	odooName      string
}

// Stock sets, for each variant of ids, the Odoo quantity at the Odoo
// location each mapped Shopify location stocking it goes to: Shopify's
// available quantity, by an inventory count Odoo applies. Only quantities
// that differ are counted, so importing again records no adjustment.
// Variants are matched by SKU, then barcode, as orders match them; one
// Odoo lacks, or does not count by plain quantities, fails its line.
// Stock at a Shopify location the mapping leaves out fails the line too,
// once the mapped locations are set: it is reported, never put elsewhere.
func (im *Importer) Stock(ctx context.Context, ids []string) ([]Result, error) {
	if len(im.Locations) == 0 {
		return nil, errors.New("spec.stock.locations maps no Shopify location to an Odoo one: map them to import stock")
	}
	locs, err := im.Shopify.Locations(ctx)
	if err != nil {
		return nil, err
	}
	places, err := im.stockPlaces(ctx, locs)
	if err != nil {
		return nil, err
	}
	variants, err := im.Shopify.VariantLevels(ctx, ids, len(locs))
	if err != nil {
		return nil, err
	}
	byID := results(ids, variants, func(v shopify.VariantStock) (string, string) { return v.LegacyResourceID, v.Name })
	products, err := im.stockProducts(ctx, variants, byID)
	if err != nil {
		return nil, err
	}
	notes := map[string][]string{} // variant: what was done at each place
	for _, pl := range places {
		if err := im.countAt(ctx, pl, variants, products, byID, notes); err != nil {
			failAll(byID, err)
			return ordered(ids, byID), nil
		}
	}
	names := map[string]string{}
	for _, l := range locs {
		names[l.ID] = l.Name
	}
	for _, v := range variants {
		r := byID[v.LegacyResourceID]
		if r.State != v1.LineDone {
			continue
		}
		r.Message = cmp.Or(strings.Join(notes[v.LegacyResourceID], "; "), "stocked at none of the mapped locations: nothing to set")
		var left []string
		for _, loc := range slices.Sorted(maps.Keys(v.Stock.Available)) {
			if n := v.Stock.Available[loc]; n != 0 && !slices.ContainsFunc(places, func(p stockPlace) bool { return p.shopify == loc }) {
				left = append(left, fmt.Sprintf("%d at %s", n, names[loc]))
			}
		}
		if len(left) > 0 {
			r.State = v1.LineFailed
			r.Message = fmt.Sprintf("not imported: %s, which spec.stock.locations does not map; %s", strings.Join(left, ", "), r.Message)
		}
	}
	return ordered(ids, byID), nil
}

// stockPlaces resolves spec.stock.locations; a mapping naming a location
// that does not exist stops the import, as nothing could go where it says.
func (im *Importer) stockPlaces(ctx context.Context, locs []shopify.Location) ([]stockPlace, error) {
	var out []stockPlace
	for _, m := range im.Locations {
		loc, ok := shopify.FindLocation(locs, m.ShopifyLocation)
		if !ok {
			return nil, fmt.Errorf("spec.stock.locations names Shopify location %q, which is not an active location of the shop", m.ShopifyLocation)
		}
		id, err := im.Odoo.StockLocation(ctx, m.OdooWarehouse, m.OdooLocation)
		if err != nil {
			return nil, err
		}
		name := "warehouse " + m.OdooWarehouse
		if m.OdooLocation != "" {
			name = m.OdooLocation
		}
		if id == 0 {
			return nil, fmt.Errorf("spec.stock.locations maps %q to Odoo %s, which does not exist", m.ShopifyLocation, name)
		}
		out = append(out, stockPlace{shopify: loc.ID, name: loc.Name, odoo: id, odooName: name})
	}
	return out, nil
}

// stockProducts matches the variants whose inventory Shopify tracks with
// Odoo's storable products without lots, by SKU then barcode, and fails or
// skips the lines of the others.
func (im *Importer) stockProducts(ctx context.Context, variants []shopify.VariantStock, byID map[string]*Result) (map[string]odoo.Product, error) {
	var codes, barcodes []string
	for _, v := range variants {
		if v.SKU != "" {
			codes = append(codes, v.SKU)
		}
		if v.Barcode != "" {
			barcodes = append(barcodes, v.Barcode)
		}
	}
	byCode, err := im.Odoo.ProductsByCode(ctx, codes)
	if err != nil {
		return nil, err
	}
	byBarcode, err := im.Odoo.ProductsByBarcode(ctx, barcodes)
	if err != nil {
		return nil, err
	}
	out := map[string]odoo.Product{}
	var storable []int64
	for _, v := range variants {
		r := byID[v.LegacyResourceID]
		p, ok := byCode[v.SKU]
		if !ok || v.SKU == "" {
			p, ok = byBarcode[v.Barcode]
			ok = ok && v.Barcode != ""
		}
		switch {
		case !v.Stock.Tracked:
			r.State, r.Message = v1.LineSkipped, "Shopify does not track this variant's inventory: no quantity to import"
		case !ok:
			r.State, r.Message = v1.LineFailed, fmt.Sprintf("no Odoo product has SKU %q or barcode %q: import the product or give it this internal reference in Odoo", v.SKU, v.Barcode)
		case !p.Storable():
			r.State, r.Message = v1.LineFailed, fmt.Sprintf("Odoo product %s is not tracked in stock (a consumable or service): make it a storable product", p.Name)
		default:
			r.OdooID = p.ID
			out[v.LegacyResourceID] = p
			storable = append(storable, p.ID)
		}
	}
	if len(storable) == 0 {
		return out, nil
	}
	tracked, err := im.Odoo.Tracked(ctx, storable)
	if err != nil {
		return nil, err
	}
	for id, p := range out {
		if tracked[p.ID] {
			byID[id].State, byID[id].Message = v1.LineFailed, fmt.Sprintf("Odoo product %s is tracked by lots or serial numbers: count its lots in Odoo", p.Name)
			delete(out, id)
		}
	}
	return out, nil
}

// countAt counts, at one place, the matched variants Shopify stocks there
// whose Odoo quantity differs, and notes what it did for each.
func (im *Importer) countAt(ctx context.Context, pl stockPlace, variants []shopify.VariantStock, products map[string]odoo.Product,
	byID map[string]*Result, notes map[string][]string) error {
	var pids []int64
	for _, p := range products {
		pids = append(pids, p.ID)
	}
	if len(pids) == 0 {
		return nil
	}
	have, err := im.Odoo.OnHand(ctx, pl.odoo, pids)
	if err != nil {
		return err
	}
	counts := map[int64]float64{}
	for _, v := range variants {
		p, matched := products[v.LegacyResourceID]
		want, stocked := v.Stock.Available[pl.shopify]
		if !matched || !stocked {
			continue
		}
		note := fmt.Sprintf("%s: %d in %s", pl.name, want, pl.odooName)
		if have[p.ID] == float64(want) {
			note += ", unchanged"
		} else {
			counts[p.ID] = float64(want)
			note += fmt.Sprintf(" (was %g)", have[p.ID])
		}
		notes[v.LegacyResourceID] = append(notes[v.LegacyResourceID], note)
	}
	return im.Odoo.ApplyCounts(ctx, pl.odoo, counts)
}
