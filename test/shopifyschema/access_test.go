package shopifyschema

import (
	"reflect"
	"slices"
	"testing"
)

func TestAccess(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := LoadAccess()
	if err != nil {
		t.Fatal(err)
	}
	field := func(typ, name string) Requirement {
		return a.Field(s, typ, s.Types[typ].Fields.ForName(name))
	}
	fo := []string{"read_assigned_fulfillment_orders", "read_merchant_managed_fulfillment_orders",
		"read_third_party_fulfillment_orders", "read_marketplace_fulfillment_orders"}
	for _, c := range []struct {
		typ, field string
		want       [][]string
	}{
		{"Order", "customer", [][]string{{"read_customers"}}},
		{"Order", "fulfillmentOrders", [][]string{fo}},
		{"QueryRoot", "shopifyPaymentsAccount", [][]string{{"read_shopify_payments", "read_shopify_payments_accounts"}}},
		{"Mutation", "productJoinSellingPlanGroups", [][]string{{"write_products"}, {"write_own_subscription_contracts", "write_purchase_options"}}},
		{"Mutation", "orderCancel", [][]string{{"write_orders", "write_marketplace_orders"}}},
		{"Order", "name", nil},
	} {
		if got := field(c.typ, c.field).Scopes; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s.%s: %q, want %q", c.typ, c.field, got, c.want)
		}
	}
	if r := field("QueryRoot", "shopifyPaymentsAccount"); r.Text != "the `read_shopify_payments` or the `read_shopify_payments_accounts` access scope." {
		t.Errorf("shopifyPaymentsAccount is worded %q", r.Text)
	}
	if p := field("Customer", "lastName").Protected; p == nil || p.Content != "name" {
		t.Errorf("Customer.lastName: %+v", p)
	}
	has := func(granted ...string) func(string) bool {
		return func(s string) bool { return slices.Contains(granted, s) }
	}
	join := field("Mutation", "productJoinSellingPlanGroups")
	if join.Allows(has("write_products")) || !join.Allows(has("write_products", "write_purchase_options")) {
		t.Error("both groups are needed")
	}
}
