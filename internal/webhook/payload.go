package webhook

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Topics the receiver acts on, as Shopify names them in headers.
const (
	TopicOrdersCreate    = "orders/create"
	TopicOrdersUpdated   = "orders/updated"
	TopicOrdersPaid      = "orders/paid"
	TopicOrdersCancelled = "orders/cancelled"
	TopicRefundsCreate   = "refunds/create"
	TopicAppUninstalled  = "app/uninstalled"
)

// topics are those the receiver acts on.
var topics = []string{TopicOrdersCreate, TopicOrdersUpdated, TopicOrdersPaid, TopicOrdersCancelled, TopicRefundsCreate, TopicAppUninstalled}

// Subscriptions are the GraphQL topics an instance subscribes to.
var Subscriptions = []string{"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_PAID", "ORDERS_CANCELLED", "REFUNDS_CREATE", "APP_UNINSTALLED"}

// Order is an order a webhook asks to import.
type Order struct {
	Ref shopify.OrderRef
	// Always is set for cancellations and refunds: the order is queued
	// whatever statuses the instance imports, so that Odoo hears of them.
	Always bool
}

// orderPayload is the part of an order or refund webhook the receiver reads.
type orderPayload struct {
	ID                json.Number `json:"id"`
	OrderID           json.Number `json:"order_id"` // refunds
	UpdatedAt         time.Time   `json:"updated_at"`
	CreatedAt         time.Time   `json:"created_at"`
	CancelledAt       *time.Time  `json:"cancelled_at"`
	FulfillmentStatus string      `json:"fulfillment_status"`
}

var errNoOrder = errors.New("the payload names no order")

// parseOrder reads the order an orders/* or refunds/create payload is about.
func parseOrder(topic string, body []byte) (Order, error) {
	var p orderPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return Order{}, err
	}
	o := Order{Ref: shopify.OrderRef{LegacyResourceID: p.ID.String(), UpdatedAt: p.UpdatedAt, CancelledAt: p.CancelledAt,
		DisplayFulfillmentStatus: fulfillment(p.FulfillmentStatus)}}
	switch topic {
	case TopicRefundsCreate:
		// A refund says nothing of the order's state: the import reads it.
		o = Order{Ref: shopify.OrderRef{LegacyResourceID: p.OrderID.String(), UpdatedAt: p.CreatedAt}, Always: true}
	case TopicOrdersCancelled:
		o.Always = true
	}
	if id, err := strconv.ParseUint(o.Ref.LegacyResourceID, 10, 64); err != nil || id == 0 {
		return Order{}, errNoOrder
	}
	o.Ref.ID = keys.GID(keys.TypeOrder, o.Ref.LegacyResourceID)
	return o, nil
}

// fulfillment turns the REST fulfillment_status into GraphQL's
// displayFulfillmentStatus, the terms the schedule decides in.
func fulfillment(s string) string {
	switch s {
	case "fulfilled":
		return "FULFILLED"
	case "partial", "partially_fulfilled":
		return "PARTIALLY_FULFILLED"
	}
	return "UNFULFILLED"
}
