package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
		ids, err := o.Search(ctx, "product.category", odoo.Domain{odoo.Cond("complete_name", "=", sel.Category)}, 1)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, settingsErrorf("no Odoo product category %q", sel.Category)
		}
		return odoo.Domain{odoo.Cond("categ_id", "child_of", ids[0])}, nil
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
		found, err := o.Search(ctx, "product.pricelist", odoo.Domain{odoo.Cond("name", "=", name)}, 1)
		if err != nil {
			return nil, "", err
		}
		if len(found) == 0 {
			return nil, "", settingsErrorf("no Odoo pricelist %q", name)
		}
		ids[i] = found[0]
		var items []struct {
			ID        int64     `json:"id"`
			WriteDate odoo.Text `json:"write_date"`
		}
		if err := o.SearchRead(ctx, "product.pricelist.item", odoo.Domain{odoo.Cond("pricelist_id", "=", ids[i])},
			[]string{"write_date"}, 0, "id", &items); err != nil {
			return nil, "", err
		}
		fmt.Fprintf(h, "%d:%v;", ids[i], items)
	}
	return ids, hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// count is search_count.
func count(ctx context.Context, o *odoo.Client, model string, d odoo.Domain) (int, error) {
	var n int
	if d == nil {
		d = odoo.Domain{}
	}
	err := o.Call(ctx, model, "search_count", []any{d}, nil, &n)
	return n, err
}
