package shopify

import (
	"context"

	"github.com/shopify-odoo/connector/internal/keys"
)

// VariantRefs calls fn on every variant matching query.
func (c *Client) VariantRefs(ctx context.Context, query string, fn func(Record) error) error {
	return pages(ctx, c, "VariantRefs", map[string]any{"first": 250, "query": query}, fn)
}

// VariantStock is a variant with its inventory item's available quantity
// at each location stocking it.
type VariantStock struct {
	LegacyResourceID string
	SKU, Barcode     string
	Name             string // the product's title and the variant's
	Stock            ItemStock
}

// VariantLevels reads variants by numeric id or GID with their available
// quantities at up to locations locations; variants Shopify does not
// return are left out.
func (c *Client) VariantLevels(ctx context.Context, ids []string, locations int) ([]VariantStock, error) {
	var out []VariantStock
	per := levelsPage(locations)
	for start := 0; start < len(ids); start += per {
		var gids []string
		for _, id := range ids[start:min(start+per, len(ids))] {
			gids = append(gids, keys.GID(keys.TypeProductVariant, id))
		}
		var data struct {
			Nodes []*struct {
				LegacyResourceID string `json:"legacyResourceId"`
				SKU              string `json:"sku"`
				Barcode          string `json:"barcode"`
				Title            string `json:"title"`
				Product          struct {
					Title string `json:"title"`
				} `json:"product"`
				Item *itemNode `json:"inventoryItem"`
			} `json:"nodes"`
		}
		if err := c.do(ctx, doc("VariantLevels"), map[string]any{"ids": gids, "locations": locations}, &data); err != nil {
			return nil, err
		}
		for _, n := range data.Nodes {
			if n == nil || n.LegacyResourceID == "" || n.Item == nil {
				continue
			}
			name := n.Product.Title
			if n.Title != "" && n.Title != "Default Title" {
				name += " - " + n.Title
			}
			out = append(out, VariantStock{LegacyResourceID: n.LegacyResourceID, SKU: n.SKU, Barcode: n.Barcode, Name: name, Stock: n.Item.stock(n.SKU)})
		}
	}
	return out, nil
}
