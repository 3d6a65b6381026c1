package catalogimport_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const token = "shpat_catalogimport"

type env struct {
	t       *testing.T
	im      *catalogimport.Importer
	odoo    *odoo.Client
	shopSim *shopifysim.Sim
	sim     *odoosim.Sim
}

func start(t *testing.T, o odoosim.Options, shop shopifysim.Options) env {
	t.Helper()
	o.APIKey = "key"
	os := odoosim.New(o)
	os.Start()
	t.Cleanup(os.Close)
	oc, err := odoo.New(odoo.Config{URL: os.URL(), Database: "odoo", Username: "admin", APIKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	shop.AccessToken, shop.RestoreRate, shop.MaxCost = token, 1e5, 1e5
	ss, err := shopifysim.Start(shop)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ss.Close)
	sc, err := shopify.New(shopify.Config{Endpoint: ss.URL(), AccessToken: token, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	im := &catalogimport.Importer{Shopify: sc, Odoo: oc, Settings: importer.Settings{Shop: "sim-shop.myshopify.com"}}
	return env{t, im, oc, ss, os}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}

// ids lists the shop's products or customers.
func (e env) ids(list func(context.Context, string, func(shopify.Record) error) error) []string {
	var out []string
	if err := list(ctx(e.t), "", func(r shopify.Record) error {
		out = append(out, r.LegacyResourceID)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e env) count(model string, domain odoo.Domain) int {
	e.t.Helper()
	ids, err := e.odoo.Search(ctx(e.t), model, domain, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ids)
}

// run imports and checks that every line is done, returning the messages.
func (e env) run(f func(context.Context, []string) ([]catalogimport.Result, error), ids []string) []string {
	e.t.Helper()
	rs, err := f(ctx(e.t), ids)
	if err != nil {
		e.t.Fatal(err)
	}
	var msgs []string
	for _, r := range rs {
		if r.State != v1.LineDone || r.OdooID == 0 {
			e.t.Fatalf("%s %s: %s %s (odoo id %d)", r.ID, r.Name, r.State, r.Message, r.OdooID)
		}
		msgs = append(msgs, r.Message)
	}
	return msgs
}

// all tells whether every message starts with want.
func all(msgs []string, want string) bool {
	for _, m := range msgs {
		if !strings.HasPrefix(m, want) {
			return false
		}
	}
	return true
}

func TestProductsImportIntoEmptyOdooOnceForEachVersion(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(string(rune('0'+version/10))+string(rune('0'+version%10)), func(t *testing.T) {
			e := start(t, odoosim.Options{Version: version}, shopifysim.Options{EmptyCatalog: true, Products: 6})
			ids := e.ids(e.im.Shopify.ProductRefs)
			if len(ids) != 6 {
				t.Fatalf("%d products listed", len(ids))
			}
			msgs := e.run(e.im.Products, ids)
			if !all(msgs, "created with 16 variants") {
				t.Fatalf("first import: %q", msgs)
			}
			if n := e.count("product.template", nil); n != 6 {
				t.Errorf("%d templates", n)
			}
			if n := e.count("product.product", odoo.Domain{odoo.Cond("default_code", "=like", "L%")}); n != 96 {
				t.Errorf("%d variants with a SKU", n)
			}
			var ps []odoo.Product
			if err := e.odoo.SearchRead(ctx(t), "product.product", odoo.Domain{odoo.Cond("default_code", "=", "L00001-XL-Cha")},
				e.odoo.Adapter().ProductFields(), 0, "", &ps); err != nil || len(ps) != 1 {
				t.Fatalf("%v %+v", err, ps)
			}
			if p := ps[0]; !p.Storable() || p.Barcode == "" || p.Price <= p.TemplatePrice {
				t.Errorf("variant %+v: storable, with its barcode and the size's price extra", p)
			}
			var imgs []struct {
				Image odoo.Text `json:"image_1920"`
			}
			if err := e.odoo.SearchRead(ctx(t), "product.template", nil, []string{"image_1920"}, 0, "id", &imgs); err != nil || imgs[0].Image == "" {
				t.Errorf("no image: %v", err)
			}
			if msgs := e.run(e.im.Products, ids); !all(msgs, "unchanged") {
				t.Errorf("re-import: %q", msgs)
			}
			if n := e.count("product.template", nil); n != 6 {
				t.Errorf("%d templates after re-import", n)
			}
			// A new image is imported only where Shopify owns images.
			first := e.shopSim.Store().ProductIDs()[0]
			if err := e.shopSim.Store().UpdateProduct(first, func(p shopifysim.Obj) {
				p["media"].([]shopifysim.Obj)[0]["image"].(shopifysim.Obj)["url"] = "/images/new.png"
			}); err != nil {
				t.Fatal(err)
			}
			one := []string{strings.TrimPrefix(first, "gid://shopify/Product/")}
			if msgs := e.run(e.im.Products, one); msgs[0] != "unchanged" {
				t.Errorf("Odoo owns the images: %q", msgs)
			}
			e.im.ProductSettings.FieldOwnership.Images = v1.OwnerShopify
			if msgs := e.run(e.im.Products, one); msgs[0] != "updated: image" {
				t.Errorf("Shopify owns the images: %q", msgs)
			}
			if msgs := e.run(e.im.Products, one); msgs[0] != "unchanged" {
				t.Errorf("the same image again: %q", msgs)
			}
		})
	}
}

func TestProductsLinkToOdooProductsBySKUAndFollowFieldOwnership(t *testing.T) {
	e := start(t, odoosim.Options{Version: 18, Catalog: true}, shopifysim.Options{})
	before := e.count("product.template", nil)
	ids := e.ids(e.im.Shopify.ProductRefs)
	msgs := e.run(e.im.Products, ids)
	// Two products are Shopify's only: a legacy one and a gift card.
	if n := e.count("product.template", nil); n != before+2 {
		t.Errorf("%d templates, %d before: %q", n, before, msgs)
	}
	linked := 0
	for _, m := range msgs {
		if strings.HasPrefix(m, "updated: linked to an existing product") {
			linked++
		}
	}
	if linked != len(ids)-2 {
		t.Errorf("%d of %d linked: %q", linked, len(ids), msgs)
	}
	if msgs := e.run(e.im.Products, ids); !all(msgs, "unchanged") {
		t.Errorf("re-import: %q", msgs)
	}
	first := e.shopSim.Store().ProductIDs()[0]
	if err := e.shopSim.Store().UpdateProduct(first, func(p shopifysim.Obj) { p["title"] = "Renamed in Shopify" }); err != nil {
		t.Fatal(err)
	}
	one := []string{strings.TrimPrefix(first, "gid://shopify/Product/")}
	if msgs := e.run(e.im.Products, one); msgs[0] != "unchanged" {
		t.Errorf("Odoo owns the title: %q", msgs)
	}
	e.im.ProductSettings.FieldOwnership.Title = v1.OwnerShopify
	if msgs := e.run(e.im.Products, one); msgs[0] != "updated: title" {
		t.Errorf("Shopify owns the title: %q", msgs)
	}
	if n := e.count("product.template", odoo.Domain{odoo.Cond("name", "=", "Renamed in Shopify")}); n != 1 {
		t.Errorf("%d templates renamed", n)
	}
}

func TestCustomersImportOnceWithAddressesAndTags(t *testing.T) {
	e := start(t, odoosim.Options{Version: 19}, shopifysim.Options{EmptyCatalog: true, Customers: 12})
	e.im.Settings.Orders.Customers.Import.Tags = true
	ids := e.ids(e.im.Shopify.CustomerRefs)
	msgs := e.run(e.im.Customers, ids)
	if n := e.count("res.partner", odoo.Domain{odoo.Cond("ref", "=like", "shopify:sim-shop.myshopify.com/customer/%")}); n != 12 {
		t.Errorf("%d contacts: %q", n, msgs)
	}
	// One address each, a second for every third customer.
	if n := e.count("res.partner", odoo.Domain{odoo.In("type", []string{"invoice", "delivery"})}); n != 16 {
		t.Errorf("%d addresses", n)
	}
	if n := e.count("ir.model.data", odoo.Domain{odoo.Cond("module", "=", "shopify_customer")}); n != 12 {
		t.Errorf("%d external ids", n)
	}
	if n := e.count("res.partner", odoo.Domain{odoo.Cond("category_id.name", "=", "VIP")}); n != 3 {
		t.Errorf("%d VIP contacts", n)
	}
	if msgs := e.run(e.im.Customers, ids); !all(msgs, "unchanged") {
		t.Errorf("re-import: %q", msgs)
	}
	if n := e.count("res.partner", odoo.Domain{odoo.Cond("ref", "!=", false)}); n != 12 {
		t.Errorf("%d contacts after re-import", n)
	}
}

func TestCustomersLinkToContactsOfTheOrderImport(t *testing.T) {
	e := start(t, odoosim.Options{Version: 17}, shopifysim.Options{EmptyCatalog: true, Customers: 3})
	ids := e.ids(e.im.Shopify.CustomerRefs)
	top := odoo.Domain{odoo.Cond("parent_id", "=", false)}
	before := e.count("res.partner", top)
	// The order import made the first customer's contact; someone made the
	// second's by hand.
	if _, err := e.odoo.Create(ctx(t), "res.partner", []map[string]any{
		{"name": "From an order", "ref": "shopify:sim-shop.myshopify.com/customer/" + ids[0]},
		{"name": "By hand", "email": "buyer0001@example.net"},
	}); err != nil {
		t.Fatal(err)
	}
	msgs := e.run(e.im.Customers, ids)
	// Two found, one created.
	if n := e.count("res.partner", top); n != before+3 {
		t.Errorf("%d contacts, %d before: %q", n, before, msgs)
	}
	if !strings.HasPrefix(msgs[0], "linked to an existing contact; added") || !strings.HasPrefix(msgs[1], "linked") {
		t.Errorf("%q", msgs)
	}
	if msgs := e.run(e.im.Customers, ids); !all(msgs, "unchanged") {
		t.Errorf("re-import: %q", msgs)
	}
}

func TestProductWhoseImageCannotBeDownloadedFailsAlone(t *testing.T) {
	e := start(t, odoosim.Options{Version: 18}, shopifysim.Options{EmptyCatalog: true, Products: 2})
	first := e.shopSim.Store().ProductIDs()[0]
	if err := e.shopSim.Store().UpdateProduct(first, func(p shopifysim.Obj) {
		p["media"].([]shopifysim.Obj)[0]["image"].(shopifysim.Obj)["url"] = "http://127.0.0.1:1/gone.png"
	}); err != nil {
		t.Fatal(err)
	}
	rs, err := e.im.Products(ctx(t), e.ids(e.im.Shopify.ProductRefs))
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].State != v1.LineFailed || !rs[0].Retry || !strings.Contains(rs[0].Message, "image") || rs[1].State != v1.LineDone {
		t.Errorf("%+v", rs)
	}
	if n := e.count("product.template", nil); n != 1 {
		t.Errorf("%d templates", n)
	}
}

func TestCustomersMarketingConsentGoesToTheConfiguredField(t *testing.T) {
	sim := odoosim.Options{Version: 18, CustomFields: map[string]string{"res.partner": "x_accepts_marketing boolean"}}
	e := start(t, sim, shopifysim.Options{EmptyCatalog: true, Customers: 4})
	e.im.Settings.Orders.Customers.Import.MarketingConsentField = "x_accepts_marketing"
	// Someone made the second customer's contact by hand.
	if _, err := e.odoo.Create(ctx(t), "res.partner", []map[string]any{{"name": "By hand", "email": "buyer0002@example.net"}}); err != nil {
		t.Fatal(err)
	}
	ids := e.ids(e.im.Shopify.CustomerRefs)
	msgs := e.run(e.im.Customers, ids)
	// Every other customer agreed to email marketing, the found contact too.
	if n := e.count("res.partner", odoo.Domain{odoo.Cond("x_accepts_marketing", "=", true)}); n != 2 {
		t.Errorf("%d contacts agreed: %q", n, msgs)
	}
	if !strings.Contains(msgs[2], "marketing consent") {
		t.Errorf("the found contact: %q", msgs[2])
	}
	if msgs := e.run(e.im.Customers, ids); !all(msgs, "unchanged") {
		t.Errorf("re-import: %q", msgs)
	}
}

// Odoo creates the templates but its reply is lost: the next import takes
// them over rather than creating them again.
func TestLostReplyCreatesNoSecondTemplates(t *testing.T) {
	e := start(t, odoosim.Options{Version: 18}, shopifysim.Options{EmptyCatalog: true, Products: 4})
	e.sim.Inject(odoosim.Fault{Kind: odoosim.LostReply, Model: "product.template", Method: "create", Times: 1})
	ids := e.ids(e.im.Shopify.ProductRefs)
	_, _ = e.im.Products(ctx(t), ids) // the error or the failed lines are not what this is about
	e.run(e.im.Products, ids)
	if n := e.count("product.template", nil); n != 4 {
		t.Errorf("%d templates for 4 products", n)
	}
}

// Every image of a product with several lands in Odoo once: the featured
// one on the template, each variant's own on its variant (variants sharing
// one read it once); a second import writes no image. Odoo without
// website_sale has no place for images no variant shows.
func TestEveryImageOfAProductImportedOnce(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			e := start(t, odoosim.Options{Version: version}, shopifysim.Options{})
			store := e.shopSim.Store()
			var id string
			for _, p := range store.ProductIDs() {
				store.View(p, func(o shopifysim.Obj) {
					if vs := o["variants"].([]shopifysim.Obj); id == "" && len(vs) >= 3 {
						id = p
					}
				})
			}
			media := func(file string) shopifysim.Obj {
				return shopifysim.Obj{"__typename": "MediaImage", "status": "READY", "image": shopifysim.Obj{"url": "/images/" + file}}
			}
			shown := []string{"front.png", "navy.png", "grey.png"}
			var skus []string
			if err := store.UpdateProduct(id, func(p shopifysim.Obj) {
				p["media"] = []shopifysim.Obj{media("front.png"), media("navy.png"), media("grey.png"), media("detail.png")}
				for i, v := range p["variants"].([]shopifysim.Obj) {
					v["media"] = []shopifysim.Obj{media(shown[i%3])}
					skus = append(skus, fmt.Sprint(v["sku"]))
				}
			}); err != nil {
				t.Fatal(err)
			}
			one := []string{strings.TrimPrefix(id, "gid://shopify/Product/")}
			e.run(e.im.Products, one)

			file := func(name string) string {
				resp, err := http.Get(e.shopSim.URL() + "/images/" + name)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return base64.StdEncoding.EncodeToString(b)
			}
			var tmpl []struct {
				Image odoo.Text `json:"image_1920"`
			}
			if err := e.odoo.SearchRead(ctx(t), "product.template", nil, []string{"image_1920"}, 0, "id", &tmpl); err != nil || len(tmpl) != 1 {
				t.Fatalf("%v %d templates", err, len(tmpl))
			}
			if string(tmpl[0].Image) != file("front.png") {
				t.Error("the template lacks the featured image")
			}
			var vs []struct {
				Code  odoo.Text `json:"default_code"`
				Image odoo.Text `json:"image_variant_1920"`
			}
			if err := e.odoo.SearchRead(ctx(t), "product.product", odoo.Domain{odoo.In("default_code", skus)}, []string{"default_code", "image_variant_1920"}, 0, "id", &vs); err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				want := map[string]string{"navy.png": file("navy.png"), "grey.png": file("grey.png")}[shown[slices.Index(skus, string(v.Code))%3]]
				if string(v.Image) != want {
					t.Errorf("variant %s has its own image %.12q, want %.12q", v.Code, v.Image, want)
				}
			}
			if len(vs) != len(skus) {
				t.Fatalf("%d of %d variants in Odoo", len(vs), len(skus))
			}
			if n := e.sim.Calls("product.product", "write"); n != 2 {
				t.Errorf("%d writes of variant images, want one per image", n)
			}

			tmplWrites := e.sim.Calls("product.template", "write")
			if msgs := e.run(e.im.Products, one); msgs[0] != "unchanged" {
				t.Errorf("re-import: %q", msgs)
			}
			if n, m := e.sim.Calls("product.product", "write"), e.sim.Calls("product.template", "write"); n != 2 || m != tmplWrites {
				t.Errorf("re-import wrote images again: %d variant writes, %d template writes", n-2, m-tmplWrites)
			}
		})
	}
}
