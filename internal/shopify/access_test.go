package shopify_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Protected customer data the app is not approved for comes back empty:
// the orders are read, and the client says what Shopify withheld.
func TestOrdersReadWithoutWithheldCustomerData(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 20, Withheld: []string{"email", "address"}, RestoreRate: 1e6})
	var mu sync.Mutex
	var told []string
	c := newClient(t, sim, func(cfg *shopify.Config) {
		cfg.Withheld = func(contents []string) {
			mu.Lock()
			told = append(told, contents...)
			mu.Unlock()
		}
	})
	orders, err := c.OrdersByIDs(ctx(t), sim.Store().OrderIDs())
	if err != nil {
		t.Fatal(err)
	}
	customers := 0
	for _, o := range orders {
		if o.Customer == nil {
			continue
		}
		customers++
		if o.Customer.Email() != "" || o.Customer.Phone() == "" || o.Customer.LastName == "" ||
			o.BillingAddress == nil || o.BillingAddress.Address1 != "" || o.BillingAddress.City == "" {
			t.Errorf("%s: customer %+v, billing address %+v", o.Name, o.Customer, o.BillingAddress)
		}
	}
	slices.Sort(told)
	if len(orders) != 20 || customers == 0 || !slices.Equal(slices.Compact(told), []string{"address", "email"}) {
		t.Errorf("%d orders, %d with customers; told %v", len(orders), customers, told)
	}
}

// A field the app has no scope for fails the call with the scope named.
func TestOrdersDeniedWithoutReadCustomers(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 3, Scopes: slices.DeleteFunc(shopify.FeatureOrders.Scopes(),
		func(s string) bool { return s == "read_customers" })})
	ids := sim.Store().AddOrders(2)
	_, err := newClient(t, sim).OrdersByIDs(ctx(t), ids)
	if !shopify.IsKind(err, shopify.KindForbidden) || !strings.Contains(err.Error(), "Access denied for customer field. Required access: `read_customers` access scope.") {
		t.Fatalf("err = %v", err)
	}
}

// Without read_all_orders, an order created more than 60 days ago reads as
// an order that does not exist.
func TestOldOrdersNotReadWithoutReadAllOrders(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 3, Scopes: shopify.FeatureOrders.Scopes()})
	recent := sim.Store().AddOrders(1)
	orders, err := newClient(t, sim).OrdersByIDs(ctx(t), append(sim.Store().OrderIDs()[:3], recent...))
	if err != nil || len(orders) != 1 || orders[0].ID != recent[0] {
		t.Fatalf("%d orders, %v", len(orders), err)
	}
}
