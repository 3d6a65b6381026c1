package webhook

import (
	"slices"
	"testing"

	"github.com/shopify-odoo/connector/internal/shopify"
)

func TestPlanSubscriptions(t *testing.T) {
	const cb = "https://new.example.com/webhooks/shopify/ns/shop"
	subs := []shopify.WebhookSubscription{
		{ID: "1", Topic: "ORDERS_CREATE", URI: cb},
		{ID: "2", Topic: "ORDERS_UPDATED", URI: "https://old.example.com/webhooks/shopify/ns/shop"}, // an earlier base URL
		{ID: "3", Topic: "PRODUCTS_UPDATE", URI: cb},                                                // no longer wanted
		{ID: "4", Topic: "ORDERS_PAID", URI: "https://other.example.com/hooks"},                     // someone else's
		{ID: "5", Topic: "ORDERS_CREATE", URI: "https://new.example.com/webhooks/shopify/ns/shop2"},
	}
	p := PlanSubscriptions(subs, cb, "/webhooks/shopify/ns/shop")
	if len(p.Keep) != 1 || p.Keep[0].ID != "1" {
		t.Errorf("keep %+v", p.Keep)
	}
	if !slices.Equal(p.Delete, []string{"2", "3"}) {
		t.Errorf("delete %v", p.Delete)
	}
	if !slices.Equal(p.Create, []string{"ORDERS_UPDATED", "ORDERS_PAID", "ORDERS_CANCELLED", "REFUNDS_CREATE", "APP_UNINSTALLED"}) {
		t.Errorf("create %v", p.Create)
	}
	// Turned off: the instance's own go, nothing is created.
	p = PlanSubscriptions(subs, "", "/webhooks/shopify/ns/shop")
	if len(p.Keep) != 0 || len(p.Create) != 0 || !slices.Equal(p.Delete, []string{"1", "2", "3"}) {
		t.Errorf("off: %+v", p)
	}
}
