package odoo

import (
	"context"
)

// Countries maps ISO codes to res.country ids.
func (c *Client) Countries(ctx context.Context, codes []string) (map[string]int64, error) {
	var rows []struct {
		ID   int64 `json:"id"`
		Code Text  `json:"code"`
	}
	err := c.SearchRead(ctx, "res.country", Domain{In("code", codes)}, []string{"code"}, 0, "", &rows)
	out := map[string]int64{}
	for _, r := range rows {
		out[string(r.Code)] = r.ID
	}
	return out, err
}

// StateKey names a state by the ISO codes of its country and of itself.
type StateKey struct{ Country, State string }

// States maps country/state codes to res.country.state ids in one call.
func (c *Client) States(ctx context.Context, keys []StateKey) (map[StateKey]int64, error) {
	var countries, states []string
	for _, k := range keys {
		countries, states = append(countries, k.Country), append(states, k.State)
	}
	var rows []struct {
		ID      int64    `json:"id"`
		Code    Text     `json:"code"`
		Country Many2One `json:"country_id"`
	}
	err := c.SearchRead(ctx, "res.country.state", Domain{In("country_id.code", countries), In("code", states)},
		[]string{"code", "country_id"}, 0, "", &rows)
	if err != nil {
		return nil, err
	}
	ids := map[int64]string{}
	if len(rows) > 0 {
		var cs []struct {
			ID   int64 `json:"id"`
			Code Text  `json:"code"`
		}
		var cids []int64
		for _, r := range rows {
			cids = append(cids, r.Country.ID)
		}
		if err := c.Read(ctx, "res.country", cids, []string{"code"}, &cs); err != nil {
			return nil, err
		}
		for _, c := range cs {
			ids[c.ID] = string(c.Code)
		}
	}
	out := map[StateKey]int64{}
	for _, r := range rows {
		out[StateKey{ids[r.Country.ID], string(r.Code)}] = r.ID
	}
	return out, nil
}

// Partner is a res.partner as the connector uses it.
type Partner struct {
	ID       int64    `json:"id"`
	Name     Text     `json:"name"`
	Email    Text     `json:"email"`
	Ref      Text     `json:"ref"`
	Type     Text     `json:"type"`
	Parent   Many2One `json:"parent_id"`
	ChildIDs []int64  `json:"child_ids"`
}

var partnerFields = []string{"name", "email", "ref", "type", "parent_id", "child_ids"}

// NewPartner is a customer with optional invoice and delivery addresses,
// created as child contacts in the same call.
type NewPartner struct {
	Vals     map[string]any
	Invoice  map[string]any
	Delivery map[string]any
	// More are further delivery addresses.
	More []map[string]any
}

// PartnerIDs are the ids of a created customer and its addresses; an
// address not given is the customer itself.
type PartnerIDs struct{ ID, InvoiceID, DeliveryID int64 }

// CreateContacts creates customers with their addresses as child contacts,
// all in one call, and returns the customers' ids in order.
func (c *Client) CreateContacts(ctx context.Context, ps []NewPartner) ([]int64, error) {
	vals := make([]map[string]any, len(ps))
	for i, p := range ps {
		v := map[string]any{}
		for k, x := range p.Vals {
			v[k] = x
		}
		var children []any
		for i, a := range append([]map[string]any{p.Invoice, p.Delivery}, p.More...) {
			if a != nil {
				child := map[string]any{"type": "delivery"}
				if i == 0 {
					child["type"] = "invoice"
				}
				for k, x := range a {
					child[k] = x
				}
				children = append(children, []any{0, 0, child})
			}
		}
		if children != nil {
			v["child_ids"] = children
		}
		vals[i] = v
	}
	return c.Create(ctx, "res.partner", vals)
}

// Product is a product.product variant.
type Product struct {
	ID                int64    `json:"id"`
	Code              Text     `json:"default_code"`
	Barcode           Text     `json:"barcode"`
	Name              Text     `json:"display_name"`
	Template          Many2One `json:"product_tmpl_id"`
	Price             float64  `json:"lst_price"`
	TemplatePrice     float64  `json:"list_price"`
	Type              Text     `json:"type"`
	IsStorable        bool     `json:"is_storable"`
	AttributeValueIDs []int64  `json:"product_template_attribute_value_ids"`
	TaxIDs            []int64  `json:"taxes_id"`
	InvoicePolicy     Text     `json:"invoice_policy"`
	Weight            float64  `json:"weight"`
}

// Storable tells whether stock is tracked for the product.
func (p Product) Storable() bool { return p.IsStorable || p.Type == "product" }

func (c *Client) products(ctx context.Context, field string, keys []string, key func(Product) Text) (map[string]Product, error) {
	var rows []Product
	err := c.SearchRead(ctx, "product.product", Domain{In(field, keys)}, c.adapter.ProductFields(), 0, "id", &rows)
	out := map[string]Product{}
	for _, p := range rows {
		out[string(key(p))] = p
	}
	return out, err
}

// ProductsByCode finds variants by internal reference (SKU).
func (c *Client) ProductsByCode(ctx context.Context, codes []string) (map[string]Product, error) {
	return c.products(ctx, "default_code", codes, func(p Product) Text { return p.Code })
}

// ProductsByBarcode finds variants by barcode.
func (c *Client) ProductsByBarcode(ctx context.Context, barcodes []string) (map[string]Product, error) {
	return c.products(ctx, "barcode", barcodes, func(p Product) Text { return p.Barcode })
}

// AttributeValue is a variant's value of one attribute, e.g. Size: M.
type AttributeValue struct {
	ID        int64    `json:"id"`
	Name      Text     `json:"name"`
	Attribute Many2One `json:"attribute_id"`
}

// AttributeValues reads product.template.attribute.value records.
func (c *Client) AttributeValues(ctx context.Context, ids []int64) (map[int64]AttributeValue, error) {
	var rows []AttributeValue
	err := c.Read(ctx, "product.template.attribute.value", ids, []string{"name", "attribute_id"}, &rows)
	out := map[int64]AttributeValue{}
	for _, v := range rows {
		out[v.ID] = v
	}
	return out, err
}

// PricelistPrices computes the unit price of each product for qty from the
// pricelist's fixed and percentage rules (variant, then template, then
// global), falling back to the sales price.
func (c *Client) PricelistPrices(ctx context.Context, pricelistID int64, products []Product, qty float64) (map[int64]float64, error) {
	var items []struct {
		AppliedOn Text     `json:"applied_on"`
		Product   Many2One `json:"product_id"`
		Template  Many2One `json:"product_tmpl_id"`
		MinQty    float64  `json:"min_quantity"`
		Compute   Text     `json:"compute_price"`
		Fixed     float64  `json:"fixed_price"`
		Percent   float64  `json:"percent_price"`
	}
	if err := c.SearchRead(ctx, "product.pricelist.item", Domain{Cond("pricelist_id", "=", pricelistID)},
		[]string{"applied_on", "product_id", "product_tmpl_id", "min_quantity", "compute_price", "fixed_price", "percent_price"}, 0, "", &items); err != nil {
		return nil, err
	}
	out := map[int64]float64{}
	for _, p := range products {
		out[p.ID] = p.Price
		best := 4
		for _, it := range items {
			rank := map[Text]int{"0_product_variant": 0, "1_product": 1, "3_global": 3}[it.AppliedOn]
			match := it.AppliedOn == "3_global" || it.AppliedOn == "0_product_variant" && it.Product.ID == p.ID ||
				it.AppliedOn == "1_product" && it.Template.ID == p.Template.ID
			if !match || it.MinQty > qty || rank >= best {
				continue
			}
			switch it.Compute {
			case "fixed":
				out[p.ID], best = it.Fixed, rank
			case "percentage":
				out[p.ID], best = p.Price*(1-it.Percent/100), rank
			}
		}
	}
	return out, nil
}

// TaxKey identifies a sale tax by rate and whether prices include it.
type TaxKey struct {
	Rate     float64
	Included bool
}

// Taxes finds sale percent taxes by rate and price-include flag; the first
// by sequence wins when several match.
func (c *Client) Taxes(ctx context.Context, keys []TaxKey) (map[TaxKey]int64, error) {
	var rates []float64
	for _, k := range keys {
		rates = append(rates, k.Rate)
	}
	var rows []struct {
		ID       int64   `json:"id"`
		Amount   float64 `json:"amount"`
		Included bool    `json:"price_include"`
	}
	err := c.SearchRead(ctx, "account.tax", Domain{Cond("type_tax_use", "=", "sale"), Cond("amount_type", "=", "percent"), In("amount", rates)},
		[]string{"amount", "price_include"}, 0, "", &rows)
	out := map[TaxKey]int64{}
	for _, r := range rows {
		k := TaxKey{r.Amount, r.Included}
		if _, seen := out[k]; !seen {
			out[k] = r.ID
		}
	}
	return out, err
}

// Journal is an account.journal.
type Journal struct {
	ID   int64 `json:"id"`
	Name Text  `json:"name"`
	Code Text  `json:"code"`
	Type Text  `json:"type"`
}

// journals lists journals of the given types (sale, bank, cash, ...).
func (c *Client) journals(ctx context.Context, types ...string) ([]Journal, error) {
	var rows []Journal
	err := c.SearchRead(ctx, "account.journal", Domain{In("type", types)}, []string{"name", "code", "type"}, 0, "", &rows)
	return rows, err
}

// ExternalID is an ir.model.data entry: module.name pointing at model/res_id.
type ExternalID struct {
	Name  string
	Model string
	ResID int64
}

// CreateExternalIDs records external ids in module in one call. Odoo
// refuses a module.name that exists (ValidationError).
func (c *Client) CreateExternalIDs(ctx context.Context, module string, xids []ExternalID) error {
	vals := make([]map[string]any, len(xids))
	for i, x := range xids {
		vals[i] = map[string]any{"module": module, "name": x.Name, "model": x.Model, "res_id": x.ResID}
	}
	_, err := c.Create(ctx, "ir.model.data", vals)
	return err
}

// ExternalIDs resolves names in module to record ids of model.
func (c *Client) ExternalIDs(ctx context.Context, module, model string, names []string) (map[string]int64, error) {
	var rows []struct {
		Name  Text  `json:"name"`
		ResID int64 `json:"res_id"`
	}
	err := c.SearchRead(ctx, "ir.model.data", Domain{Cond("module", "=", module), Cond("model", "=", model), In("name", names)},
		[]string{"name", "res_id"}, 0, "", &rows)
	out := map[string]int64{}
	for _, r := range rows {
		out[string(r.Name)] = r.ResID
	}
	return out, err
}
