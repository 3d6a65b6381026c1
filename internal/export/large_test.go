package export_test

import (
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// A catalogue of 10,000 variants costs far more than the bucket holds: the
// export must pace itself rather than run into THROTTLED.
func TestTenThousandVariantsStayWithinTheBucket(t *testing.T) {
	e := start(t, shopifysim.Options{EmptyCatalog: true, RestoreRate: 1000, MaxCost: 1000})
	e.odooSim.AddProducts(catalog.Large(625))
	r := e.export(t, saleable(), export.State{})
	if want := (v1.ExportCounts{Selected: 637, Exported: 637}); r.Counts != want {
		t.Fatalf("counts %+v, want %+v; failures %+v", r.Counts, want, r.Failures)
	}
	st := e.shopSim.Stats()
	if st.Throttled != 0 || e.shopSim.Store().ProductCount() != 637 {
		t.Fatalf("%d requests throttled, %d products in Shopify", st.Throttled, e.shopSim.Store().ProductCount())
	}
	if vs, err := e.shop.VariantsBySKU(ctx(t), []string{"L00625-XL-Cha"}); err != nil || len(vs) != 1 || vs[0].Product.Title != "Merino Crew Sweater 625" {
		t.Fatalf("last variant %+v %v", vs, err)
	}
	sets := st.ByOperation["ProductSet"]
	r = e.export(t, saleable(), r.State)
	if r.Counts.UpToDate != 637 || e.shopSim.Stats().ByOperation["ProductSet"] != sets || e.shopSim.Stats().Throttled != 0 {
		t.Fatalf("second pass %+v", r.Counts)
	}
}
