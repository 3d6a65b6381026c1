package odoo

import (
	"context"
	"time"

	"github.com/shopify-odoo/connector/internal/keys"
)

// DonePicking is a validated delivery of a sale order with what it shipped.
type DonePicking struct {
	ID          int64
	Name        string
	OrderID     int64
	OrderOrigin string // the sale order's origin: the importer's key
	DateDone    string
	Carrier     string
	TrackingRef string
	TrackingURL string
	// Shipped is the quantity done by internal reference (SKU); moves of
	// products without one are left out.
	Shipped map[string]float64
}

// RecentDeliveries maps the outgoing pickings validated since since, whose
// sale order's origin starts with originPrefix, to their sale orders.
func (c *Client) RecentDeliveries(ctx context.Context, originPrefix string, since time.Time) (map[int64]int64, error) {
	var rows []struct {
		ID   int64    `json:"id"`
		Sale Many2One `json:"sale_id"`
	}
	err := c.SearchRead(ctx, "stock.picking", Domain{Cond("state", "=", "done"), Cond("picking_type_code", "=", "outgoing"),
		Cond("sale_id.origin", "=like", originPrefix+"%"), Cond("date_done", ">=", since.UTC().Format(time.DateTime))},
		[]string{"sale_id"}, 0, "id", &rows)
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.ID] = r.Sale.ID
	}
	return out, err
}

// DonePickings lists every validated outgoing picking of the sale orders,
// oldest first, with its done quantities and the carrier fields this
// database has.
func (c *Client) DonePickings(ctx context.Context, orderIDs []int64) ([]DonePicking, error) {
	fields := append([]string{"name", "sale_id", "date_done"}, c.adapter.PickingCarrierFields...)
	var rows []struct {
		ID          int64    `json:"id"`
		Name        Text     `json:"name"`
		Sale        Many2One `json:"sale_id"`
		DateDone    Text     `json:"date_done"`
		Carrier     Many2One `json:"carrier_id"`
		TrackingRef Text     `json:"carrier_tracking_ref"`
		TrackingURL Text     `json:"carrier_tracking_url"`
	}
	if err := c.SearchRead(ctx, "stock.picking", Domain{In("sale_id", orderIDs), Cond("state", "=", "done"), Cond("picking_type_code", "=", "outgoing")},
		fields, 0, "date_done, id", &rows); err != nil || len(rows) == 0 {
		return nil, err
	}
	var orders []struct {
		ID     int64 `json:"id"`
		Origin Text  `json:"origin"`
	}
	if err := c.Read(ctx, "sale.order", orderIDs, []string{"origin"}, &orders); err != nil {
		return nil, err
	}
	origin := map[int64]string{}
	for _, o := range orders {
		origin[o.ID] = string(o.Origin)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	shipped, err := c.doneBySKU(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]DonePicking, len(rows))
	for i, r := range rows {
		out[i] = DonePicking{ID: r.ID, Name: string(r.Name), OrderID: r.Sale.ID, OrderOrigin: origin[r.Sale.ID], DateDone: string(r.DateDone),
			Carrier: r.Carrier.Name, TrackingRef: string(r.TrackingRef), TrackingURL: string(r.TrackingURL), Shipped: shipped[r.ID]}
	}
	return out, nil
}

// doneBySKU sums the done moves of pickings by picking and product SKU.
func (c *Client) doneBySKU(ctx context.Context, pickingIDs []int64) (map[int64]map[string]float64, error) {
	var moves []struct {
		Picking  Many2One `json:"picking_id"`
		Product  Many2One `json:"product_id"`
		Quantity float64  `json:"quantity"`
	}
	if err := c.SearchRead(ctx, "stock.move", Domain{In("picking_id", pickingIDs), Cond("state", "=", "done")},
		[]string{"picking_id", "product_id", "quantity"}, 0, "id", &moves); err != nil {
		return nil, err
	}
	var pids []int64
	for _, m := range moves {
		pids = append(pids, m.Product.ID)
	}
	sku, err := c.productCodes(ctx, pids)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[string]float64{}
	for _, m := range moves {
		s := sku[m.Product.ID]
		if s == "" {
			continue
		}
		if out[m.Picking.ID] == nil {
			out[m.Picking.ID] = map[string]float64{}
		}
		out[m.Picking.ID][s] += m.Quantity
	}
	return out, nil
}

// Marked returns which of ids carry an external id of module, named by
// MarkName: the records a one-time job has already handled.
func (c *Client) Marked(ctx context.Context, module, model string, ids []int64) (map[int64]bool, error) {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = keys.Mark(model, id)
	}
	found, err := c.ExternalIDs(ctx, module, model, names)
	out := map[int64]bool{}
	for _, id := range found {
		out[id] = true
	}
	return out, err
}

// Mark records that a one-time job handled the record: an external id
// module.<model>_<id>. Odoo keeps module and name unique, so a record is
// marked once however often this runs; a mark already there is no error.
func (c *Client) Mark(ctx context.Context, module, model string, id int64) error {
	err := c.CreateExternalIDs(ctx, module, []ExternalID{{Name: keys.Mark(model, id), Model: model, ResID: id}})
	if err != nil {
		if marked, rerr := c.Marked(ctx, module, model, []int64{id}); rerr == nil && marked[id] {
			return nil
		}
	}
	return err
}

// productCodes maps product ids to their internal references.
func (c *Client) productCodes(ctx context.Context, ids []int64) (map[int64]string, error) {
	var products []struct {
		ID   int64 `json:"id"`
		Code Text  `json:"default_code"`
	}
	err := c.Read(ctx, "product.product", ids, []string{"default_code"}, &products)
	out := map[int64]string{}
	for _, p := range products {
		out[p.ID] = string(p.Code)
	}
	return out, err
}

// CancelledOrder is a sale order cancelled in Odoo.
type CancelledOrder struct {
	ID     int64 `json:"id"`
	Name   Text  `json:"name"`
	Origin Text  `json:"origin"`
}

// CancelledOrders lists the sale orders whose origin starts with
// originPrefix that are cancelled and were changed since since.
func (c *Client) CancelledOrders(ctx context.Context, originPrefix string, since time.Time) ([]CancelledOrder, error) {
	var rows []CancelledOrder
	err := c.SearchRead(ctx, "sale.order", Domain{Cond("state", "=", "cancel"), Cond("origin", "=like", originPrefix+"%"),
		Cond("write_date", ">=", since.UTC().Format(time.DateTime))}, []string{"name", "origin"}, 0, "id", &rows)
	return rows, err
}
