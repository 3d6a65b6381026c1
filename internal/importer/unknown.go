package importer

import (
	"context"
	"fmt"
	"maps"
	"slices"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// NewProducts are the Shopify products orders name that Odoo lacks, to be
// imported as the product import does (spec.orders.unknownProducts Create).
type NewProducts struct {
	IDs      []string        // numeric Shopify product ids
	Untaxed  map[string]bool // sold without tax: no sales taxes in Odoo
	Type     v1.ProductType
	Category int64 // product.category of new templates
}

// ProductCreator imports products for the order import: the product import,
// which links each to its Shopify product by external id, so that a later
// product import updates it instead of making a twin. It returns why each
// product it could not import failed, by id.
type ProductCreator interface {
	CreateProducts(ctx context.Context, p NewProducts) (failed map[string]ProductFailure, err error)
}

// ProductFailure is why a product was not imported.
type ProductFailure struct {
	Message string
	Retry   bool // the failure may pass on its own
}

// createUnknown imports from Shopify the products of the lines products
// lacks, then looks their SKUs up again. An order whose product cannot be
// imported fails, naming the SKU and why.
func (r *run) createUnknown(ctx context.Context, its []*item, products map[string]int64) (_ map[string]int64, err error) {
	want := NewProducts{Untaxed: map[string]bool{}, Type: r.s.Orders.ProductType, Category: r.refs.Category}
	lines := map[*item][]Line{}
	for _, it := range its {
		for _, l := range it.plan.Lines {
			if l.Role != RoleProduct || l.Product == "" || known(products, l) {
				continue
			}
			lines[it] = append(lines[it], l)
			if !slices.Contains(want.IDs, l.Product) {
				want.IDs = append(want.IDs, l.Product)
				want.Untaxed[l.Product] = l.Untaxed
			}
		}
	}
	if len(want.IDs) == 0 {
		return products, nil
	}
	failed := map[string]ProductFailure{}
	if r.im.Products == nil { // an importer made without the catalogue
		for _, id := range want.IDs {
			failed[id] = ProductFailure{Message: "this import cannot create products"}
		}
	} else if failed, err = r.im.Products.CreateProducts(ctx, want); err != nil {
		return nil, err
	}
	var again []*item
	for it, ls := range lines {
		for _, l := range ls {
			if f, ok := failed[l.Product]; ok && it.plan != nil {
				it.fail(f.Retry, fmt.Sprintf("SKU %s (%s) is unknown in Odoo and importing its product from Shopify failed: %s", l.SKU, l.Name, f.Message))
			}
		}
		if it.plan != nil {
			again = append(again, it)
		}
	}
	found, err := r.products(ctx, again)
	if err != nil {
		return nil, err
	}
	for it, ls := range lines {
		for _, l := range ls {
			if it.plan != nil && known(found, l) {
				it.did("product " + l.SKU + " imported from Shopify")
			}
		}
	}
	maps.Copy(products, found)
	return products, nil
}

// known says whether a line's product was found, by SKU or barcode.
func known(products map[string]int64, l Line) bool {
	_, ok := products[l.SKU]
	if !ok && l.Barcode != "" {
		_, ok = products["barcode:"+l.Barcode]
	}
	return ok
}
