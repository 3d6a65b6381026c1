package odoo

import (
	"context"
	"encoding/json"
	"slices"
)

// The calls of the product and stock export.

// CountTemplates counts the product templates of domain.
func (c *Client) CountTemplates(ctx context.Context, domain Domain) (int, error) {
	var n int
	err := c.Call(ctx, "product.template", "search_count", []any{nonNil(domain)}, nil, &n)
	return n, err
}

// TemplatesAfter reads fields of up to limit product templates of domain
// whose id is above after, by id: a page that a template created meanwhile
// cannot shift.
func (c *Client) TemplatesAfter(ctx context.Context, domain Domain, after int64, fields []string, limit int) ([]map[string]json.RawMessage, error) {
	var page []map[string]json.RawMessage
	d := append(slices.Clone(domain), Cond("id", ">", after))
	err := c.SearchRead(ctx, "product.template", d, fields, limit, "id", &page)
	return page, err
}

// VariantsOf reads fields of the templates' variants, by id, into out: a
// pointer to a slice of structs embedding Product.
func (c *Client) VariantsOf(ctx context.Context, templateIDs []int64, fields []string, out any) error {
	return c.SearchRead(ctx, "product.product", Domain{In("product_tmpl_id", templateIDs)}, fields, 0, "id", out)
}

// CodeCounts counts the active variants having each of codes as internal
// reference.
func (c *Client) CodeCounts(ctx context.Context, codes []string) (map[string]int, error) {
	var rows []struct {
		Code Text `json:"default_code"`
	}
	err := c.SearchRead(ctx, "product.product", Domain{In("default_code", codes)}, []string{"default_code"}, 0, "", &rows)
	out := map[string]int{}
	for _, r := range rows {
		out[string(r.Code)]++
	}
	return out, err
}

// TagNames maps product.tag ids to names.
func (c *Client) TagNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return c.field(ctx, "product.tag", "name", ids)
}

// CountryCodes maps res.country ids to ISO codes.
func (c *Client) CountryCodes(ctx context.Context, ids []int64) (map[int64]string, error) {
	return c.field(ctx, "res.country", "code", ids)
}

func (c *Client) field(ctx context.Context, model, field string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []map[string]any
	err := c.Read(ctx, model, ids, []string{field}, &rows)
	for _, r := range rows {
		id, _ := r["id"].(float64)
		out[int64(id)], _ = r[field].(string)
	}
	return out, err
}

// CategoryID finds a product category by its full name; 0 when none.
func (c *Client) CategoryID(ctx context.Context, completeName string) (int64, error) {
	ids, err := c.Search(ctx, "product.category", Domain{Cond("complete_name", "=", completeName)}, 1)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// Stamp is when a record was last written.
type Stamp struct {
	ID        int64 `json:"id"`
	WriteDate Text  `json:"write_date"`
}

// PricelistStamps are the stamps of a pricelist's rules, by id: they
// change whenever a rule does.
func (c *Client) PricelistStamps(ctx context.Context, pricelistID int64) ([]Stamp, error) {
	var items []Stamp
	err := c.SearchRead(ctx, "product.pricelist.item", Domain{Cond("pricelist_id", "=", pricelistID)}, []string{"write_date"}, 0, "id", &items)
	return items, err
}

// StockContext is the context that makes product quantities those of a
// warehouse (by code) or else a location (by full name); nil when Odoo has
// neither.
func (c *Client) StockContext(ctx context.Context, warehouse, location string) (map[string]any, error) {
	model, field, key, value := "stock.warehouse", "code", "warehouse", warehouse
	if location != "" {
		model, field, key, value = "stock.location", "complete_name", "location", location
	}
	ids, err := c.Search(ctx, model, Domain{Cond(field, "=", value)}, 1)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return map[string]any{key: ids[0]}, nil
}

// Quantities reads a quantity field (qty_available, free_qty, ...) of
// products in a StockContext.
func (c *Client) Quantities(ctx context.Context, ids []int64, field string, stockCtx map[string]any) (map[int64]float64, error) {
	var rows []map[string]any
	if err := c.Call(ctx, "product.product", "read", []any{ids}, map[string]any{"fields": []string{field}, "context": stockCtx}, &rows); err != nil {
		return nil, err
	}
	out := map[int64]float64{}
	for _, r := range rows {
		id, _ := r["id"].(float64)
		out[int64(id)], _ = r[field].(float64)
	}
	return out, nil
}

// imageChunk is how many records' images one read asks for: images are
// large, so they are read apart from the rest, hashed and let go, and only
// those Shopify lacks are read again to be uploaded.
const imageChunk = 10

// Images reads the image (base64, empty when none) of each product.template
// or product.product of ids, imageChunk records a call; a reply over the
// client's bound is asked for again in halves.
func (c *Client) Images(ctx context.Context, model string, ids []int64, fn func(id int64, image string)) error {
	field := "image_1920"
	if model == "product.product" {
		field = "image_variant_1920"
	}
	ids = slices.Sorted(slices.Values(ids))
	for n := imageChunk; len(ids) > 0; {
		n = min(n, len(ids))
		var rows []struct {
			ID      int64 `json:"id"`
			Image   Text  `json:"image_1920"`
			Variant Text  `json:"image_variant_1920"`
		}
		err := c.Read(ctx, model, ids[:n], []string{field}, &rows)
		if IsKind(err, TooLarge) && n > 1 {
			n /= 2
			continue
		}
		if err != nil {
			return err
		}
		for _, r := range rows {
			fn(r.ID, string(r.Image)+string(r.Variant))
		}
		ids = ids[n:]
	}
	return nil
}
