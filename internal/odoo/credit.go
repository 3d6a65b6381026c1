package odoo

import "context"

// CreditLine is a line of a credit note.
type CreditLine struct {
	ProductID  int64
	Name       string // the product's when empty
	Qty        float64
	PriceUnit  float64
	Discount   float64 // percent
	TaxIDs     []int64
	SaleLineID int64 // the sale order line it credits, if any
}

// NewCreditNote is a customer credit note to create.
type NewCreditNote struct {
	PartnerID int64
	Ref       string // the unique key looked up before creating
	InvoiceID int64  // the invoice it credits
	Origin    string // the sale order's name
	Lines     []CreditLine
}

// CreateCreditNote creates a draft credit note. It is never repeated by the
// transport: after an error, look it up by Ref before creating again.
func (c *Client) CreateCreditNote(ctx context.Context, n NewCreditNote) (int64, error) {
	lines := make([]any, len(n.Lines))
	for i, l := range n.Lines {
		v := map[string]any{"product_id": l.ProductID, "quantity": l.Qty, "price_unit": l.PriceUnit, "discount": l.Discount,
			"tax_ids": []any{[]any{6, 0, nonNilIDs(l.TaxIDs)}}}
		if l.Name != "" {
			v["name"] = l.Name
		}
		if l.SaleLineID != 0 {
			v["sale_line_ids"] = []any{[]any{6, 0, []int64{l.SaleLineID}}}
		}
		lines[i] = []any{0, 0, v}
	}
	vals := map[string]any{"move_type": "out_refund", "partner_id": n.PartnerID, "ref": n.Ref, "invoice_origin": n.Origin,
		"invoice_line_ids": lines}
	if n.InvoiceID != 0 {
		vals["reversed_entry_id"] = n.InvoiceID
	}
	if company := c.Company(); company != 0 {
		vals["company_id"] = company
	}
	ids, err := c.Create(ctx, "account.move", []map[string]any{vals})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// CreditNotesByRef finds the credit notes not cancelled by ref.
func (c *Client) CreditNotesByRef(ctx context.Context, refs []string) (map[string]Invoice, error) {
	var rows []struct {
		Invoice
		Ref Text `json:"ref"`
	}
	err := c.SearchRead(ctx, "account.move", Domain{Cond("move_type", "=", "out_refund"), In("ref", refs), Cond("state", "!=", "cancel")},
		append([]string{"ref"}, invoiceFields...), 0, "id", &rows)
	out := map[string]Invoice{}
	for _, r := range rows {
		out[string(r.Ref)] = r.Invoice
	}
	return out, err
}

// CreditNotesOf finds the credit notes not cancelled that credit invoices.
func (c *Client) CreditNotesOf(ctx context.Context, invoiceIDs []int64) ([]Invoice, error) {
	var rows []Invoice
	err := c.SearchRead(ctx, "account.move", Domain{Cond("move_type", "=", "out_refund"), In("reversed_entry_id", invoiceIDs), Cond("state", "!=", "cancel")},
		invoiceFields, 0, "id", &rows)
	return rows, err
}

// SaleLine is a sale.order line as a credit note needs it.
type SaleLine struct {
	ID        int64    `json:"id"`
	Order     Many2One `json:"order_id"`
	Product   Many2One `json:"product_id"`
	PriceUnit float64  `json:"price_unit"`
	Discount  float64  `json:"discount"`
	TaxID     []int64  `json:"tax_id"`  // 17, 18
	TaxIDs    []int64  `json:"tax_ids"` // 19
	Code      string   `json:"-"`       // the product's internal reference
}

// Taxes are the line's taxes on any version.
func (l SaleLine) Taxes() []int64 { return append(l.TaxID, l.TaxIDs...) }

// SaleLines reads the lines of sale orders with their products' codes.
func (c *Client) SaleLines(ctx context.Context, orderIDs []int64) ([]SaleLine, error) {
	var rows []SaleLine
	if err := c.SearchRead(ctx, "sale.order.line", Domain{In("order_id", orderIDs)},
		[]string{"order_id", "product_id", "price_unit", "discount", c.adapter.SaleLineTaxField}, 0, "id", &rows); err != nil || len(rows) == 0 {
		return nil, err
	}
	var pids []int64
	for _, r := range rows {
		pids = append(pids, r.Product.ID)
	}
	code, err := c.productCodes(ctx, pids)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Code = code[rows[i].Product.ID]
	}
	return rows, nil
}
