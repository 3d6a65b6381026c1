package controllers

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// productExport creates the export "saleable" of the instance "shop".
func (f *fixture) productExport(edit func(*v1.ProductExportSpec)) {
	f.t.Helper()
	pe := &v1.ProductExport{ObjectMeta: metav1.ObjectMeta{Name: "saleable"}, Spec: v1.ProductExportSpec{
		InstanceRef: v1.InstanceReference{Name: "shop"},
		Selector:    v1.ProductSelector{Category: "All / Saleable"},
		Status:      "Active",
	}}
	if edit != nil {
		edit(&pe.Spec)
	}
	f.create(pe)
}

// shopify is a client of the fixture's shop.
func (f *fixture) shopify() *shopify.Client {
	f.t.Helper()
	c, err := shopify.New(shopify.Config{Endpoint: f.shop.URL(), AccessToken: shopToken})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) price(sku string) string {
	f.t.Helper()
	vs, err := f.shopify().VariantsBySKU(context.Background(), []string{sku})
	if err != nil || len(vs) != 1 {
		f.t.Fatalf("%s in Shopify: %+v %v", sku, vs, err)
	}
	return vs[0].Price.String()
}

func TestCatalogueExportedThenKeptInStep(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixtureWith(t, version, shopifysim.Options{EmptyCatalog: true})
			f.secrets(goodShopify(), goodOdoo())
			ctx, oc := context.Background(), f.odooClient()
			ids := map[string][]int64{}
			for _, sku := range []string{"SKU-01-M", "SKU-02-S-Nav", "SKU-03-S-Nav"} {
				found, err := oc.ProductsByCode(ctx, []string{sku})
				if err != nil || len(found) != 1 {
					t.Fatal(sku, found, err)
				}
				ids[sku] = []int64{found[sku].ID}
				ids["template of "+sku] = []int64{found[sku].Template.ID}
			}
			write := func(model, sku string, vals map[string]any) {
				t.Helper()
				if err := oc.Write(ctx, model, ids[sku], vals); err != nil {
					t.Fatal(err)
				}
			}
			write("product.template", "template of SKU-01-M", map[string]any{"image_1920": base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nsweater"))})
			write("product.product", "SKU-01-M", map[string]any{"default_code": false})
			write("product.product", "SKU-03-S-Nav", map[string]any{"default_code": "SKU-05-S"})
			f.instance(nil)
			f.productExport(nil)

			var pe v1.ProductExport
			f.condition(&pe, "saleable", v1.ConditionReady, metav1.ConditionFalse, ReasonProductsFailed)
			if c := pe.Status.Counts; c != (v1.ExportCounts{Selected: 12, Exported: 9, Failed: 3}) {
				t.Fatalf("counts %+v, failures %+v", c, pe.Status.Failures)
			}
			reasons := fmt.Sprint(pe.Status.Failures)
			for _, want := range []string{"variant Merino Crew Sweater (M) has no internal reference (SKU)", "SKU SKU-05-S is the internal reference of more than one Odoo variant"} {
				if !strings.Contains(reasons, want) {
					t.Errorf("failures %s lack %q", reasons, want)
				}
			}
			if c := meta.FindStatusCondition(pe.Status.Conditions, v1.ConditionNeedsAttention); c == nil || !strings.Contains(c.Message, "3 products failed") {
				t.Errorf("NeedsAttention: %+v", c)
			}
			store := f.shop.Store()
			if store.ProductCount() != 9 || store.Uploads() != 0 {
				t.Errorf("%d products, %d images in Shopify", store.ProductCount(), store.Uploads())
			}
			if p := f.price("SKU-04-L-Nav"); p != "131.00" {
				t.Errorf("SKU-04-L-Nav costs %s in Shopify", p)
			}

			sets := f.shop.Stats().ByOperation["ProductSet"]
			f.requestRun(&pe, "saleable", "again")
			if c := pe.Status.Counts; c != (v1.ExportCounts{Selected: 12, UpToDate: 9, Failed: 3}) || f.shop.Stats().ByOperation["ProductSet"] != sets {
				t.Fatalf("second pass: %+v, %d productSet", c, f.shop.Stats().ByOperation["ProductSet"]-sets)
			}

			write("product.template", "template of SKU-02-S-Nav", map[string]any{"list_price": 75.0})
			write("product.product", "SKU-01-M", map[string]any{"default_code": "SKU-01-M"})
			f.requestRun(&pe, "saleable", "after changes")
			if c := pe.Status.Counts; c != (v1.ExportCounts{Selected: 12, Exported: 1, Updated: 1, UpToDate: 8, Failed: 2}) {
				t.Fatalf("after a price change and a fix: %+v %+v", c, pe.Status.Failures)
			}
			if p := f.price("SKU-02-S-Nav"); p != "75.00" {
				t.Errorf("new price not in Shopify: %s", p)
			}
			if store.Uploads() != 1 {
				t.Errorf("%d images uploaded", store.Uploads())
			}
			var si v1.ShopifyInstance
			eventually(t, "the instance counts exported products", func() error {
				if err := f.get("shop", &si); err != nil || si.Status.Counters.ProductsExported != 10 {
					return fmt.Errorf("counters %+v %v", si.Status.Counters, err)
				}
				return nil
			})
			f.noSecrets()
		})
	}
}

func TestExportSettingsNotInOdooStall(t *testing.T) {
	f := newFixtureWith(t, 18, shopifysim.Options{EmptyCatalog: true})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(nil)
	f.productExport(func(s *v1.ProductExportSpec) { s.Selector = v1.ProductSelector{Category: "All / Nothing"} })
	var pe v1.ProductExport
	c := f.condition(&pe, "saleable", v1.ConditionStalled, metav1.ConditionTrue, ReasonBadSettings)
	if c.Message != `no Odoo product category "All / Nothing"` {
		t.Errorf("message: %s", c.Message)
	}
	if f.shop.Store().ProductCount() != 0 {
		t.Error("products exported")
	}
}

func TestSuspendedExportSendsNothing(t *testing.T) {
	f := newFixtureWith(t, 19, shopifysim.Options{EmptyCatalog: true})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(nil)
	f.productExport(func(s *v1.ProductExportSpec) { s.Suspend = true })
	var pe v1.ProductExport
	f.condition(&pe, "saleable", v1.ConditionSuspended, metav1.ConditionTrue, "Suspended")
	if n := f.shop.Store().ProductCount(); n != 0 || pe.Status.LastExportTime != nil {
		t.Fatalf("%d products exported while suspended", n)
	}
	patch := client.MergeFrom(pe.DeepCopy())
	pe.Spec.Suspend = false
	if err := cp.Client.Patch(context.Background(), &pe, patch); err != nil {
		t.Fatal(err)
	}
	f.condition(&pe, "saleable", v1.ConditionReady, metav1.ConditionTrue, "Exported")
	if meta.FindStatusCondition(pe.Status.Conditions, v1.ConditionSuspended) != nil || f.shop.Store().ProductCount() == 0 {
		t.Fatalf("resumed: %d products, conditions %+v", f.shop.Store().ProductCount(), pe.Status.Conditions)
	}
}
