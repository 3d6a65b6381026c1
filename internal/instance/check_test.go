package instance

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func shopClient(t *testing.T, scopes []string, token string) *shopify.Client {
	sim, err := shopifysim.Start(shopifysim.Options{AccessToken: "good", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c, err := shopify.New(shopify.Config{Shop: "sim-shop.myshopify.com", Endpoint: sim.URL(), AccessToken: token, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckShopify(t *testing.T) {
	shop, p := CheckShopify(ctx(t), shopClient(t, nil, "good"))
	if p != nil || shop.CurrencyCode != "EUR" || shop.Name == "" {
		t.Errorf("good credentials: %+v %v", shop, p)
	}
	if _, p := CheckShopify(ctx(t), shopClient(t, nil, "bad")); p == nil || p.Reason != ReasonBadCredentials || !p.Stalled {
		t.Errorf("bad token: %+v", p)
	}
	// The scopes this check asked for before it read them from the
	// documents: enough for the check, not for reading an order.
	_, p = CheckShopify(ctx(t), shopClient(t, []string{"read_orders", "write_orders", "read_products", "write_products", "read_inventory",
		"write_inventory", "read_fulfillments", "write_fulfillments", "read_locations"}, "good"))
	if p == nil || p.Reason != ReasonMissingScope || !p.Stalled || p.Message !=
		"the Shopify app lacks the access scopes of orders: read_customers; add them to the app's scopes and install it again" {
		t.Errorf("missing scopes: %+v", p)
	}
	if p != nil && strings.Contains(p.Message, "good") {
		t.Errorf("the message shows the token: %s", p.Message)
	}
	// Another feature's scope does not stop the check; Lacks names it.
	granted := append(shopify.FeatureOrders.Scopes(), "read_locations", "write_inventory")
	if _, p := CheckShopify(ctx(t), shopClient(t, granted, "good")); p != nil {
		t.Errorf("orders only: %+v", p)
	}
	if p := Lacks(granted, shopify.FeaturePayouts); p == nil || p.Reason != ReasonMissingScope || !strings.Contains(p.Message, "payouts: read_shopify_payments;") {
		t.Errorf("payouts: %+v", p)
	}
	if p := Lacks(granted, shopify.FeatureStock); p != nil {
		t.Errorf("stock, write_inventory granting read_inventory: %+v", p)
	}
}

func odooClient(t *testing.T, url, key string) *odoo.Client {
	c, err := odoo.New(odoo.Config{URL: url, Database: "demo", Username: "admin", APIKey: key, Timeout: 2 * time.Second, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func spec() v1.ShopifyInstanceSpec {
	return v1.ShopifyInstanceSpec{
		Odoo: v1.OdooSpec{Warehouse: "WH"},
		Orders: v1.OrdersSpec{ShippingProduct: catalog.ShippingSKU, DiscountProduct: catalog.DiscountSKU, RoundingProduct: catalog.RoundingSKU,
			Workflows: []v1.Workflow{{FinancialStatus: "paid", Journal: "Bank"}, {FinancialStatus: "pending", Journal: "Bank"}}},
	}
}

func TestCheckOdoo(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		sim := odoosim.New(odoosim.Options{Version: version, Database: "demo", Login: "admin", APIKey: "key", Catalog: true})
		sim.Start()
		t.Cleanup(sim.Close)

		info, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), spec())
		if p != nil || !strings.HasPrefix(info.Version, "1") || info.Protocol == "" {
			t.Errorf("%d: good setup: %+v %v", version, info, p)
		}
		_, p = CheckOdoo(ctx(t), odooClient(t, sim.URL(), "wrong"), spec())
		if p == nil || p.Reason != ReasonBadCredentials || !p.Stalled || strings.Contains(p.Message, "wrong") {
			t.Errorf("%d: bad key: %+v", version, p)
		}
		s := spec()
		s.Odoo.Warehouse = "XX"
		s.Orders.Workflows[1].Journal = "Stripe"
		s.Orders.GiftCardProduct = "NOPE"
		_, p = CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s)
		if p == nil || p.Reason != ReasonNotFound || p.Message != `not found in Odoo: warehouse "XX", journal "Stripe", product "NOPE"` {
			t.Errorf("%d: missing records: %+v", version, p)
		}
		// what only some orders need stops every order too
		s = spec()
		s.Orders.Workflows[1].PaymentTerm = "45 Days"
		s.Orders.RefundAdjustmentProduct = "REFUND-ADJ"
		_, p = CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s)
		if p == nil || p.Reason != ReasonNotFound || !p.Stalled || p.Message != `not found in Odoo: payment term "45 Days", product "REFUND-ADJ"` {
			t.Errorf("%d: missing payment term and refund adjustment product: %+v", version, p)
		}
		// and so do the point of sale's and those of products made for orders
		s = spec()
		s.Orders.POS = v1.POSSpec{Enabled: true, GuestCustomer: "Walk-in", Workflows: []v1.Workflow{{FinancialStatus: "paid", Journal: "Till"}}}
		s.Orders.UnknownProducts, s.Orders.ProductCategory, s.Orders.CustomItemProduct = v1.UnknownCreate, "All / New", "CUSTOM"
		_, p = CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s)
		if p == nil || p.Reason != ReasonNotFound || !p.Stalled ||
			p.Message != `not found in Odoo: point of sale guest customer "Walk-in", product category "All / New", journal "Till", product "CUSTOM"` {
			t.Errorf("%d: missing point of sale and product records: %+v", version, p)
		}
		s = spec()
		s.Orders.RoundingProduct = ""
		_, p = CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s)
		if version < 19 && p != nil {
			t.Errorf("%d: rounding per line needs no rounding product: %+v", version, p)
		}
		if version == 19 && (p == nil || p.Reason != ReasonTaxRounding || !p.Stalled) {
			t.Errorf("%d: a new company rounds globally and needs a rounding product: %+v", version, p)
		}
	}
}

// The check finds the named company, else the user's default one, and the
// client works in it from then on.
func TestCheckOdooCompany(t *testing.T) {
	sim := odoosim.New(odoosim.Options{Version: 18, Database: "demo", Login: "admin", APIKey: "key", Catalog: true,
		SecondCompany: odoosim.SecondCompanyName})
	sim.Start()
	t.Cleanup(sim.Close)
	for _, c := range []struct {
		company, warehouse string
		want               int64
		problem            string
	}{
		{"", "WH", 1, ""},
		{odoosim.SecondCompanyName, "WH2", 2, ""},
		{"My Company", "WH2", 0, `not found in Odoo: warehouse "WH2"`},
		{odoosim.SecondCompanyName, "WH", 0, `not found in Odoo: warehouse "WH"`},
	} {
		s := spec()
		s.Odoo.Company, s.Odoo.Warehouse = c.company, c.warehouse
		client := odooClient(t, sim.URL(), "key")
		info, p := CheckOdoo(ctx(t), client, s)
		if c.problem != "" {
			if p == nil || p.Reason != ReasonNotFound || p.Message != c.problem {
				t.Errorf("%q with warehouse %s: %+v", c.company, c.warehouse, p)
			}
			continue
		}
		if p != nil || info.CompanyID != c.want || client.Company() != c.want {
			t.Errorf("%q: company %d (client %d), want %d; %v", c.company, info.CompanyID, client.Company(), c.want, p)
		}
	}
}

func TestCheckOdooUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, p := CheckOdoo(ctx(t), odooClient(t, "http://"+addr, "key"), spec())
	if p == nil || p.Reason != ReasonUnreachable || p.Stalled {
		t.Errorf("closed port: %+v", p)
	}
}

// The preflight names the rights an enabled feature lacks, and tells a
// model whose module is not installed.
// Activities for a person need the right to create them; a user without it
// stalls the instance up front rather than failing each order.
func TestCheckOdooActivityRights(t *testing.T) {
	for _, version := range []int{17, 19} {
		s := spec()
		sim := odoosim.New(odoosim.Options{Version: version, Database: "demo", Login: "admin", APIKey: "key", Catalog: true,
			Denied: map[string][]string{"mail.activity": {"create"}}})
		sim.Start()
		t.Cleanup(sim.Close)
		if _, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s); p != nil {
			t.Errorf("%d: no activities asked for, none needed: %+v", version, p)
		}
		s.Orders.OnFailure = &v1.FailureSpec{ActivityUser: "admin"}
		if _, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s); p == nil || p.Reason != ReasonNoAccess || !strings.Contains(p.Message, "create mail.activity (for activities)") {
			t.Errorf("%d: failure activities need the right to create them: %+v", version, p)
		}
	}
}

func TestCheckOdooAccessAndModules(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		s := spec()
		s.Fulfillment.Enabled = true
		sim := odoosim.New(odoosim.Options{Version: version, Database: "demo", Login: "admin", APIKey: "key", Catalog: true,
			Denied: map[string][]string{"ir.model.data": {"create"}}})
		sim.Start()
		t.Cleanup(sim.Close)
		_, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s)
		if p == nil || p.Reason != ReasonNoAccess || !p.Stalled || !strings.Contains(p.Message, "create ir.model.data (for fulfilments)") {
			t.Errorf("%d: no right to create external ids: %+v", version, p)
		}
		s.Fulfillment.Enabled = false
		if _, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s); p != nil {
			t.Errorf("%d: fulfilments off need no external ids: %+v", version, p)
		}
		s.Orders.UnknownProducts, s.Orders.ProductCategory = v1.UnknownCreate, "All"
		if _, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s); p == nil || !strings.Contains(p.Message, "create ir.model.data (for unknownProducts Create)") {
			t.Errorf("%d: products made for orders need external ids: %+v", version, p)
		}
		s.Orders.UnknownProducts, s.Orders.ProductCategory = "", ""
		// a module not installed: Odoo does not know its models
		c := odooClient(t, sim.URL(), "key")
		if err := c.Connect(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.MayAccess(ctx(t), "account.bank.statement.import", "create"); !odoo.IsUnknownModel(err) {
			t.Errorf("%d: an unknown model: %v", version, err)
		}
	}
}
