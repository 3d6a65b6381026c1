package export_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

var mapping = v1.StockSpec{Locations: []v1.LocationMapping{
	{ShopifyLocation: "Lyon Warehouse", OdooWarehouse: "WH"},
	{ShopifyLocation: "Paris Store", OdooLocation: "WH/Stock"},
}}

func (e env) stock(t testing.TB, spec v1.StockSpec) export.StockResult {
	t.Helper()
	r, err := export.ExportStock(ctx(t), e.odoo, e.shop, spec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e env) available(t testing.TB, sku string, loc int) int {
	t.Helper()
	_, item, _ := e.shopSim.Store().VariantBySKU(sku)
	q, ok := e.shopSim.Store().Quantity(item, e.shopSim.Store().LocationIDs()[loc], "available")
	if !ok {
		t.Fatalf("%s not stocked at location %d", sku, loc)
	}
	return q
}

func TestStockLandsPerLocationAndOnlyChangesAreSent(t *testing.T) {
	e := start(t, shopifysim.Options{})
	r := e.stock(t, mapping)
	if r != (export.StockResult{Items: 120, Sent: 120, Activated: 120}) {
		t.Fatalf("first pass %+v", r)
	}
	if e.available(t, "SKU-07-M-Nav", 0) != 100 || e.available(t, "SKU-07-M-Nav", 1) != 100 {
		t.Fatal("quantities not set")
	}
	sets := e.shopSim.Stats().ByOperation["InventorySetQuantities"]
	if r := e.stock(t, mapping); r != (export.StockResult{Items: 120, Unchanged: 240}) || e.shopSim.Stats().ByOperation["InventorySetQuantities"] != sets {
		t.Fatalf("second pass %+v", r)
	}
	var quants []struct {
		ID int64 `json:"id"`
	}
	if err := e.odoo.SearchRead(ctx(t), "stock.quant", odoo.Domain{odoo.In("product_id", variantIDs(t, e, "SKU-01-S", "SKU-01-M"))},
		[]string{"product_id"}, 0, "id", &quants); err != nil || len(quants) != 2 {
		t.Fatal(quants, err)
	}
	e.write(t, "stock.quant", []int64{quants[0].ID}, map[string]any{"quantity": -5.0})
	e.write(t, "stock.quant", []int64{quants[1].ID}, map[string]any{"reserved_quantity": 30.0})
	if r := e.stock(t, mapping); r.Sent != 4 {
		t.Fatalf("third pass %+v", r)
	}
	if e.available(t, "SKU-01-S", 0) != 0 || e.available(t, "SKU-01-M", 1) != 70 {
		t.Fatalf("negative or reserved: %d %d", e.available(t, "SKU-01-S", 0), e.available(t, "SKU-01-M", 1))
	}
	onHand := mapping
	onHand.Quantity = "OnHand"
	if r := e.stock(t, onHand); r.Sent != 2 || e.available(t, "SKU-01-M", 0) != 100 {
		t.Fatalf("on hand %+v", r)
	}
}

// meddler changes a quantity in Shopify just before the export's first
// inventorySetQuantities arrives, as another app would.
type meddler struct {
	next  http.RoundTripper
	other *shopify.Client
	item  string
	loc   string
	done  bool
}

func (m *meddler) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !m.done && bytes.Contains(body, []byte(`"operationName":"InventorySetQuantities"`)) {
		m.done = true
		err := m.other.InventorySetQuantities(r.Context(), shopify.InventorySet{Name: "available", Reason: "correction",
			Quantities: []shopify.InventoryQuantity{{InventoryItemID: m.item, LocationID: m.loc, Quantity: 7}}}, "")
		if err != nil {
			return nil, err
		}
	}
	return m.next.RoundTrip(r)
}

func TestStaleQuantityIsReadAgain(t *testing.T) {
	e := start(t, shopifysim.Options{})
	_, item, _ := e.shopSim.Store().VariantBySKU("SKU-02-L-San")
	m := &meddler{next: http.DefaultTransport, other: e.shop, item: item, loc: e.shopSim.Store().LocationIDs()[0]}
	c, err := shopify.New(shopify.Config{Endpoint: e.shopSim.URL(), AccessToken: token, Timeout: 10 * time.Second, HTTPClient: &http.Client{Transport: m}})
	if err != nil {
		t.Fatal(err)
	}
	spec := v1.StockSpec{Locations: mapping.Locations[:1]}
	r, err := export.ExportStock(ctx(t), e.odoo, c, spec)
	if err != nil || r.Sent != 120 || !m.done {
		t.Fatalf("%+v %v", r, err)
	}
	// Two pages of items: the other app's set, the first page's stale set,
	// that page again after reading its items, the second page.
	ops := e.shopSim.Stats().ByOperation
	if e.available(t, "SKU-02-L-San", 0) != 100 || ops["StockLevels"] != 2 || ops["InventorySetQuantities"] != 4 || ops["ItemLevels"] != 1 {
		t.Fatalf("after a stale quantity: %d in Shopify, operations %v", e.available(t, "SKU-02-L-San", 0), ops)
	}
}

// A correction Shopify undoes (another app, a person in the admin) is made
// again by the next pass with the same numbers: a new operation, so a new
// idempotency key, not a replay of the first correction's answer.
func TestTheSameCorrectionTwiceIsSentTwice(t *testing.T) {
	e := start(t, shopifysim.Options{})
	spec := v1.StockSpec{Locations: mapping.Locations[:1]}
	e.stock(t, spec)
	_, item, _ := e.shopSim.Store().VariantBySKU("SKU-02-L-San")
	loc := e.shopSim.Store().LocationIDs()[0]
	before := e.available(t, "SKU-02-L-San", 0)
	undo := func(to int) {
		cur := e.available(t, "SKU-02-L-San", 0)
		err := e.shop.InventorySetQuantities(ctx(t), shopify.InventorySet{Name: "available", Reason: "correction",
			Quantities: []shopify.InventoryQuantity{{InventoryItemID: item, LocationID: loc, Quantity: to, ChangeFrom: &cur}}}, "")
		if err != nil {
			t.Fatal(err)
		}
	}
	undo(7)
	if r := e.stock(t, spec); r.Sent != 1 || e.available(t, "SKU-02-L-San", 0) != before {
		t.Fatalf("first correction: %+v, %d in Shopify, want %d", r, e.available(t, "SKU-02-L-San", 0), before)
	}
	undo(7)
	if r := e.stock(t, spec); r.Sent != 1 || e.available(t, "SKU-02-L-San", 0) != before {
		t.Fatalf("the same correction again: %+v, %d in Shopify, want %d", r, e.available(t, "SKU-02-L-San", 0), before)
	}
}
