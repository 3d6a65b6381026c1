package shopify_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestVariantLevelsPerLocation(t *testing.T) {
	sim := startSim(t, shopifysim.Options{})
	c := newClient(t, sim)
	variant, item, _ := sim.Store().VariantBySKU("SKU-01-M")
	locs := sim.Store().LocationIDs()
	sim.Store().SetAvailable(item, locs[0], 12)
	sim.Store().SetAvailable(item, locs[1], 3)
	got, err := c.VariantLevels(ctx(t), []string{keys.LegacyID(variant), "999999999"}, len(locs))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d variants, want the one that exists", len(got))
	}
	v := got[0]
	if v.SKU != "SKU-01-M" || v.LegacyResourceID != keys.LegacyID(variant) || !v.Stock.Tracked ||
		v.Stock.Available[locs[0]] != 12 || v.Stock.Available[locs[1]] != 3 || !strings.HasSuffix(v.Name, " - M") {
		t.Errorf("%+v", v)
	}
	var ids []string
	if err := c.VariantRefs(ctx(t), "", func(r shopify.Record) error {
		ids = append(ids, r.LegacyResourceID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids, keys.LegacyID(variant)) {
		t.Errorf("listing lacks %s: %v", variant, ids)
	}
}

// Inventory levels need read_inventory, as Shopify's access metadata says;
// read_products alone shows variants but not their stock.
func TestVariantLevelsNeedReadInventory(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Scopes: []string{"read_products", "read_locations"}})
	c := newClient(t, sim)
	variant, _, _ := sim.Store().VariantBySKU("SKU-01-M")
	_, err := c.VariantLevels(ctx(t), []string{variant}, 2)
	if err == nil || !strings.Contains(err.Error(), "Access denied for inventoryLevels field. Required access: `read_inventory` access scope.") {
		t.Fatalf("want inventoryLevels denied, got %v", err)
	}
	if missing := shopify.FeatureStockImport.Missing([]string{"read_products", "read_locations"}); !slices.Equal(missing, []string{"read_inventory"}) {
		t.Errorf("stock import lacks %v", missing)
	}
}
