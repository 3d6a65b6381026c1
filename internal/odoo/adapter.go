package odoo

import (
	"context"
	"maps"
	"slices"
)

// Adapter answers the questions whose answer depends on the Odoo version,
// from the server's fields_get, so that callers never hard-code them.
type Adapter struct {
	Major int
	// SaleLineTaxField is tax_id (17, 18) or tax_ids (19+).
	SaleLineTaxField string
	// SaleLineUoMField is product_uom (17, 18) or product_uom_id (19+).
	SaleLineUoMField string
	// TaxIncludeField is price_include (17) or price_include_override (18+).
	TaxIncludeField string
	// PickingCarrierFields are those of carrier_id, carrier_tracking_ref and
	// carrier_tracking_url that stock.picking has: they come with the
	// delivery module (stock_delivery), which a database may not have.
	PickingCarrierFields []string
	// CustomsFields are those of hs_code and country_of_origin that
	// product.template has: they come with stock_delivery too.
	CustomsFields   []string
	storable        map[string]any
	isStorableField bool
}

type fieldInfo struct {
	Type      string  `json:"type"`
	Selection [][]any `json:"selection"`
}

func loadAdapter(ctx context.Context, c *Client) (*Adapter, error) {
	get := func(model string, attrs ...string) (map[string]fieldInfo, error) {
		var out map[string]fieldInfo
		err := c.Call(ctx, model, "fields_get", nil, map[string]any{"attributes": attrs}, &out)
		return out, err
	}
	line, err := get("sale.order.line", "type")
	if err != nil {
		return nil, err
	}
	product, err := get("product.product", "type", "selection")
	if err != nil {
		return nil, err
	}
	tax, err := get("account.tax", "type")
	if err != nil {
		return nil, err
	}
	picking, err := get("stock.picking", "type")
	if err != nil {
		return nil, err
	}
	tmpl, err := get("product.template", "type")
	if err != nil {
		return nil, err
	}
	a := &Adapter{Major: c.major, SaleLineTaxField: "tax_ids", SaleLineUoMField: "product_uom_id", TaxIncludeField: "price_include"}
	if _, ok := line["tax_id"]; ok {
		a.SaleLineTaxField = "tax_id"
	}
	if _, ok := line["product_uom"]; ok {
		a.SaleLineUoMField = "product_uom"
	}
	if _, ok := tax["price_include_override"]; ok {
		a.TaxIncludeField = "price_include_override"
	}
	for _, f := range []string{"carrier_id", "carrier_tracking_ref", "carrier_tracking_url"} {
		if _, ok := picking[f]; ok {
			a.PickingCarrierFields = append(a.PickingCarrierFields, f)
		}
	}
	for _, f := range []string{"hs_code", "country_of_origin"} {
		if _, ok := tmpl[f]; ok {
			a.CustomsFields = append(a.CustomsFields, f)
		}
	}
	_, a.isStorableField = product["is_storable"]
	if a.isStorableField {
		a.storable = map[string]any{"type": "consu", "is_storable": true}
	} else if slices.ContainsFunc(product["type"].Selection, func(s []any) bool { return len(s) > 0 && s[0] == "product" }) {
		a.storable = map[string]any{"type": "product"}
	} else {
		a.storable = map[string]any{"type": "consu"}
	}
	return a, nil
}

// StorableProductVals are the vals making a product a stock-tracked good.
func (a *Adapter) StorableProductVals() map[string]any { return maps.Clone(a.storable) }

// ProductFields are the product.product fields Product needs on this version.
func (a *Adapter) ProductFields() []string {
	f := []string{"default_code", "barcode", "display_name", "product_tmpl_id", "lst_price", "list_price", "type",
		"product_template_attribute_value_ids", "taxes_id", "invoice_policy", "weight", "active"}
	if a.isStorableField {
		f = append(f, "is_storable")
	}
	return f
}

// CancelContext is the context that makes sale.order.action_cancel cancel
// instead of returning the sale.order.cancel wizard (Odoo 17 and 18).
func (a *Adapter) CancelContext() map[string]any {
	if a.Major >= 19 {
		return nil
	}
	return map[string]any{"disable_cancel_warning": true}
}

// deliveredMoveVals are the vals marking qty of a move as done before
// stock.picking.button_validate (Odoo 17+: quantity and picked).
func (a *Adapter) deliveredMoveVals(qty float64) map[string]any {
	return map[string]any{"quantity": qty, "picked": true}
}

// ProductTypeVals are the vals of a product of kind Goods (tracked in
// stock), Consumable or Service on this version.
func (a *Adapter) ProductTypeVals(kind string) map[string]any {
	switch kind {
	case "Service":
		return map[string]any{"type": "service"}
	case "Consumable":
		if a.isStorableField {
			return map[string]any{"type": "consu", "is_storable": false}
		}
		return map[string]any{"type": "consu"}
	}
	return a.StorableProductVals()
}
