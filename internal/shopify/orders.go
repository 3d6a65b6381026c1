package shopify

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/keys"
)

// pageSize is Shopify's largest page. A page of 250 full orders requests
// about 500 points, under the 1,000 a query may: a connection's cost grows
// much slower than its size.
const pageSize = 250

// OrderFilter selects orders. Zero fields do not filter.
type OrderFilter struct {
	UpdatedAtMin time.Time // inclusive
	UpdatedAtMax time.Time // exclusive
	// Status is open, closed, cancelled or not_closed; empty lists every
	// order, as Shopify does without a status term.
	Status string
	// Query is extra Shopify search syntax, e.g. "financial_status:paid".
	Query string
}

// SearchQuery renders the filter in Shopify's search syntax.
func (f OrderFilter) SearchQuery() string {
	var status, query string
	if f.Status != "" {
		status = "status:" + f.Status
	}
	if f.Query != "" {
		query = "(" + f.Query + ")"
	}
	return keys.And(keys.Between(keys.UpdatedAt, f.UpdatedAtMin, f.UpdatedAtMax), status, query)
}

// pages runs a paginated query and calls fn on every node. The document's only
// root field must be a connection taking $first and $after.
func pages[T any](ctx context.Context, c *Client, name string, vars map[string]any, fn func(T) error) error {
	return pagesOf(ctx, c, name, vars, func(data map[string]Conn[T]) (Conn[T], error) {
		for _, conn := range data {
			return conn, nil
		}
		return Conn[T]{}, nil
	}, fn)
}

// pagesOf is pages for a connection that pick finds in the data of type D.
func pagesOf[D any, T any](ctx context.Context, c *Client, name string, vars map[string]any, pick func(D) (Conn[T], error), fn func(T) error) error {
	d := doc(name)
	vars["after"] = nil
	for {
		var data D
		if err := c.do(ctx, d, vars, &data); err != nil {
			return err
		}
		conn, err := pick(data)
		if err != nil {
			return err
		}
		for _, n := range conn.Nodes {
			if err := fn(n); err != nil {
				return err
			}
		}
		if !conn.PageInfo.HasNextPage {
			return nil
		}
		vars["after"] = conn.PageInfo.EndCursor
	}
}

// all collects every node of a paginated query.
func all[T any](ctx context.Context, c *Client, name string, vars map[string]any) ([]T, error) {
	var out []T
	err := pages(ctx, c, name, vars, func(v T) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// Orders calls fn on every order matching f, oldest update first, fetching
// pages until the last one.
func (c *Client) Orders(ctx context.Context, f OrderFilter, fn func(Order) error) error {
	vars := map[string]any{"first": pageSize, "query": f.SearchQuery(), "sortKey": "UPDATED_AT"}
	return pages(ctx, c, "Orders", vars, func(o Order) error {
		if err := c.completeLines(ctx, &o); err != nil {
			return err
		}
		return fn(o)
	})
}

// OrderRefs calls fn with the id, name, update time and fulfillment status of
// every order matching f: 250 a page, for cheap polling.
func (c *Client) OrderRefs(ctx context.Context, f OrderFilter, fn func(OrderRef) error) error {
	vars := map[string]any{"first": pageSize, "query": f.SearchQuery(), "sortKey": "UPDATED_AT"}
	return pages(ctx, c, "OrderRefs", vars, fn)
}

// BacklogOrderRefs is OrderRefs for a listing that may be long, run over
// passes: when the orders fill more than one page, it starts one bulk
// operation instead, which costs next to nothing from the shop's rate budget
// however large the backlog, and returns it for the caller to keep. Called
// again with it, it polls it once: still running, it is returned again; done,
// fn gets every order (in no particular order) and nil is returned. A bulk
// operation running longer than timeout is cancelled and fails, so that
// the next call starts another. A pending operation of another search is
// dropped for one of f.
func (c *Client) BacklogOrderRefs(ctx context.Context, f OrderFilter, pending *Bulk, timeout time.Duration,
	fn func(OrderRef) error) (*Bulk, error) {
	if pending != nil && pending.Search == f.SearchQuery() {
		return c.pollOrderRefs(ctx, *pending, timeout, fn)
	}
	if pending != nil {
		_ = c.CancelBulk(ctx, pending.ID) // only frees a slot: it may have ended
	}
	var data struct {
		Orders Conn[OrderRef] `json:"orders"`
	}
	vars := map[string]any{"first": pageSize, "query": f.SearchQuery(), "sortKey": "UPDATED_AT"}
	if err := c.do(ctx, doc("OrderRefs"), vars, &data); err != nil {
		return nil, err
	}
	if data.Orders.PageInfo.HasNextPage {
		b, err := c.StartBulk(ctx, "BulkOrderRefs", f)
		if err != nil {
			return nil, err
		}
		return &b, nil
	}
	for _, ref := range data.Orders.Nodes {
		if err := fn(ref); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// pollOrderRefs polls a BulkOrderRefs operation once and reads it once it
// completed. A poll that fails keeps the operation, to poll it again.
func (c *Client) pollOrderRefs(ctx context.Context, b Bulk, timeout time.Duration, fn func(OrderRef) error) (*Bulk, error) {
	url, done, err := c.PollBulk(ctx, b)
	switch {
	case !done && err != nil:
		return &b, err
	case !done && c.now().Sub(b.StartedAt) > timeout:
		_ = c.CancelBulk(ctx, b.ID) // the error is the timeout, whatever the cancel says
		return nil, errorf("BulkStatus", KindBulk, "bulk operation %s still running after %s: cancelled, the next attempt starts another",
			b.ID, timeout.Round(time.Second))
	case !done:
		return &b, nil
	case err != nil || url == "":
		return nil, err
	}
	return nil, c.streamJSONL(ctx, url, func(line []byte) error {
		if line == nil {
			return nil
		}
		var ref OrderRef
		if err := json.Unmarshal(line, &ref); err != nil {
			return errorf("BulkDownload", KindBulk, "bad JSONL line: %v", err)
		}
		return fn(ref)
	})
}

// OrdersByIDs returns the orders with the given GIDs, in that order; unknown
// IDs are left out.
func (c *Client) OrdersByIDs(ctx context.Context, ids []string) ([]Order, error) {
	var out []Order
	for start := 0; start < len(ids); start += pageSize {
		batch := ids[start:min(start+pageSize, len(ids))]
		var data struct {
			Nodes []*Order `json:"nodes"`
		}
		if err := c.do(ctx, doc("OrdersByIDs"), map[string]any{"ids": batch}, &data); err != nil {
			return nil, err
		}
		for _, o := range data.Nodes {
			if o == nil || o.ID == "" {
				continue
			}
			if err := c.completeLines(ctx, o); err != nil {
				return nil, err
			}
			out = append(out, *o)
		}
	}
	return out, nil
}

// completeLines fetches the line items beyond the first page.
func (c *Client) completeLines(ctx context.Context, o *Order) error {
	return nextPages(ctx, c, "OrderLines", o.ID, &o.LineItems)
}

// nextPages appends to conn its pages beyond those read, with a document
// that takes the object's $id and $after and selects the connection as the
// only field of its only root field.
func nextPages[T any](ctx context.Context, c *Client, name, id string, conn *Conn[T]) error {
	for conn.PageInfo.HasNextPage {
		var data map[string]map[string]Conn[T]
		if err := c.do(ctx, doc(name), map[string]any{"id": id, "after": conn.PageInfo.EndCursor}, &data); err != nil {
			return err
		}
		for _, object := range data {
			if object == nil {
				return errorf(name, KindNotFound, "%s disappeared", id)
			}
			for _, next := range object {
				conn.Nodes = append(conn.Nodes, next.Nodes...)
				conn.PageInfo = next.PageInfo
			}
		}
	}
	return nil
}

// bulkQuery fills a bulk document's search string.
func bulkQuery(name, search string) string {
	quoted, _ := json.Marshal(search)
	return strings.Replace(doc(name).text, `"QUERY"`, string(quoted), 1)
}

// FulfillmentState is what an order has left to ship.
type FulfillmentState struct {
	ID                       string                 `json:"id"`
	LegacyResourceID         string                 `json:"legacyResourceId"`
	Name                     string                 `json:"name"`
	CancelledAt              *time.Time             `json:"cancelledAt"`
	DisplayFulfillmentStatus string                 `json:"displayFulfillmentStatus"`
	FulfillmentOrders        Conn[FulfillmentOrder] `json:"fulfillmentOrders"`
}

// OrderFulfillment reads an order's fulfillment orders with what each line
// has left to ship, every page of them.
func (c *Client) OrderFulfillment(ctx context.Context, id string) (FulfillmentState, error) {
	type data struct {
		Order *FulfillmentState `json:"order"`
	}
	var st FulfillmentState
	var fos []FulfillmentOrder
	err := pagesOf(ctx, c, "OrderFulfillment", map[string]any{"id": id}, func(d data) (Conn[FulfillmentOrder], error) {
		if d.Order == nil {
			return Conn[FulfillmentOrder]{}, errorf("OrderFulfillment", KindNotFound, "order %s not found", id)
		}
		st = *d.Order
		return d.Order.FulfillmentOrders, nil
	}, func(fo FulfillmentOrder) error {
		fos = append(fos, fo)
		return nextPages(ctx, c, "FulfillmentOrderLines", fo.ID, &fos[len(fos)-1].LineItems)
	})
	st.FulfillmentOrders = Conn[FulfillmentOrder]{Nodes: fos}
	return st, err
}

// RefundLineItem is a quantity of a line given back.
type RefundLineItem struct {
	Quantity int `json:"quantity"`
	LineItem struct {
		ID  string `json:"id"`
		SKU string `json:"sku"`
	} `json:"lineItem"`
	Subtotal MoneyBag `json:"subtotalSet"`
	TotalTax MoneyBag `json:"totalTaxSet"`
}

// RefundShippingLine is shipping given back.
type RefundShippingLine struct {
	ShippingLine struct {
		ID              string   `json:"id"`
		DiscountedPrice MoneyBag `json:"discountedPriceSet"`
	} `json:"shippingLine"`
	Subtotal MoneyBag `json:"subtotalAmountSet"`
	Tax      MoneyBag `json:"taxAmountSet"`
}

// OrderAdjustment is money given back beyond (or short of) the lines and
// shipping refunded, e.g. a refund discrepancy.
type OrderAdjustment struct {
	Reason string   `json:"reason"`
	Amount MoneyBag `json:"amountSet"`
	Tax    MoneyBag `json:"taxAmountSet"`
}

// OrderRefund is a refund as recorded on an order.
type OrderRefund struct {
	ID               string                   `json:"id"`
	LegacyResourceID string                   `json:"legacyResourceId"`
	CreatedAt        time.Time                `json:"createdAt"`
	Note             string                   `json:"note"`
	TotalRefunded    MoneyBag                 `json:"totalRefundedSet"`
	Lines            Conn[RefundLineItem]     `json:"refundLineItems"`
	Shipping         Conn[RefundShippingLine] `json:"refundShippingLines"`
	Adjustments      Conn[OrderAdjustment]    `json:"orderAdjustments"`
	Transactions     Conn[Transaction]        `json:"transactions"`
}

// OrderRefunds reads an order's refunds, oldest first, and the total
// refunded, which tells whether refunds were left unread.
func (c *Client) OrderRefunds(ctx context.Context, id string) ([]OrderRefund, MoneyBag, error) {
	var data struct {
		Order *struct {
			TotalRefunded MoneyBag      `json:"totalRefundedSet"`
			Refunds       []OrderRefund `json:"refunds"`
		} `json:"order"`
	}
	if err := c.do(ctx, doc("OrderRefunds"), map[string]any{"id": id}, &data); err != nil {
		return nil, MoneyBag{}, err
	}
	if data.Order == nil {
		return nil, MoneyBag{}, errorf("OrderRefunds", KindNotFound, "order %s not found", id)
	}
	return data.Order.Refunds, data.Order.TotalRefunded, nil
}

// OrderPayments is what an order has left to refund.
type OrderPayments struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	CancelledAt *time.Time `json:"cancelledAt"`
	// TaxesIncluded says whether its prices, shipping's too, include taxes.
	TaxesIncluded bool           `json:"taxesIncluded"`
	Lines         Conn[LineItem] `json:"lineItems"`
	Transactions  []Transaction  `json:"transactions"`
}

// OrderPayments reads an order's lines and transactions.
func (c *Client) OrderPayments(ctx context.Context, id string) (OrderPayments, error) {
	var data struct {
		Order *OrderPayments `json:"order"`
	}
	if err := c.do(ctx, doc("OrderPayments"), map[string]any{"id": id}, &data); err != nil {
		return OrderPayments{}, err
	}
	if data.Order == nil {
		return OrderPayments{}, errorf("OrderPayments", KindNotFound, "order %s not found", id)
	}
	return *data.Order, nil
}
