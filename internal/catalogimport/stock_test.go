package catalogimport_test

import (
	"strings"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

var lyon = []v1.LocationMapping{{ShopifyLocation: "Lyon Warehouse", OdooLocation: "WH/Stock"}}

// variant is the numeric id of the Shopify variant with sku.
func (e env) variant(sku string) string {
	id, _, _ := e.shopSim.Store().VariantBySKU(sku)
	return keys.LegacyID(id)
}

// product writes vals on the Odoo variant with sku (and its template).
func (e env) product(sku string, vals map[string]any) {
	e.t.Helper()
	ids, err := e.odoo.Search(ctx(e.t), "product.product", odoo.Domain{odoo.Cond("default_code", "=", sku)}, 1)
	if err == nil && len(ids) == 0 {
		e.t.Fatalf("no Odoo product %s", sku)
	}
	if err == nil {
		err = e.odoo.Write(ctx(e.t), "product.product", ids, vals)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestStockOnlyForStorableProductsWithoutLots(t *testing.T) {
	e := start(t, odoosim.Options{Version: 18, Database: "odoo", Catalog: true}, shopifysim.Options{})
	e.im.Locations = lyon
	e.product("SKU-01-S", map[string]any{"is_storable": false})
	e.product("SKU-05-M", map[string]any{"tracking": "lot"})
	// Found by barcode when Odoo's internal reference differs.
	e.product("SKU-09-L", map[string]any{"default_code": "OLD-09-L"})
	res, err := e.im.Stock(ctx(t), []string{e.variant("SKU-01-S"), e.variant("SKU-05-M"), e.variant("SKU-09-L")})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		state   v1.LineState
		message string
	}{
		{v1.LineFailed, "is not tracked in stock (a consumable or service): make it a storable product"},
		{v1.LineFailed, "is tracked by lots or serial numbers: count its lots in Odoo"},
		{v1.LineDone, "Lyon Warehouse: "},
	} {
		if r := res[i]; r.State != want.state || !strings.Contains(r.Message, want.message) || r.Retry {
			t.Errorf("%s: %s %q", r.Name, r.State, r.Message)
		}
	}
	if r := res[2]; !strings.Contains(r.Message, "in WH/Stock (was 100)") || r.OdooID == 0 {
		t.Errorf("the variant found by barcode: %+v", r)
	}
}

func TestStockMappingErrorsStopTheBatch(t *testing.T) {
	e := start(t, odoosim.Options{Version: 19, Database: "odoo", Catalog: true}, shopifysim.Options{})
	for _, tc := range []struct {
		locations []v1.LocationMapping
		want      string
	}{
		{nil, "spec.stock.locations maps no Shopify location to an Odoo one: map them to import stock"},
		{[]v1.LocationMapping{{ShopifyLocation: "Berlin", OdooWarehouse: "WH"}},
			`spec.stock.locations names Shopify location "Berlin", which is not an active location of the shop`},
		{[]v1.LocationMapping{{ShopifyLocation: "Paris Store", OdooWarehouse: "PAR"}},
			`spec.stock.locations maps "Paris Store" to Odoo warehouse PAR, which does not exist`},
		{[]v1.LocationMapping{{ShopifyLocation: "Paris Store", OdooLocation: "WH/Stock/Paris"}},
			`spec.stock.locations maps "Paris Store" to Odoo WH/Stock/Paris, which does not exist`},
	} {
		e.im.Locations = tc.locations
		if _, err := e.im.Stock(ctx(t), []string{e.variant("SKU-01-S")}); err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v; want %q", tc.locations, err, tc.want)
		}
	}
}
