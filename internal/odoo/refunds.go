package odoo

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/keys"
)

// PostedCreditNote is a posted credit note of an imported order, as a
// refund in Shopify needs it.
type PostedCreditNote struct {
	ID          int64
	Name        string
	Ref         string
	AmountTotal float64
	OrderName   string // the sale order's
	OrderOrigin string // the sale order's origin: the Shopify order's key
	Lines       []CreditedLine
	// Orders counts the sale orders its lines credit; a refund credits one.
	Orders int
}

// CreditedLine is a product line of a credit note.
type CreditedLine struct {
	Code          string // the product's internal reference
	Qty           float64
	PriceSubtotal float64 // without taxes
	PriceTotal    float64 // with taxes
}

// UnsentCreditNotes lists the credit notes posted and changed since since
// whose lines credit orders imported from shop, leaving out the import's
// own (their ref is a Shopify refund's key) and those marked refunded in
// Shopify.
func (c *Client) UnsentCreditNotes(ctx context.Context, shop string, since time.Time) ([]PostedCreditNote, error) {
	var moves []struct {
		ID          int64   `json:"id"`
		Name        Text    `json:"name"`
		Ref         Text    `json:"ref"`
		AmountTotal float64 `json:"amount_total"`
	}
	if err := c.SearchRead(ctx, "account.move", Domain{Cond("move_type", "=", "out_refund"), Cond("state", "=", "posted"),
		Cond("write_date", ">=", since.UTC().Format(time.DateTime))}, []string{"name", "ref", "amount_total"}, 0, "id", &moves); err != nil || len(moves) == 0 {
		return nil, err
	}
	var ids []int64
	for _, m := range moves {
		if !strings.HasPrefix(string(m.Ref), keys.Refund(shop, "")) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	done, err := c.Marked(ctx, keys.ModuleRefund, "account.move", ids)
	if err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id int64) bool { return done[id] })
	if len(ids) == 0 {
		return nil, nil
	}
	var lines []struct {
		Move       Many2One `json:"move_id"`
		Product    Many2One `json:"product_id"`
		Qty        float64  `json:"quantity"`
		Subtotal   float64  `json:"price_subtotal"`
		PriceTotal float64  `json:"price_total"`
		SaleLines  []int64  `json:"sale_line_ids"`
	}
	if err := c.SearchRead(ctx, "account.move.line", Domain{In("move_id", ids), Cond("display_type", "=", "product")},
		[]string{"move_id", "product_id", "quantity", "price_subtotal", "price_total", "sale_line_ids"}, 0, "id", &lines); err != nil {
		return nil, err
	}
	var saleLineIDs, productIDs []int64
	for _, l := range lines {
		saleLineIDs = append(saleLineIDs, l.SaleLines...)
		productIDs = append(productIDs, l.Product.ID)
	}
	if len(saleLineIDs) == 0 {
		return nil, nil
	}
	var saleLines []struct {
		ID    int64    `json:"id"`
		Order Many2One `json:"order_id"`
	}
	if err := c.Read(ctx, "sale.order.line", saleLineIDs, []string{"order_id"}, &saleLines); err != nil {
		return nil, err
	}
	orderOf := map[int64]int64{}
	var orderIDs []int64
	for _, l := range saleLines {
		orderOf[l.ID] = l.Order.ID
		orderIDs = append(orderIDs, l.Order.ID)
	}
	var orders []struct {
		ID     int64 `json:"id"`
		Name   Text  `json:"name"`
		Origin Text  `json:"origin"`
	}
	if err := c.SearchRead(ctx, "sale.order", Domain{In("id", orderIDs), Cond("origin", "=like", keys.Prefix(shop)+"%")},
		[]string{"name", "origin"}, 0, "id", &orders); err != nil {
		return nil, err
	}
	codes, err := c.productCodes(ctx, productIDs)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*PostedCreditNote{}
	for _, m := range moves {
		byID[m.ID] = &PostedCreditNote{ID: m.ID, Name: string(m.Name), Ref: string(m.Ref), AmountTotal: m.AmountTotal}
	}
	credited := map[int64]map[int64]bool{} // credit note -> its sale orders
	for _, l := range lines {
		cn := byID[l.Move.ID]
		cn.Lines = append(cn.Lines, CreditedLine{Code: codes[l.Product.ID], Qty: l.Qty, PriceSubtotal: l.Subtotal, PriceTotal: l.PriceTotal})
		for _, sl := range l.SaleLines {
			if credited[cn.ID] == nil {
				credited[cn.ID] = map[int64]bool{}
			}
			credited[cn.ID][orderOf[sl]] = true
		}
	}
	var out []PostedCreditNote
	for _, id := range ids {
		cn := byID[id]
		for _, o := range orders {
			if credited[id][o.ID] {
				cn.OrderName, cn.OrderOrigin = string(o.Name), string(o.Origin)
			}
		}
		if cn.OrderOrigin != "" {
			cn.Orders = len(credited[id])
			out = append(out, *cn)
		}
	}
	return out, nil
}
