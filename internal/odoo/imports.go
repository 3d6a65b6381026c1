package odoo

import "context"

// The calls of the order import that the sale and invoicing flow does not
// make.

// importFields are the sale.order fields the order import follows.
var importFields = []string{"name", "state", "origin", "amount_total", "picking_ids", "invoice_ids", "order_line"}

// ImportedOrdersByOrigin finds orders by the key the import keeps in
// origin, with the fields it follows; the oldest wins.
func (c *Client) ImportedOrdersByOrigin(ctx context.Context, keys []string) (map[string]Order, error) {
	return c.ordersBy(ctx, "origin", keys, importFields, func(o Order) Text { return o.Origin })
}

// ImportedOrders reads orders by id with the fields the import follows.
func (c *Client) ImportedOrders(ctx context.Context, ids []int64) ([]Order, error) {
	var rows []Order
	err := c.Read(ctx, "sale.order", ids, importFields, &rows)
	return rows, err
}

// DoneDeliveries maps sale orders to the name of an outgoing picking of
// theirs that is done.
func (c *Client) DoneDeliveries(ctx context.Context, orderIDs []int64) (map[int64]string, error) {
	var done []struct {
		Name Text     `json:"name"`
		Sale Many2One `json:"sale_id"`
	}
	err := c.SearchRead(ctx, "stock.picking", Domain{In("sale_id", orderIDs), Cond("state", "=", "done"),
		Cond("picking_type_code", "=", "outgoing")}, []string{"name", "sale_id"}, 0, "id", &done)
	out := map[int64]string{}
	for _, p := range done {
		out[p.Sale.ID] = string(p.Name)
	}
	return out, err
}

// TaxesByName maps names to sale taxes; the first by sequence wins.
func (c *Client) TaxesByName(ctx context.Context, names []string) (map[string]int64, error) {
	var rows []struct {
		ID   int64 `json:"id"`
		Name Text  `json:"name"`
	}
	err := c.SearchRead(ctx, "account.tax", Domain{In("name", names), Cond("type_tax_use", "=", "sale")},
		[]string{"name"}, 0, "sequence,id", &rows)
	out := map[string]int64{}
	for _, row := range rows {
		if _, seen := out[string(row.Name)]; !seen {
			out[string(row.Name)] = row.ID
		}
	}
	return out, err
}

// RoundingLine is a line of one product without taxes that takes up a
// difference of total.
type RoundingLine struct {
	ParentID  int64 // the sale order or the journal entry
	ProductID int64
	Price     float64
}

// AddOrderRounding adds rounding lines to sale orders in one call and
// returns their ids. A create, never repeated: look at the totals again
// after an error.
func (c *Client) AddOrderRounding(ctx context.Context, lines []RoundingLine) ([]int64, error) {
	vals := make([]map[string]any, len(lines))
	for i, l := range lines {
		vals[i] = map[string]any{"order_id": l.ParentID, "product_id": l.ProductID, "name": "Rounding",
			"product_uom_qty": 1.0, "price_unit": l.Price, c.adapter.SaleLineTaxField: []any{[]any{6, 0, []int64{}}}}
	}
	return c.Create(ctx, "sale.order.line", vals)
}

// SetOrderRounding changes the price of a rounding line of a sale order.
func (c *Client) SetOrderRounding(ctx context.Context, lineID int64, price float64) error {
	return c.Write(ctx, "sale.order.line", []int64{lineID}, map[string]any{"price_unit": price})
}

// AddMoveRounding adds a rounding line to a draft journal entry.
func (c *Client) AddMoveRounding(ctx context.Context, l RoundingLine) error {
	_, err := c.Create(ctx, "account.move.line", []map[string]any{{"move_id": l.ParentID, "product_id": l.ProductID, "name": "Rounding",
		"quantity": 1.0, "price_unit": l.Price, "tax_ids": []any{[]any{6, 0, []int64{}}}}})
	return err
}

// DeleteOrders deletes quotations.
func (c *Client) DeleteOrders(ctx context.Context, ids []int64) error {
	return c.Unlink(ctx, "sale.order", ids)
}

// ContactsByRefOrEmail finds contacts by ref, or top-level ones by email
// when emails are given, oldest first.
func (c *Client) ContactsByRefOrEmail(ctx context.Context, refs, emails []string) ([]Partner, error) {
	domain := Domain{In("ref", refs)}
	if len(emails) > 0 {
		domain = Domain{"|", In("ref", refs), "&", In("email", emails), Cond("parent_id", "=", false)}
	}
	var rows []Partner
	err := c.SearchRead(ctx, "res.partner", domain, []string{"ref", "email"}, 0, "id", &rows)
	return rows, err
}
