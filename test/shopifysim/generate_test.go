package shopifysim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func sum[T any](xs []T, f func(T) decimal.Decimal) decimal.Decimal {
	s := decimal.Zero
	for _, x := range xs {
		s = s.Add(f(x))
	}
	return s
}

// checkTotals verifies an order adds up as Shopify's would, in one currency.
func checkTotals(t *testing.T, o shopify.Order, side func(shopify.MoneyBag) shopify.Money) {
	t.Helper()
	amt := func(b shopify.MoneyBag) decimal.Decimal { return side(b).Amount }
	alloc := func(a shopify.DiscountAllocation) decimal.Decimal { return amt(a.Amount) }
	tax := func(l shopify.TaxLine) decimal.Decimal { return amt(l.Price) }
	lines, ships := o.LineItems.Nodes, o.ShippingLines.Nodes
	subtotal := sum(lines, func(l shopify.LineItem) decimal.Decimal {
		return amt(l.OriginalUnitPrice).MulInt(int64(l.Quantity)).Sub(sum(l.DiscountAllocations, alloc))
	})
	lineTax := sum(lines, func(l shopify.LineItem) decimal.Decimal { return sum(l.TaxLines, tax) })
	shipTax := sum(ships, func(s shopify.ShippingLine) decimal.Decimal { return sum(s.TaxLines, tax) })
	shipping := sum(ships, func(s shopify.ShippingLine) decimal.Decimal { return amt(s.DiscountedPrice) })
	discounts := sum(lines, func(l shopify.LineItem) decimal.Decimal { return sum(l.DiscountAllocations, alloc) }).
		Add(sum(ships, func(s shopify.ShippingLine) decimal.Decimal { return sum(s.DiscountAllocations, alloc) }))
	total := subtotal.Add(shipping).Add(amt(o.TotalTipReceived))
	if !o.TaxesIncluded {
		total = total.Add(lineTax).Add(shipTax)
	}
	paid := sum(o.Transactions, func(x shopify.Transaction) decimal.Decimal {
		if x.Kind == "SALE" || x.Kind == "AUTHORIZATION" {
			return amt(x.Amount)
		}
		return decimal.Zero
	})
	for _, c := range []struct {
		what      string
		got, want decimal.Decimal
	}{
		{"subtotal", amt(o.SubtotalPrice), subtotal},
		{"total tax", amt(o.TotalTax), lineTax.Add(shipTax)},
		{"order tax lines", sum(o.TaxLines, tax), lineTax.Add(shipTax)},
		{"shipping", amt(o.TotalShippingPrice), shipping},
		{"discounts", amt(o.TotalDiscounts), discounts},
		{"total", amt(o.TotalPrice), total},
		{"payments", paid, total},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s %s: %s is %s, lines say %s", o.Name, side(o.TotalPrice).CurrencyCode, c.what, c.got, c.want)
		}
	}
	if o.TaxesIncluded { // the tax is inside the price: net × r / (100 + r), to the cent
		for _, l := range lines {
			net := amt(l.OriginalUnitPrice).MulInt(int64(l.Quantity)).Sub(sum(l.DiscountAllocations, alloc))
			for _, tl := range l.TaxLines {
				want := net.Mul(tl.RatePercentage).Div(tl.RatePercentage.Add(decimal.FromInt(100)), 2)
				if !amt(tl.Price).Equal(want) {
					t.Errorf("%s: included %s on %s is %s, want %s", o.Name, tl.Title, net, amt(tl.Price), want)
				}
			}
		}
	}
}

func TestGeneratedOrdersCoverEveryKindAndAddUp(t *testing.T) {
	n := 3 * len(shopifysim.Kinds)
	sim := start(t, shopifysim.Options{Orders: n, Seed: 11, RestoreRate: 1e6})
	c, err := shopify.New(shopify.Config{Endpoint: sim.URL(), AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	orders, err := c.OrdersByIDs(context.Background(), sim.Store().OrderIDs())
	if err != nil || len(orders) != n {
		t.Fatalf("%d orders, %v", len(orders), err)
	}
	known := map[string]bool{}
	for _, v := range catalog.Variants() {
		known[v.SKU] = true
	}
	rates := map[string]bool{}
	for _, tx := range catalog.Taxes {
		rates[tx.Name+"|"+tx.Rate] = true
	}
	for i, o := range orders {
		checkTotals(t, o, func(b shopify.MoneyBag) shopify.Money { return b.Shop })
		checkTotals(t, o, func(b shopify.MoneyBag) shopify.Money { return b.Presentment })
		for _, tl := range o.TaxLines {
			if !rates[tl.Title+"|"+tl.RatePercentage.String()] {
				t.Errorf("%s: tax %s %s is not in the catalogue", o.Name, tl.Title, tl.RatePercentage)
			}
		}
		kind := shopifysim.Kinds[i%len(shopifysim.Kinds)]
		foStatus := func() (s any) {
			sim.Store().View(o.ID, func(o shopifysim.Obj) { s = o["fulfillmentOrders"].([]shopifysim.Obj)[0]["status"] })
			return s
		}
		has := func(f func(shopify.LineItem) bool) bool {
			for _, l := range o.LineItems.Nodes {
				if f(l) {
					return true
				}
			}
			return false
		}
		ok := map[string]func() bool{
			"multi-line": func() bool { return len(o.LineItems.Nodes) >= 5 },
			"line-discount": func() bool {
				return !o.TaxesIncluded && len(o.TaxLines) == 2 && len(o.DiscountApplications.Nodes) == 1 && o.DiscountApplications.Nodes[0].Type == "AutomaticDiscountApplication"
			},
			"order-discount": func() bool {
				return len(o.DiscountApplications.Nodes) == 1 && o.DiscountApplications.Nodes[0].Code == "TENOFF" && o.DiscountApplications.Nodes[0].Value.Amount != nil
			},
			"taxes-included": func() bool { return o.TaxesIncluded && o.TotalTax.Shop.Amount.Sign() > 0 },
			"taxes-excluded-multi": func() bool {
				return !o.TaxesIncluded && len(o.TaxLines) == 2 && o.ShippingAddress.CountryCode == "US" && len(o.ShippingLines.Nodes[0].TaxLines) == 2
			},
			"shipping-discount": func() bool {
				return o.TotalShippingPrice.Shop.Amount.IsZero() && len(o.ShippingLines.Nodes[0].DiscountAllocations) == 1
			},
			"gift-card-purchase": func() bool {
				return has(func(l shopify.LineItem) bool { return l.IsGiftCard && !l.RequiresShipping && len(l.TaxLines) == 0 })
			},
			"gift-card-payment": func() bool { return o.Transactions[0].Gateway == "gift_card" && len(o.Transactions) == 2 },
			"free": func() bool {
				return o.TotalPrice.Shop.Amount.IsZero() && len(o.Transactions) == 0 && o.DisplayFinancialStatus == "PAID"
			},
			"risk-cancel": func() bool {
				return o.Risk.Recommendation == "CANCEL" && o.Risk.Assessments[0].RiskLevel == "HIGH" && o.DisplayFinancialStatus == "AUTHORIZED"
			},
			"risk-investigate": func() bool { return o.Risk.Recommendation == "INVESTIGATE" },
			"cancelled": func() bool {
				return o.CancelledAt != nil && o.CancelReason == "CUSTOMER" && o.DisplayFinancialStatus == "REFUNDED"
			},
			"refunded": func() bool {
				return o.DisplayFinancialStatus == "REFUNDED" && o.TotalRefunded.Shop.Amount.Equal(o.TotalPrice.Shop.Amount) && o.LineItems.Nodes[0].CurrentQuantity == 0
			},
			"partially-refunded": func() bool {
				return o.DisplayFinancialStatus == "PARTIALLY_REFUNDED" && o.LineItems.Nodes[0].CurrentQuantity == o.LineItems.Nodes[0].Quantity-1
			},
			"partially-fulfilled": func() bool {
				return o.DisplayFulfillmentStatus == "PARTIALLY_FULFILLED" && foStatus() == "IN_PROGRESS"
			},
			"fulfilled": func() bool {
				return o.DisplayFulfillmentStatus == "FULFILLED" && foStatus() == "CLOSED"
			},
			"pos": func() bool {
				return o.SourceName == "pos" && o.Customer == nil && o.ShippingAddress == nil && o.Transactions[0].Gateway == "cash"
			},
			"multi-currency": func() bool {
				return o.PresentmentCurrencyCode != o.CurrencyCode && !o.TotalPrice.Presentment.Amount.Equal(o.TotalPrice.Shop.Amount)
			},
			"unknown-sku": func() bool {
				return has(func(l shopify.LineItem) bool {
					return l.Variant != nil && !known[l.SKU] && strings.HasPrefix(l.SKU, "LEGACY")
				})
			},
			"custom-line": func() bool { return has(func(l shopify.LineItem) bool { return l.Variant == nil && l.SKU == "" }) },
			"test":        func() bool { return o.Test && o.Transactions[0].Gateway == "bogus" },
		}
		if !ok[kind]() {
			t.Errorf("%s does not look like a %s order: %+v", o.Name, kind, o)
		}
	}
}

// Point of sale orders carry the store they were sold in, as Shopify's
// retailLocation; online orders none. Custom items have no variant, product
// or SKU, and products of two variants an option of their own values.
func TestPointOfSaleAndCustomItemsAsShopifyHasThem(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: len(shopifysim.Kinds)})
	_, r := post(t, sim, token, `{ orders(first: 50) { nodes { name sourceName sourceIdentifier retailLocation { name legacyResourceId }
		lineItems(first: 10) { nodes { title sku variant { id } product { id } } } } }
		products(first: 50) { nodes { title options { name values } } } }`, nil)
	if r.Errors != nil {
		t.Fatal(errorText(r))
	}
	pos, custom := 0, 0
	for _, n := range r.Data["orders"].(map[string]any)["nodes"].([]any) {
		o := n.(map[string]any)
		loc, _ := o["retailLocation"].(map[string]any)
		switch {
		case o["sourceName"] == "pos" && loc["name"] == "Paris Store":
			if want := fmt.Sprintf("%v-1-%s", loc["legacyResourceId"], strings.TrimPrefix(o["name"].(string), "#")); o["sourceIdentifier"] != want {
				t.Errorf("point of sale order %v: source identifier %v, want %s", o["name"], o["sourceIdentifier"], want)
			}
			pos++
		case o["sourceName"] != "web" || o["retailLocation"] != nil:
			t.Errorf("%v: an online order with a retail location", o)
		}
		for _, l := range o["lineItems"].(map[string]any)["nodes"].([]any) {
			if l := l.(map[string]any); l["title"] == "Gift wrapping" {
				if l["variant"] != nil || l["product"] != nil || l["sku"] != nil {
					t.Errorf("custom item %v: has a variant, product or SKU", l)
				}
				custom++
			}
		}
	}
	if pos != 1 || custom != 1 {
		t.Errorf("%d point of sale orders and %d custom items, want one of each", pos, custom)
	}
	var legacy []any
	for _, n := range r.Data["products"].(map[string]any)["nodes"].([]any) {
		if n.(map[string]any)["title"] == "Legacy Silk Scarf" {
			legacy = append(legacy, n)
		}
	}
	if len(legacy) != 1 {
		t.Fatalf("%d legacy products", len(legacy))
	}
	for _, n := range legacy {
		if opts := n.(map[string]any)["options"].([]any); len(opts) != 1 || len(opts[0].(map[string]any)["values"].([]any)) != 2 {
			t.Errorf("legacy product options %v, want one option of two values", opts)
		}
	}
}
