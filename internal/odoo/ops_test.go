package odoo

import (
	"context"
	"fmt"
	"strings"
)

// Operations the flow tests use to drive Odoo as a person would; the
// connector itself never calls them.

// Orders reads orders by id.
func (c *Client) Orders(ctx context.Context, ids []int64) ([]Order, error) {
	var rows []Order
	err := c.Read(ctx, "sale.order", ids, orderFields, &rows)
	return rows, err
}

// OrdersByRef finds orders by client_order_ref, the importer's exactly-once key.
func (c *Client) OrdersByRef(ctx context.Context, refs []string) (map[string]Order, error) {
	return c.ordersBy(ctx, "client_order_ref", refs, orderFields, func(o Order) Text { return o.ClientRef })
}

// PartnersByEmail finds top-level partners by email (case-insensitive),
// keyed by lower-case email; the oldest wins when several share one.
func (c *Client) PartnersByEmail(ctx context.Context, emails []string) (map[string]Partner, error) {
	var rows []Partner
	err := c.SearchRead(ctx, "res.partner", Domain{In("email", emails), Cond("parent_id", "=", false)}, partnerFields, 0, "id", &rows)
	out := map[string]Partner{}
	for _, p := range rows {
		k := strings.ToLower(string(p.Email))
		if _, seen := out[k]; !seen {
			out[k] = p
		}
	}
	return out, err
}

// CreatePartners creates customers with their addresses: one create for all
// of them and one read of the children.
func (c *Client) CreatePartners(ctx context.Context, ps []NewPartner) ([]PartnerIDs, error) {
	ids, err := c.CreateContacts(ctx, ps)
	if err != nil {
		return nil, err
	}
	var kids []Partner
	if err := c.SearchRead(ctx, "res.partner", Domain{In("parent_id", ids), In("type", []string{"invoice", "delivery"})},
		[]string{"type", "parent_id"}, 0, "id", &kids); err != nil {
		return nil, err
	}
	out := make([]PartnerIDs, len(ids))
	at := map[int64]int{}
	for i, id := range ids {
		out[i] = PartnerIDs{id, id, id}
		at[id] = i
	}
	for _, k := range kids {
		i := at[k.Parent.ID]
		if k.Type == "invoice" && out[i].InvoiceID == out[i].ID {
			out[i].InvoiceID = k.ID
		} else if k.Type == "delivery" && out[i].DeliveryID == out[i].ID {
			out[i].DeliveryID = k.ID
		}
	}
	return out, nil
}

// Stock is a product's quantities in a warehouse.
type Stock struct{ OnHand, Reserved float64 }

// StockByWarehouse sums the quants of products under the warehouse's stock
// location.
func (c *Client) StockByWarehouse(ctx context.Context, warehouseID int64, productIDs []int64) (map[int64]Stock, error) {
	var wh []struct {
		Stock Many2One `json:"lot_stock_id"`
	}
	if err := c.Read(ctx, "stock.warehouse", []int64{warehouseID}, []string{"lot_stock_id"}, &wh); err != nil {
		return nil, err
	}
	if len(wh) == 0 {
		return nil, &Error{Kind: MissingError, Model: "stock.warehouse", Method: "read", Message: fmt.Sprintf("warehouse %d not found", warehouseID)}
	}
	var quants []struct {
		Product  Many2One `json:"product_id"`
		Quantity float64  `json:"quantity"`
		Reserved float64  `json:"reserved_quantity"`
	}
	err := c.SearchRead(ctx, "stock.quant", Domain{In("product_id", productIDs), Cond("location_id", "child_of", wh[0].Stock.ID)},
		[]string{"product_id", "quantity", "reserved_quantity"}, 0, "", &quants)
	out := map[int64]Stock{}
	for _, q := range quants {
		s := out[q.Product.ID]
		s.OnHand += q.Quantity
		s.Reserved += q.Reserved
		out[q.Product.ID] = s
	}
	return out, err
}
