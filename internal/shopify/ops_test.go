package shopify_test

import (
	"testing"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestCatalogueOperations(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 1})
	c := newClient(t, sim)
	locs, err := c.Locations(ctx(t))
	if err != nil || len(locs) != 2 || !locs[0].FulfillsOnlineOrders {
		t.Fatalf("locations %+v, %v", locs, err)
	}
	skus := []string{"SKU-01-S", "SKU-02-M-San", "LEGACY-SCARF", "NOT-THERE"}
	vs, err := c.VariantsBySKU(ctx(t), skus)
	if err != nil || len(vs) != 3 {
		t.Fatalf("variants %+v, %v", vs, err)
	}
	if vs[0].SKU != "SKU-01-S" || vs[0].Barcode != catalog.Variants()[0].Barcode || vs[0].InventoryItem == nil || vs[0].Product.Handle != "p01" {
		t.Fatalf("variant %+v", vs[0])
	}

	in := shopify.ProductInput{Handle: "new-socks", Title: "New Socks", Vendor: "Ridgeline", Options: []string{"Size"},
		Variants: []shopify.VariantInput{
			{SKU: "NS-S", Price: decimal.MustParse("9.90"), OptionValues: []string{"S"}},
			{SKU: "NS-M", Price: decimal.MustParse("9.90"), OptionValues: []string{"M"}},
		}}
	p, err := c.ProductSet(ctx(t), in)
	if err != nil || len(p.Variants) != 2 || p.Variants[0].InventoryItem == nil {
		t.Fatalf("productSet %+v, %v", p, err)
	}
	in.Variants = in.Variants[1:] // productSet deletes variants left out
	p2, err := c.ProductSet(ctx(t), in)
	if err != nil || p2.ID != p.ID || len(p2.Variants) != 1 || p2.Variants[0].ID != p.Variants[1].ID {
		t.Fatalf("second productSet %+v, %v", p2, err)
	}
	if vs, _ := c.VariantsBySKU(ctx(t), []string{"NS-S"}); len(vs) != 0 {
		t.Fatal("deleted variant still found")
	}

	item, store := p2.Variants[0].InventoryItem.ID, locs[1].ID
	ten := 10
	if err := c.InventoryActivate(ctx(t), item, store, &ten, ""); err != nil {
		t.Fatal(err)
	}
	if q, ok := sim.Store().Quantity(item, store, "available"); !ok || q != 10 {
		t.Fatalf("activated quantity %d %v", q, ok)
	}
	err = c.InventorySetQuantities(ctx(t), shopify.InventorySet{Name: "available", Reason: "correction",
		Quantities: []shopify.InventoryQuantity{{InventoryItemID: item, LocationID: store, Quantity: 3}}}, "")
	if q, _ := sim.Store().Quantity(item, store, "available"); err != nil || q != 3 {
		t.Fatalf("set without compare: %d, %v", q, err)
	}
}

func TestOrderCancelAndRefund(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: len(shopifysim.Kinds)})
	c := newClient(t, sim)
	ids := sim.Store().OrderIDs()
	if err := c.OrderCancel(ctx(t), ids[0], shopify.Cancel{Reason: "CUSTOMER", Refund: true, Restock: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.OrderCancel(ctx(t), ids[0], shopify.Cancel{Reason: "CUSTOMER", Refund: true, Restock: true}); !shopify.IsKind(err, shopify.KindUserErrors) {
		t.Fatalf("second cancel: %v", err)
	}
	orders, err := c.OrdersByIDs(ctx(t), ids[:2])
	if err != nil || orders[0].CancelledAt == nil || orders[0].CancelReason != "CUSTOMER" || orders[0].DisplayFinancialStatus != "REFUNDED" {
		t.Fatalf("cancelled order %+v, %v", orders[0], err)
	}

	o := orders[1]
	li := o.LineItems.Nodes[0]
	in := shopify.RefundInput{OrderID: o.ID, Lines: []shopify.RefundLine{{LineItemID: li.ID, Quantity: 1, RestockType: "NO_RESTOCK"}}}
	r1, err := c.RefundCreate(ctx(t), in, "refund-"+o.ID)
	if err != nil || r1.ID == "" || r1.TotalRefunded.Shop.Amount.Sign() <= 0 {
		t.Fatalf("refund %+v, %v", r1, err)
	}
	r2, err := c.RefundCreate(ctx(t), in, "refund-"+o.ID) // same key: same refund, not a second one
	if err != nil || r2.ID != r1.ID {
		t.Fatalf("replayed refund %+v, %v", r2, err)
	}
	after, _ := c.OrdersByIDs(ctx(t), []string{o.ID})
	got := after[0]
	if got.LineItems.Nodes[0].CurrentQuantity != li.CurrentQuantity-1 || !got.TotalRefunded.Shop.Amount.Equal(r1.TotalRefunded.Shop.Amount) {
		t.Fatalf("after refund: quantity %d, refunded %s", got.LineItems.Nodes[0].CurrentQuantity, got.TotalRefunded.Shop.Amount)
	}
	if got.DisplayFinancialStatus != "PARTIALLY_REFUNDED" && got.DisplayFinancialStatus != "REFUNDED" {
		t.Fatalf("financial status %s", got.DisplayFinancialStatus)
	}
}
