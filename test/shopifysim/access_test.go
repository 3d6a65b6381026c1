package shopifysim_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/shopify-odoo/connector/test/shopifysim"
)

// shopifyError is one entry of errors, as Shopify words it.
type shopifyError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Locations  []any  `json:"locations"`
	Extensions struct {
		Code           string `json:"code"`
		Documentation  string `json:"documentation"`
		RequiredAccess string `json:"requiredAccess"`
	} `json:"extensions"`
}

func errorsOf(t *testing.T, r reply) []shopifyError {
	t.Helper()
	b, _ := json.Marshal(r.Errors)
	var out []shopifyError
	json.Unmarshal(b, &out)
	return out
}

// A field the app has no scope for is null, with one error per field at
// its path, worded as Shopify's captured answers; the rest of data is there.
func TestFieldsDeniedWithoutTheirScope(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 2, Scopes: []string{"read_orders"}})
	sim.Store().AddOrders(2)
	_, r := post(t, sim, token, "{\n  orders(first: 5) { nodes { name customer { id } } }\n  shopifyPaymentsAccount { id }\n}", nil)
	nodes := r.Data["orders"].(map[string]any)["nodes"].([]any)
	if len(nodes) != 2 {
		t.Fatalf("%d orders listed, want the 2 of the last 60 days", len(nodes))
	}
	for _, n := range nodes {
		if o := n.(map[string]any); o["name"] == nil || o["customer"] != nil || len(o) != 2 {
			t.Errorf("order %v", o)
		}
	}
	if v, ok := r.Data["shopifyPaymentsAccount"]; !ok || v != nil {
		t.Errorf("shopifyPaymentsAccount: %v", r.Data)
	}
	errs := errorsOf(t, r)
	if len(errs) != 3 {
		t.Fatalf("errors %s", errorText(r))
	}
	customer, payments := errs[0], errs[2]
	if customer.Message != "Access denied for customer field. Required access: `read_customers` access scope." ||
		customer.Extensions.Code != "ACCESS_DENIED" || customer.Extensions.RequiredAccess != "`read_customers` access scope." ||
		!reflect.DeepEqual(customer.Path, []any{"orders", "nodes", 0.0, "customer"}) || len(customer.Locations) != 1 {
		t.Errorf("customer: %+v", customer)
	}
	if payments.Message != "Access denied for shopifyPaymentsAccount field. Required access: the `read_shopify_payments` or the `read_shopify_payments_accounts` access scope." ||
		payments.Extensions.Documentation != "https://shopify.dev/api/usage/access-scopes" || !reflect.DeepEqual(payments.Path, []any{"shopifyPaymentsAccount"}) {
		t.Errorf("shopifyPaymentsAccount: %+v", payments)
	}

	// Objects reached through an interface are checked by their type.
	customerID := ""
	sim.Store().View(sim.Store().OrderIDs()[3], func(o shopifysim.Obj) { customerID = o["customer"].(shopifysim.Obj)["id"].(string) })
	_, r = post(t, sim, token, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{customerID}})
	if errs := errorsOf(t, r); len(errs) != 1 || !reflect.DeepEqual(errs[0].Path, []any{"nodes", 0.0}) || r.Data["nodes"].([]any)[0] != nil {
		t.Errorf("a customer among nodes: %v %s", r.Data, errorText(r))
	}

	// A denied mutation does nothing.
	_, r = post(t, sim, token, `mutation { productSet(input: {title: "Nope"}) { product { id } } }`, nil)
	if errs := errorsOf(t, r); len(errs) != 1 || errs[0].Extensions.RequiredAccess == "" || r.Data["productSet"] != nil {
		t.Errorf("productSet: %v %s", r.Data, errorText(r))
	}
}

// Without read_all_orders, orders created more than 60 days ago are left out
// of listings and read by id as null, like orders that do not exist.
func TestOldOrdersHiddenWithoutReadAllOrders(t *testing.T) {
	for _, c := range []struct {
		scopes []string
		old    bool
	}{{[]string{"read_orders"}, false}, {[]string{"read_orders", "read_all_orders"}, true}} {
		sim := start(t, shopifysim.Options{Orders: 3, Scopes: c.scopes})
		old := sim.Store().OrderIDs()[0]
		recent := sim.Store().AddOrders(1)[0]
		_, r := post(t, sim, token, `query($ids: [ID!]!) { nodes(ids: $ids) { id } orders(first: 10) { nodes { id } } }`,
			map[string]any{"ids": []string{old, recent}})
		nodes, listed := r.Data["nodes"].([]any), r.Data["orders"].(map[string]any)["nodes"].([]any)
		if r.Errors != nil || (nodes[0] != nil) != c.old || nodes[1] == nil || (len(listed) == 4) != c.old {
			t.Errorf("%v: nodes %v, %d listed, errors %s", c.scopes, nodes, len(listed), errorText(r))
		}
	}
}

// Protected customer data the app is not approved for is null, with an
// error at each field.
func TestWithheldCustomerData(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 3, Withheld: []string{"email", "name"}})
	var id string
	sim.Store().Each(func(o shopifysim.Obj) {
		if o["customer"] != nil && id == "" {
			id = o["id"].(string)
		}
	})
	_, r := post(t, sim, token, `query($id: ID!) { order(id: $id) {
		customer { id firstName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } } } }`, map[string]any{"id": id})
	b, _ := json.Marshal(r.Data)
	var data struct {
		Order struct {
			Customer struct {
				ID                  string
				FirstName           *string
				DefaultEmailAddress struct{ EmailAddress *string }
				DefaultPhoneNumber  struct{ PhoneNumber string }
			}
		}
	}
	json.Unmarshal(b, &data)
	if c := data.Order.Customer; c.ID == "" || c.FirstName != nil || c.DefaultEmailAddress.EmailAddress != nil || c.DefaultPhoneNumber.PhoneNumber == "" {
		t.Errorf("data %s", b)
	}
	errs := errorsOf(t, r)
	for i, want := range []struct {
		object string
		path   []any
	}{{"Customer", []any{"order", "customer", "firstName"}}, {"CustomerEmailAddress", []any{"order", "customer", "defaultEmailAddress", "emailAddress"}}} {
		if len(errs) != 2 || errs[i].Extensions.Code != "ACCESS_DENIED" || !reflect.DeepEqual(errs[i].Path, want.path) ||
			errs[i].Message != "This app is not approved to access the "+want.object+" object. See https://partners.shopify.com/1/apps/1/customer_data for more details." {
			t.Errorf("errors %s", errorText(r))
		}
	}
}
