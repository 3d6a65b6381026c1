package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
)

// selectorDomain turns a ProductSelector into a product.template domain.
func selectorDomain(ctx context.Context, o *odoo.Client, sel v1.ProductSelector) (odoo.Domain, error) {
	switch {
	case len(sel.IDs) > 0:
		return odoo.Domain{odoo.In("id", sel.IDs)}, nil
	case len(sel.DefaultCodes) > 0:
		return odoo.Domain{odoo.In("product_variant_ids.default_code", sel.DefaultCodes)}, nil
	case sel.Category != "":
		id, err := o.CategoryID(ctx, sel.Category)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			return nil, settingsErrorf("no Odoo product category %q", sel.Category)
		}
		return odoo.Domain{odoo.Cond("categ_id", "child_of", id)}, nil
	case sel.Domain != "":
		var d odoo.Domain
		if err := json.Unmarshal([]byte(sel.Domain), &d); err != nil {
			return nil, settingsErrorf("selector domain is not a JSON list: %v", err)
		}
		return d, nil
	}
	return nil, settingsErrorf("the selector names no products")
}

// pricelists resolves pricelist names to ids (0 for an empty name) and
// returns a key that changes whenever one of their rules changes.
func pricelists(ctx context.Context, o *odoo.Client, names ...string) ([]int64, string, error) {
	ids := make([]int64, len(names))
	h := sha256.New()
	for i, name := range names {
		if name == "" {
			continue
		}
		refs, err := o.Resolve(ctx, odoo.Names{Pricelist: name})
		if u := (*odoo.Unresolved)(nil); errors.As(err, &u) {
			return nil, "", settingsErrorf("no Odoo pricelist %q", name)
		}
		if err != nil {
			return nil, "", err
		}
		ids[i] = refs.Pricelist
		items, err := o.PricelistStamps(ctx, ids[i])
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(h, "%d:%v;", ids[i], items)
	}
	return ids, hex.EncodeToString(h.Sum(nil)[:8]), nil
}
