package odoo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// OrderLine is a sale order line to create.
type OrderLine struct {
	ProductID int64
	Name      string // product name when empty
	Qty       float64
	PriceUnit float64
	Discount  float64 // percent
	TaxIDs    []int64
}

// NewOrder is a sale order to create.
type NewOrder struct {
	PartnerID, InvoiceAddressID, DeliveryAddressID int64
	ClientRef                                      string // the unique key the importer searches before creating
	Origin                                         string
	Lines                                          []OrderLine
	Vals                                           map[string]any // any other sale.order field
}

func (c *Client) orderVals(o NewOrder) map[string]any {
	v := map[string]any{"partner_id": o.PartnerID, "client_order_ref": o.ClientRef}
	if company := c.Company(); company != 0 {
		v["company_id"] = company
	}
	for k, x := range o.Vals {
		v[k] = x
	}
	if o.InvoiceAddressID != 0 {
		v["partner_invoice_id"] = o.InvoiceAddressID
	}
	if o.DeliveryAddressID != 0 {
		v["partner_shipping_id"] = o.DeliveryAddressID
	}
	if o.Origin != "" {
		v["origin"] = o.Origin
	}
	lines := make([]any, len(o.Lines))
	for i, l := range o.Lines {
		lv := map[string]any{"product_id": l.ProductID, "product_uom_qty": l.Qty, "price_unit": l.PriceUnit,
			"discount": l.Discount, c.adapter.SaleLineTaxField: []any{[]any{6, 0, nonNilIDs(l.TaxIDs)}}}
		if l.Name != "" {
			lv["name"] = l.Name
		}
		lines[i] = []any{0, 0, lv}
	}
	v["order_line"] = lines
	return v
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// CreateOrders creates draft orders in one call and returns their ids in order.
func (c *Client) CreateOrders(ctx context.Context, orders []NewOrder) ([]int64, error) {
	vals := make([]map[string]any, len(orders))
	for i, o := range orders {
		vals[i] = c.orderVals(o)
	}
	return c.Create(ctx, "sale.order", vals)
}

// ConfirmOrders confirms draft orders, which creates their deliveries.
func (c *Client) ConfirmOrders(ctx context.Context, ids []int64) error {
	_, err := c.action(ctx, "sale.order", "action_confirm", ids, nil)
	return err
}

// CancelOrders cancels orders without the confirmation wizard of 17 and 18.
func (c *Client) CancelOrders(ctx context.Context, ids []int64) error {
	_, err := c.action(ctx, "sale.order", "action_cancel", ids, c.adapter.CancelContext())
	return err
}

// Order is a sale.order's state.
type Order struct {
	ID             int64    `json:"id"`
	Name           Text     `json:"name"`
	State          Text     `json:"state"`
	ClientRef      Text     `json:"client_order_ref"`
	Origin         Text     `json:"origin"`
	Partner        Many2One `json:"partner_id"`
	InvoiceStatus  Text     `json:"invoice_status"`
	DeliveryStatus Text     `json:"delivery_status"`
	AmountUntaxed  float64  `json:"amount_untaxed"`
	AmountTax      float64  `json:"amount_tax"`
	AmountTotal    float64  `json:"amount_total"`
	PickingIDs     []int64  `json:"picking_ids"`
	InvoiceIDs     []int64  `json:"invoice_ids"`
	LineIDs        []int64  `json:"order_line"`
}

var orderFields = []string{"name", "state", "client_order_ref", "origin", "partner_id", "invoice_status", "delivery_status",
	"amount_untaxed", "amount_tax", "amount_total", "picking_ids", "invoice_ids", "order_line"}

// OrdersByOrigin finds orders by origin, where the importer keeps the
// Shopify order's key.
func (c *Client) OrdersByOrigin(ctx context.Context, keys []string) (map[string]Order, error) {
	return c.ordersBy(ctx, "origin", keys, orderFields, func(o Order) Text { return o.Origin })
}

// ordersBy finds orders by a char field; the oldest wins.
func (c *Client) ordersBy(ctx context.Context, field string, keys []string, fields []string, key func(Order) Text) (map[string]Order, error) {
	var rows []Order
	err := c.SearchRead(ctx, "sale.order", Domain{In(field, keys)}, fields, 0, "id", &rows)
	out := map[string]Order{}
	for _, o := range rows {
		if _, seen := out[string(key(o))]; !seen {
			out[string(key(o))] = o
		}
	}
	return out, err
}

// Picking is a stock.picking.
type Picking struct {
	ID       int64    `json:"id"`
	Name     Text     `json:"name"`
	State    Text     `json:"state"`
	Sale     Many2One `json:"sale_id"`
	MoveIDs  []int64  `json:"move_ids"`
	DateDone Text     `json:"date_done"`
}

// Pickings reads deliveries by id.
func (c *Client) Pickings(ctx context.Context, ids []int64) ([]Picking, error) {
	var rows []Picking
	err := c.Read(ctx, "stock.picking", ids, []string{"name", "state", "sale_id", "move_ids", "date_done"}, &rows)
	return rows, err
}

// Delivery says what to validate: every open move of Pickings (or of the
// outgoing pickings of Orders) in full, or only Quantities (by product id)
// when given. Backorder keeps what is left in a new picking; otherwise the
// rest is cancelled.
type Delivery struct {
	PickingIDs []int64
	OrderIDs   []int64
	Quantities map[int64]float64
	Backorder  bool
}

// ValidateDeliveries sets quantity and picked on the open moves (one write
// per distinct quantity), validates their pickings in one call and reads
// their states back: a picking Odoo did not set done is an error naming it,
// so that nothing is reported delivered that is not. Pickings already done
// or cancelled are left alone.
func (c *Client) ValidateDeliveries(ctx context.Context, d Delivery) error {
	var moves []struct {
		ID      int64    `json:"id"`
		Product Many2One `json:"product_id"`
		Picking Many2One `json:"picking_id"`
		Demand  float64  `json:"product_uom_qty"`
	}
	of := In("picking_id", d.PickingIDs)
	if d.OrderIDs != nil {
		of = In("picking_id.sale_id", d.OrderIDs)
	}
	if err := c.SearchRead(ctx, "stock.move", Domain{of, Cond("picking_id.picking_type_code", "=", "outgoing"), In("state", []string{"confirmed", "partially_available", "assigned", "waiting"})},
		[]string{"product_id", "picking_id", "product_uom_qty"}, 0, "id", &moves); err != nil {
		return err
	}
	left := maps.Clone(d.Quantities)
	byQty := map[float64][]int64{}
	var qtys []float64
	var open []int64 // done or cancelled pickings cannot be validated again
	for _, m := range moves {
		if !slices.Contains(open, m.Picking.ID) {
			open = append(open, m.Picking.ID)
		}
		q := m.Demand
		if left != nil {
			q = min(left[m.Product.ID], m.Demand)
			left[m.Product.ID] -= q
		}
		if _, ok := byQty[q]; !ok {
			qtys = append(qtys, q)
		}
		byQty[q] = append(byQty[q], m.ID)
	}
	slices.Sort(qtys)
	for _, q := range qtys {
		vals := c.adapter.deliveredMoveVals(q)
		if q == 0 {
			vals["picked"] = false
		}
		if err := c.Write(ctx, "stock.move", byQty[q], vals); err != nil {
			return err
		}
	}
	if len(open) == 0 {
		return nil
	}
	// skip_sms: stock_sms (installed with stock) otherwise answers its
	// confirm.stock.sms wizard instead of validating a delivery to a
	// customer with a phone; Shopify tells the customer itself.
	vctx := map[string]any{"skip_backorder": true, "skip_sms": true}
	if !d.Backorder {
		vctx["picking_ids_not_to_backorder"] = open
	}
	a, err := c.action(ctx, "stock.picking", "button_validate", open, vctx)
	if err != nil {
		return err
	}
	return c.checkValidated(ctx, open, a)
}

// checkValidated reads the pickings' states after button_validate: an
// answer may be a wizard that stopped the validation (as for a tracked lot
// or an expiry date), or a report to print after it.
func (c *Client) checkValidated(ctx context.Context, ids []int64, answer Action) error {
	picks, err := c.Pickings(ctx, ids)
	if err != nil {
		return err
	}
	var left []string
	for _, p := range picks {
		if p.State != "done" {
			left = append(left, fmt.Sprintf("%s (%s)", p.Name, p.State))
		}
	}
	if len(left) == 0 {
		return nil
	}
	msg := "Odoo did not validate " + strings.Join(left, ", ")
	if answer.ResModel != "" {
		msg += ": it asked for the wizard " + answer.ResModel + ", which needs a person in Odoo"
	}
	return &Error{Kind: UserError, Model: "stock.picking", Method: "button_validate", Message: msg}
}

// InvoiceOrders creates one invoice per order (consolidated_billing off, so
// two orders of one customer are not merged) through sale.advance.payment.inv,
// and returns the invoices each order has then. Give it orders that have
// nothing invoiced yet.
func (c *Client) InvoiceOrders(ctx context.Context, orderIDs []int64) (map[int64][]int64, error) {
	if _, err := c.wizard(ctx, "sale.advance.payment.inv", map[string]any{"advance_payment_method": "delivered", "consolidated_billing": false},
		"sale.order", orderIDs, "create_invoices"); err != nil {
		return nil, err
	}
	return c.orderInvoices(ctx, orderIDs)
}

func (c *Client) orderInvoices(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	var rows []struct {
		ID         int64   `json:"id"`
		InvoiceIDs []int64 `json:"invoice_ids"`
	}
	err := c.Read(ctx, "sale.order", ids, []string{"invoice_ids"}, &rows)
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.ID] = r.InvoiceIDs
	}
	return out, err
}

// PostInvoices posts draft invoices or credit notes.
func (c *Client) PostInvoices(ctx context.Context, ids []int64) error {
	_, err := c.action(ctx, "account.move", "action_post", ids, nil)
	return err
}

// Invoice is an account.move of a customer.
type Invoice struct {
	ID             int64    `json:"id"`
	Name           Text     `json:"name"`
	State          Text     `json:"state"`
	MoveType       Text     `json:"move_type"`
	PaymentState   Text     `json:"payment_state"`
	Partner        Many2One `json:"partner_id"`
	Origin         Text     `json:"invoice_origin"`
	AmountUntaxed  float64  `json:"amount_untaxed"`
	AmountTax      float64  `json:"amount_tax"`
	AmountTotal    float64  `json:"amount_total"`
	AmountResidual float64  `json:"amount_residual"`
	ReversedEntry  Many2One `json:"reversed_entry_id"`
	Journal        Many2One `json:"journal_id"`
}

// Invoices reads invoices or credit notes by id.
func (c *Client) Invoices(ctx context.Context, ids []int64) ([]Invoice, error) {
	var rows []Invoice
	err := c.Read(ctx, "account.move", ids, invoiceFields, &rows)
	return rows, err
}

var invoiceFields = []string{"name", "state", "move_type", "payment_state", "partner_id", "invoice_origin",
	"amount_untaxed", "amount_tax", "amount_total", "amount_residual", "reversed_entry_id", "journal_id"}

// Payment says how to pay posted invoices: in full, one payment per invoice
// (group_payment off), unless Amount is set for a single invoice.
type Payment struct {
	InvoiceIDs []int64
	JournalID  int64
	Date       string  // YYYY-MM-DD, today when empty
	Amount     float64 // partial payment of a single invoice
	Memo       string
}

// RegisterPayments runs account.payment.register and returns the payments.
func (c *Client) RegisterPayments(ctx context.Context, p Payment) ([]int64, error) {
	vals := map[string]any{"journal_id": p.JournalID, "group_payment": false}
	if p.Date != "" {
		vals["payment_date"] = p.Date
	}
	if p.Amount != 0 && len(p.InvoiceIDs) == 1 {
		vals["amount"] = p.Amount
	}
	if p.Memo != "" {
		vals["communication"] = p.Memo
	}
	a, err := c.wizard(ctx, "account.payment.register", vals, "account.move", p.InvoiceIDs, "action_create_payments")
	return a.IDs(), err
}

// CreditNote reverses a posted invoice in full through account.move.reversal
// and returns the draft credit notes. The wizard is given the invoice's
// journal: real Odoo refuses it without one, the invoice in context or not.
func (c *Client) CreditNote(ctx context.Context, inv Invoice, reason string) ([]int64, error) {
	vals := map[string]any{"reason": reason, "journal_id": inv.Journal.ID}
	a, err := c.wizard(ctx, "account.move.reversal", vals, "account.move", []int64{inv.ID}, "refund_moves")
	return a.IDs(), err
}

// SaleCurrency is the currency Odoo gives new sale orders: the pricelist's,
// else that of the company Resolve set.
func (c *Client) SaleCurrency(ctx context.Context, pricelist int64) (string, error) {
	var rows []struct {
		Currency Many2One `json:"currency_id"`
	}
	model, id := "product.pricelist", pricelist
	if pricelist == 0 {
		model, id = "res.company", c.Company()
	}
	if err := c.Read(ctx, model, []int64{id}, []string{"currency_id"}, &rows); err != nil || len(rows) == 0 {
		return "", err
	}
	return rows[0].Currency.Name, nil
}
