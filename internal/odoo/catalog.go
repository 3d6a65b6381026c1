package odoo

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// The calls of the product and customer import. Those reading into out
// take a pointer to a slice of the caller's structs.

// Named is a record with its name.
type Named struct {
	ID   int64 `json:"id"`
	Name Text  `json:"name"`
}

// ContactFields reads fields of contacts as maps.
func (c *Client) ContactFields(ctx context.Context, ids []int64, fields []string) ([]map[string]any, error) {
	var rows []map[string]any
	err := c.Read(ctx, "res.partner", ids, fields, &rows)
	return rows, err
}

// AddressesOf reads the parent_id, type, street and zip of the contacts'
// children, by id.
func (c *Client) AddressesOf(ctx context.Context, parentIDs []int64, out any) error {
	return c.SearchRead(ctx, "res.partner", Domain{In("parent_id", parentIDs)}, []string{"parent_id", "type", "street", "zip"}, 0, "id", out)
}

// AddAddresses creates child contacts, each vals naming its parent_id.
func (c *Client) AddAddresses(ctx context.Context, vals []map[string]any) error {
	_, err := c.Create(ctx, "res.partner", vals)
	return err
}

// UpdateContacts writes vals to contacts, one call per distinct vals.
func (c *Client) UpdateContacts(ctx context.Context, vals map[int64]map[string]any) error {
	return c.writeGrouped(ctx, "res.partner", vals)
}

// SetTemplateValues writes vals to template attribute values (price_extra),
// one call per distinct vals.
func (c *Client) SetTemplateValues(ctx context.Context, vals map[int64]map[string]any) error {
	return c.writeGrouped(ctx, "product.template.attribute.value", vals)
}

func (c *Client) writeGrouped(ctx context.Context, model string, vals map[int64]map[string]any) error {
	groups := map[string][]int64{}
	first := map[string]map[string]any{}
	for id, v := range vals {
		k := fmt.Sprint(v)
		groups[k] = append(groups[k], id)
		first[k] = v
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		ids := groups[k]
		slices.Sort(ids)
		if err := c.Write(ctx, model, ids, first[k]); err != nil {
			return err
		}
	}
	return nil
}

// PartnerCategories finds contact tags by name, creating the missing ones.
func (c *Client) PartnerCategories(ctx context.Context, names []string) (map[string]int64, error) {
	return c.named(ctx, "res.partner.category", names)
}

// Attributes finds product attributes by name, creating the missing ones.
func (c *Client) Attributes(ctx context.Context, names []string) (map[string]int64, error) {
	return c.named(ctx, "product.attribute", names)
}

// named finds records of model by name, the oldest first, creating the
// missing ones in one call.
func (c *Client) named(ctx context.Context, model string, names []string) (map[string]int64, error) {
	var rows []Named
	if err := c.SearchRead(ctx, model, Domain{In("name", names)}, []string{"name"}, 0, "id", &rows); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		if out[string(r.Name)] == 0 {
			out[string(r.Name)] = r.ID
		}
	}
	var missing []string
	var vals []map[string]any
	for _, n := range names {
		if out[n] == 0 && !slices.Contains(missing, n) {
			missing = append(missing, n)
			vals = append(vals, map[string]any{"name": n})
		}
	}
	if len(vals) == 0 {
		return out, nil
	}
	ids, err := c.Create(ctx, model, vals)
	if err != nil {
		return nil, err
	}
	for i, n := range missing {
		out[n] = ids[i]
	}
	return out, nil
}

// ValuesOf lists the values of product attributes, by id.
func (c *Client) ValuesOf(ctx context.Context, attributeIDs []int64) ([]AttributeValue, error) {
	var rows []AttributeValue
	err := c.SearchRead(ctx, "product.attribute.value", Domain{In("attribute_id", attributeIDs)}, []string{"name", "attribute_id"}, 0, "id", &rows)
	return rows, err
}

// CreateValues creates product attribute values.
func (c *Client) CreateValues(ctx context.Context, vals []map[string]any) ([]int64, error) {
	return c.Create(ctx, "product.attribute.value", vals)
}

// CreateTemplates creates product templates. Never repeated: find them by
// OwnTemplates after an error.
func (c *Client) CreateTemplates(ctx context.Context, vals []map[string]any) ([]int64, error) {
	return c.Create(ctx, "product.template", vals)
}

// WriteTemplate writes vals to a product template.
func (c *Client) WriteTemplate(ctx context.Context, id int64, vals map[string]any) error {
	return c.Write(ctx, "product.template", []int64{id}, vals)
}

// OwnTemplates finds the templates of names that the connector's user
// created and no external id names: creates whose reply was lost.
func (c *Client) OwnTemplates(ctx context.Context, names []string) ([]Named, error) {
	var rows []Named
	if err := c.SearchRead(ctx, "product.template", Domain{In("name", names), Cond("create_uid", "=", c.uid)},
		[]string{"name"}, 0, "id", &rows); err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var marked []struct {
		ResID int64 `json:"res_id"`
	}
	if err := c.SearchRead(ctx, "ir.model.data", Domain{Cond("model", "=", "product.template"), In("res_id", ids)},
		[]string{"res_id"}, 0, "", &marked); err != nil {
		return nil, err
	}
	taken := map[int64]bool{}
	for _, m := range marked {
		taken[m.ResID] = true
	}
	return slices.DeleteFunc(rows, func(r Named) bool { return taken[r.ID] }), nil
}

// TemplateTexts reads the name, description_sale and list_price of templates.
func (c *Client) TemplateTexts(ctx context.Context, ids []int64, out any) error {
	return c.Read(ctx, "product.template", ids, []string{"name", "description_sale", "list_price"}, out)
}

// AttributeLinesOf reads the templates' attribute lines: template,
// attribute and values, by id.
func (c *Client) AttributeLinesOf(ctx context.Context, templateIDs []int64, out any) error {
	return c.SearchRead(ctx, "product.template.attribute.line", Domain{In("product_tmpl_id", templateIDs)},
		[]string{"product_tmpl_id", "attribute_id", "value_ids"}, 0, "id", out)
}

// SetVariantImage writes one image, base64, as the variants' own.
func (c *Client) SetVariantImage(ctx context.Context, ids []int64, image string) error {
	return c.Write(ctx, "product.product", ids, map[string]any{"image_variant_1920": image})
}

// VariantKeysOf reads the template, internal reference, barcode and
// template attribute values of the templates' variants, by id.
func (c *Client) VariantKeysOf(ctx context.Context, templateIDs []int64, out any) error {
	return c.SearchRead(ctx, "product.product", Domain{In("product_tmpl_id", templateIDs)},
		[]string{"product_tmpl_id", "default_code", "barcode", "product_template_attribute_value_ids"}, 0, "id", out)
}

// TemplateValues reads the attribute value and price_extra of template
// attribute values.
func (c *Client) TemplateValues(ctx context.Context, ids []int64, out any) error {
	return c.Read(ctx, "product.template.attribute.value", ids, []string{"product_attribute_value_id", "price_extra"}, out)
}
