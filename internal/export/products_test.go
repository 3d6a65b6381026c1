package export_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const token = "shpat_export"

type env struct {
	odoo    *odoo.Client
	shop    *shopify.Client
	odooSim *odoosim.Sim
	shopSim *shopifysim.Sim
}

// start runs Odoo with the delivery modules, which bring customs codes.
func start(t testing.TB, shop shopifysim.Options) env {
	t.Helper()
	return startWith(t, shop, map[string]bool{"delivery": true})
}

func startWith(t testing.TB, shop shopifysim.Options, modules map[string]bool) env {
	t.Helper()
	os := odoosim.New(odoosim.Options{Version: 18, Catalog: true, APIKey: "key", Modules: modules})
	os.Start()
	t.Cleanup(os.Close)
	oc, err := odoo.New(odoo.Config{URL: os.URL(), Database: "odoo", Username: "admin", APIKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	shop.AccessToken = token
	ss, err := shopifysim.Start(shop)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ss.Close)
	sc, err := shopify.New(shopify.Config{Endpoint: ss.URL(), AccessToken: token, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return env{oc, sc, os, ss}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}

func (e env) export(t testing.TB, p export.Products, st export.State) export.Result {
	t.Helper()
	r, err := export.ExportProducts(ctx(t), e.odoo, e.shop, p, st)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e env) write(t testing.TB, model string, ids []int64, vals map[string]any) {
	t.Helper()
	if err := e.odoo.Write(ctx(t), model, ids, vals); err != nil {
		t.Fatal(err)
	}
}

func saleable() export.Products {
	return export.Products{Selector: v1.ProductSelector{Category: "All / Saleable"}, Status: "Active"}
}

func TestCatalogueExportsOnceThenOnlyChanges(t *testing.T) {
	e := start(t, shopifysim.Options{EmptyCatalog: true})
	r := e.export(t, saleable(), export.State{})
	if r.Counts != (v1.ExportCounts{Selected: 12, Exported: 12}) || len(r.Failures) != 0 {
		t.Fatalf("first pass %+v %+v", r.Counts, r.Failures)
	}
	if n := e.shopSim.Store().ProductCount(); n != 12 {
		t.Fatalf("%d products in Shopify", n)
	}
	vs, err := e.shop.VariantsBySKU(ctx(t), []string{"SKU-01-M", "SKU-04-L-Nav"})
	if err != nil || len(vs) != 2 || vs[0].Price.String() != "90.00" || vs[1].Price.String() != "131.00" || vs[0].Product.Title != "Merino Crew Sweater" {
		t.Fatalf("variants %+v %v", vs, err)
	}
	d, err := e.shop.ProductDetail(ctx(t), vs[1].Product.ID)
	if err != nil || len(d.Variants.Nodes) != 16 || len(d.Variants.Nodes[0].SelectedOptions) != 2 || d.Variants.Nodes[0].SelectedOptions[1].Name != "Colour" {
		t.Fatalf("product %+v %v", d, err)
	}
	sets := e.shopSim.Stats().ByOperation["ProductSet"]
	r2 := e.export(t, saleable(), r.State)
	if r2.Counts != (v1.ExportCounts{Selected: 12, UpToDate: 12}) || e.shopSim.Stats().ByOperation["ProductSet"] != sets {
		t.Fatalf("second pass %+v, %d productSet", r2.Counts, e.shopSim.Stats().ByOperation["ProductSet"]-sets)
	}
	e.write(t, "product.template", []int64{2}, map[string]any{"list_price": 75.0})
	r3 := e.export(t, saleable(), r2.State)
	if r3.Counts != (v1.ExportCounts{Selected: 12, Updated: 1, UpToDate: 11}) || e.shopSim.Stats().ByOperation["ProductSet"] != sets+1 {
		t.Fatalf("after a price change %+v", r3.Counts)
	}
	if vs, _ := e.shop.VariantsBySKU(ctx(t), []string{"SKU-02-S-Nav"}); len(vs) != 1 || vs[0].Price.String() != "75.00" {
		t.Fatalf("new price %+v", vs)
	}
}

func TestExistingProductUpdatedAndItsExtraVariantKept(t *testing.T) {
	e := start(t, shopifysim.Options{})
	before := e.shopSim.Store().ProductCount()
	vs, _ := e.shop.VariantsBySKU(ctx(t), []string{"SKU-01-S"})
	d, err := e.shop.ProductDetail(ctx(t), vs[0].Product.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := shopify.ProductInput{ID: d.ID, Title: "Old title", Options: []string{"Size"}}
	for _, v := range d.Variants.Nodes {
		in.Variants = append(in.Variants, shopify.VariantInput{ID: v.ID, SKU: v.SKU, Price: v.Price, OptionValues: []string{v.SelectedOptions[0].Value}})
	}
	in.Variants = append(in.Variants, shopify.VariantInput{SKU: "SHOPIFY-ONLY-XXL", Price: d.Variants.Nodes[0].Price, OptionValues: []string{"XXL"}})
	if _, err := e.shop.ProductSet(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	r := e.export(t, saleable(), export.State{})
	if r.Counts != (v1.ExportCounts{Selected: 12, Updated: 12}) || e.shopSim.Store().ProductCount() != before {
		t.Fatalf("counts %+v, %d products (were %d) %+v", r.Counts, e.shopSim.Store().ProductCount(), before, r.Failures)
	}
	d, _ = e.shop.ProductDetail(ctx(t), d.ID)
	if len(d.Variants.Nodes) != 5 || d.Variants.Nodes[4].SKU != "SHOPIFY-ONLY-XXL" {
		t.Fatalf("variants after export %+v", d.Variants.Nodes)
	}
	p := saleable()
	p.RemoveUnknownVariants = true
	e.export(t, p, r.State)
	if d, _ = e.shop.ProductDetail(ctx(t), d.ID); len(d.Variants.Nodes) != 4 {
		t.Fatalf("unknown variant not removed: %+v", d.Variants.Nodes)
	}
}

func variantIDs(t testing.TB, e env, skus ...string) []int64 {
	t.Helper()
	m, err := e.odoo.ProductsByCode(ctx(t), skus)
	if err != nil || len(m) != len(skus) {
		t.Fatalf("products %v %v", m, err)
	}
	var ids []int64
	for _, s := range skus {
		ids = append(ids, m[s].ID)
	}
	return ids
}

func TestVariantWithoutSKUAndDuplicateSKUFail(t *testing.T) {
	e := start(t, shopifysim.Options{EmptyCatalog: true})
	ids := variantIDs(t, e, "SKU-01-M", "SKU-03-S-Nav")
	e.write(t, "product.product", ids[:1], map[string]any{"default_code": false})
	e.write(t, "product.product", ids[1:], map[string]any{"default_code": "SKU-05-S"})
	r := e.export(t, saleable(), export.State{})
	if r.Counts != (v1.ExportCounts{Selected: 12, Exported: 9, Failed: 3}) || len(r.Failures) != 3 {
		t.Fatalf("counts %+v %+v", r.Counts, r.Failures)
	}
	f := r.Failures[len(r.Failures)-1]
	if f.Product != "Merino Crew Sweater (1)" || f.Reason != "variant Merino Crew Sweater (M) has no internal reference (SKU)" {
		t.Fatalf("failure %+v", f)
	}
	if r.Failures[0].SKU != "SKU-05-S" || r.Failures[1].SKU != "SKU-05-S" {
		t.Fatalf("duplicate failures %+v", r.Failures)
	}
	e.write(t, "product.product", ids[:1], map[string]any{"default_code": "SKU-01-M"})
	r = e.export(t, saleable(), r.State)
	if r.Counts.Exported != 1 || r.Counts.Failed != 2 {
		t.Fatalf("after the fix %+v", r.Counts)
	}
}

func TestImagesUploadOnce(t *testing.T) {
	e := start(t, shopifysim.Options{EmptyCatalog: true})
	img := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nimage-of-a-sweater"))
	e.write(t, "product.template", []int64{1}, map[string]any{"image_1920": img})
	r := e.export(t, saleable(), export.State{})
	if e.shopSim.Store().Uploads() != 1 || r.Counts.Exported != 12 {
		t.Fatalf("%d uploads, %+v", e.shopSim.Store().Uploads(), r.Counts)
	}
	e.write(t, "product.template", []int64{1}, map[string]any{"name": "Merino Sweater"})
	r = e.export(t, saleable(), r.State)
	vs, _ := e.shop.VariantsBySKU(ctx(t), []string{"SKU-01-M"})
	d, _ := e.shop.ProductDetail(ctx(t), vs[0].Product.ID)
	if e.shopSim.Store().Uploads() != 1 || r.Counts.Updated != 1 || len(d.Media.Nodes) != 1 || vs[0].Product.Title != "Merino Sweater" {
		t.Fatalf("%d uploads, %+v, media %+v", e.shopSim.Store().Uploads(), r.Counts, d.Media.Nodes)
	}
	e.write(t, "product.template", []int64{1}, map[string]any{"image_1920": base64.StdEncoding.EncodeToString([]byte("another"))})
	e.export(t, saleable(), r.State)
	d, _ = e.shop.ProductDetail(ctx(t), vs[0].Product.ID)
	if e.shopSim.Store().Uploads() != 2 || len(d.Media.Nodes) != 1 || d.Media.Nodes[0].Alt == fmt.Sprint(r) {
		t.Fatalf("%d uploads, media %+v", e.shopSim.Store().Uploads(), d.Media.Nodes)
	}
}

// node returns a copy of what the simulated store holds under a GID.
func (e env) node(t testing.TB, id string) map[string]any {
	t.Helper()
	var out map[string]any
	if !e.shopSim.Store().View(id, func(o shopifysim.Obj) { out = maps.Clone(o) }) {
		t.Fatalf("no %s in Shopify", id)
	}
	return out
}

func TestSettingsReachShopify(t *testing.T) {
	e := start(t, shopifysim.Options{EmptyCatalog: true})
	shoe := variantIDs(t, e, "SKU-04-S-Nav")
	var tmpl []struct {
		Template odoo.Many2One `json:"product_tmpl_id"`
	}
	if err := e.odoo.Read(ctx(t), "product.product", shoe, []string{"product_tmpl_id"}, &tmpl); err != nil {
		t.Fatal(err)
	}
	lists, err := e.odoo.Create(ctx(t), "product.pricelist", []map[string]any{{"name": "Retail"}, {"name": "Was"}})
	if err != nil {
		t.Fatal(err)
	}
	items, err := e.odoo.Create(ctx(t), "product.pricelist.item", []map[string]any{
		{"pricelist_id": lists[0], "applied_on": "1_product", "product_tmpl_id": tmpl[0].Template.ID, "compute_price": "fixed", "fixed_price": 99.0},
		{"pricelist_id": lists[1], "applied_on": "3_global", "compute_price": "percentage", "percent_price": -25.0},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := export.Products{Selector: v1.ProductSelector{Domain: `[["list_price", ">", 100]]`}, Pricelist: "Retail", ComparePricelist: "Was",
		VendorField: "categ_id"}
	r := e.export(t, p, export.State{})
	if r.Counts != (v1.ExportCounts{Selected: 2, Exported: 2}) {
		t.Fatalf("domain selector: %+v", r.Counts)
	}
	vs, err := e.shop.VariantsBySKU(ctx(t), []string{"SKU-04-S-Nav"})
	if err != nil || len(vs) != 1 {
		t.Fatal(vs, err)
	}
	prices := func() string {
		v := e.node(t, vs[0].ID)
		return fmt.Sprint(v["price"], " ", v["compareAtPrice"])
	}
	if got := prices(); got != "99.00 161.25" {
		t.Fatalf("price and compare-at price of SKU-04-S-Nav: %s", got)
	}
	prod := e.node(t, vs[0].Product.ID)
	item := e.node(t, vs[0].ID)["inventoryItem"].(shopifysim.Obj)
	if prod["vendor"] != "All / Saleable" || prod["status"] != "DRAFT" || prod["productType"] != "Saleable" ||
		item["harmonizedSystemCode"] != "640411" || item["countryCodeOfOrigin"] != "VN" || item["tracked"] != true {
		t.Fatalf("vendor %v, status %v, type %v; inventory item %v %v %v", prod["vendor"], prod["status"], prod["productType"],
			item["harmonizedSystemCode"], item["countryCodeOfOrigin"], item["tracked"])
	}

	// Prices left to Shopify: an Odoo price change does not reach it.
	if err := e.odoo.Write(ctx(t), "product.pricelist.item", items[:1], map[string]any{"fixed_price": 89.0}); err != nil {
		t.Fatal(err)
	}
	p.Sync = []v1.SyncField{"details"}
	e.export(t, p, r.State)
	if got := prices(); got != "99.00 161.25" {
		t.Fatalf("a price not synced changed: %s", got)
	}

	for _, sel := range []v1.ProductSelector{{IDs: []int64{tmpl[0].Template.ID}}, {DefaultCodes: []string{"SKU-04-S-Nav", "SKU-01-S"}}} {
		if r := e.export(t, export.Products{Selector: sel}, export.State{}); int(r.Counts.Selected) != len(sel.IDs)+len(sel.DefaultCodes) {
			t.Errorf("selector %+v: %+v", sel, r.Counts)
		}
	}
}

// Without stock_delivery Odoo's products have no customs codes: the export
// sends the rest, unless the spec asks for them by name.
func TestCustomsCodesNeedStockDelivery(t *testing.T) {
	e := startWith(t, shopifysim.Options{EmptyCatalog: true}, nil)
	r := e.export(t, saleable(), export.State{})
	if r.Counts.Exported == 0 || r.Counts.Failed != 0 {
		t.Fatalf("default sync: %+v %v", r.Counts, r.Failures)
	}
	vs, err := e.shop.VariantsBySKU(ctx(t), []string{"SKU-04-S-Nav"})
	if err != nil || len(vs) != 1 {
		t.Fatal(vs, err)
	}
	if item := e.node(t, vs[0].ID)["inventoryItem"].(shopifysim.Obj); item["harmonizedSystemCode"] != nil {
		t.Errorf("HS code %v from a database without them", item["harmonizedSystemCode"])
	}
	p := saleable()
	p.Sync = []v1.SyncField{"details", "hsCode"}
	_, err = export.ExportProducts(ctx(t), e.odoo, e.shop, p, export.State{})
	var se *export.SettingsError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "stock_delivery") {
		t.Fatalf("hsCode without stock_delivery: %v", err)
	}
}
