package importer

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func settings() Settings {
	return Settings{Shop: "sim-shop.myshopify.com", Orders: v1.OrdersSpec{
		NamePrefix: "SHOP-", ShippingProduct: catalog.ShippingSKU, DiscountProduct: catalog.DiscountSKU,
		GiftCardProduct: catalog.GiftCardSKU, TipProduct: catalog.TipSKU, POS: v1.POSSpec{Enabled: true},
		Workflows: []v1.Workflow{
			{FinancialStatus: "paid", Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true, Journal: "Bank"},
			{FinancialStatus: "partially_refunded", Confirm: true},
			{FinancialStatus: "refunded", Confirm: true},
		},
	}}
}

// generatedOrders returns the simulator's orders by the kind it generated them as.
func generatedOrders(t testing.TB, perKind int) map[string][]shopify.Order {
	t.Helper()
	n := perKind * len(shopifysim.Kinds)
	// A fast bucket: these tests are about the orders, not the pacing.
	sim, err := shopifysim.Start(shopifysim.Options{Orders: n, AccessToken: "tok", Seed: 7, RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c, err := shopify.New(shopify.Config{Shop: "sim-shop.myshopify.com", Endpoint: sim.URL(), AccessToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var all []shopify.Order
	if err := c.Orders(ctx, shopify.OrderFilter{}, func(o shopify.Order) error { all = append(all, o); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("listed %d orders, want %d", len(all), n)
	}
	first := -1
	for _, o := range all {
		if num := number(o.Name); first < 0 || num < first {
			first = num
		}
	}
	byKind := map[string][]shopify.Order{}
	for _, o := range all {
		k := shopifysim.Kinds[(number(o.Name)-first)%len(shopifysim.Kinds)]
		byKind[k] = append(byKind[k], o)
	}
	return byKind
}

func number(name string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(name, "#"))
	return n
}

func TestPlanEveryKindOfOrder(t *testing.T) {
	for kind, orders := range generatedOrders(t, 3) {
		for i := range orders {
			o := &orders[i]
			p, err := PlanOrder(settings(), o)
			var skip *Skip
			switch kind {
			case "test":
				if s, ok := err.(*Skip); !ok || s.State != v1.LineSkipped {
					t.Errorf("%s %s: got %v, want a skip", kind, o.Name, err)
				}
				continue
			case "cancelled":
				if err != nil || !p.Cancelled || len(p.Lines) != 0 {
					t.Errorf("%s %s: got %+v, %v; want a plan to cancel", kind, o.Name, p, err)
				}
				continue
			case "custom-line":
				if err == nil || !strings.Contains(err.Error(), `line "Gift wrapping" has no SKU`) {
					t.Errorf("%s %s: got %v, want the line without SKU named", kind, o.Name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v (skip: %v)", kind, o.Name, err, skip)
				continue
			}
			if p.Key != "shopify:sim-shop.myshopify.com/"+o.LegacyResourceID || p.Reference != "SHOP-"+o.Name {
				t.Errorf("%s %s: key %q reference %q", kind, o.Name, p.Key, p.Reference)
			}
			riskyKind := kind == "risk-cancel" || kind == "risk-investigate"
			if p.Risky != riskyKind || (p.Workflow == nil) != riskyKind {
				t.Errorf("%s %s: risky %v, workflow %v", kind, o.Name, p.Risky, p.Workflow)
			}
			if kind == "gift-card-purchase" && p.Lines[0].Role != RoleGiftCard {
				t.Errorf("%s %s: first line %+v is not the gift card", kind, o.Name, p.Lines[0])
			}
			if last := p.Lines[len(p.Lines)-1]; kind == "pos" && (last.Role != RoleTip || last.SKU != catalog.TipSKU) {
				t.Errorf("%s %s: last line %+v is not the tip", kind, o.Name, last)
			}
			if got := planned(p); !got.Equal(p.Total) {
				t.Errorf("%s %s: lines add up to %s, Shopify's total is %s\n%+v", kind, o.Name, got, p.Total, p.Lines)
			}
		}
	}
}

// planned is what the plan's lines cost with Shopify's own tax amounts: with
// discounts as lines, it must be Shopify's total to the cent.
func planned(p *Plan) decimal.Decimal {
	sum := decimal.Zero
	hundred := decimal.FromInt(100)
	for _, l := range p.Lines {
		sum = sum.Add(l.PriceUnit.MulInt(int64(l.Quantity)).Mul(hundred.Sub(l.DiscountPct)).Div(hundred, 2))
	}
	if !p.Order.TaxesIncluded {
		for _, t := range p.Order.TaxLines {
			sum = sum.Add(t.Price.Shop.Amount)
		}
	}
	return sum
}

func TestPlanFailuresSayWhatToFix(t *testing.T) {
	orders := generatedOrders(t, 1)
	paid := orders["multi-line"][0]
	gift := orders["gift-card-purchase"][0]
	pos := orders["pos"][0]
	cases := []struct {
		name  string
		edit  func(*Settings)
		order *shopify.Order
		want  string
	}{
		{"no workflow row", func(s *Settings) { s.Orders.Workflows = s.Orders.Workflows[1:] }, &paid,
			"no workflow row for financial status paid and gateway shopify_payments"},
		{"gateway not in the row", func(s *Settings) { s.Orders.Workflows = []v1.Workflow{{FinancialStatus: "paid", Gateway: "paypal"}} }, &paid,
			"no workflow row for financial status paid and gateway shopify_payments"},
		{"no shipping product", func(s *Settings) { s.Orders.ShippingProduct = "" }, &paid,
			"spec.orders.shippingProduct is not set"},
		{"no gift card product", func(s *Settings) { s.Orders.GiftCardProduct = "" }, &gift,
			"is a gift card and spec.orders.giftCardProduct is not set"},
		{"no tip product", func(s *Settings) { s.Orders.TipProduct = "" }, &pos,
			"the order has a tip of 2.00 and spec.orders.tipProduct is not set"},
		{"no point of sale row", func(s *Settings) { s.Orders.POS.Workflows = []v1.Workflow{{FinancialStatus: "pending"}} }, &pos,
			"no workflow row for financial status paid and gateway cash: add one to spec.orders.pos.workflows"},
	}
	for _, tc := range cases {
		s := settings()
		tc.edit(&s)
		_, err := PlanOrder(s, tc.order)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestRiskPolicies(t *testing.T) {
	o := generatedOrders(t, 1)["risk-cancel"][0]
	s := settings()
	s.Orders.Workflows = append(s.Orders.Workflows, v1.Workflow{FinancialStatus: "authorized", Confirm: true})
	s.Orders.RiskPolicy = v1.RiskSkip
	if _, err := PlanOrder(s, &o); err == nil || err.(*Skip).State != v1.LineSkipped {
		t.Errorf("Skip: got %v", err)
	}
	s.Orders.RiskPolicy = v1.RiskIgnore
	if p, err := PlanOrder(s, &o); err != nil || p.Risky || p.Workflow == nil {
		t.Errorf("Ignore: got %+v, %v", p, err)
	}
}

func TestLineDiscountWithoutDiscountProduct(t *testing.T) {
	o := generatedOrders(t, 1)["line-discount"][0]
	s := settings()
	s.Orders.DiscountProduct = ""
	p, err := PlanOrder(s, &o)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Lines[0].DiscountPct.Equal(decimal.FromInt(15)) {
		t.Errorf("first line discount %s%%, want the 15%% the order has", p.Lines[0].DiscountPct)
	}
	for _, l := range p.Lines {
		if l.Role == RoleDiscount {
			t.Errorf("a discount line without a discount product: %+v", l)
		}
	}
}

func TestNegativeQuantityOrPriceRefused(t *testing.T) {
	o := generatedOrders(t, 1)["multi-line"][0]
	o.LineItems.Nodes[0].Quantity = -2
	if _, err := PlanOrder(settings(), &o); err == nil || !strings.Contains(err.Error(), "negative quantity or price (-2 at") {
		t.Fatalf("negative quantity: %v", err)
	}
	o.LineItems.Nodes[0].Quantity = 0 // removed by an edit: left out
	if p, err := PlanOrder(settings(), &o); err != nil || len(p.Lines) == 0 || p.Lines[0].Name == o.LineItems.Nodes[0].Name {
		t.Fatalf("removed line: %+v %v", p, err)
	}
}
