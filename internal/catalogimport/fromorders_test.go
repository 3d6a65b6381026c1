package catalogimport_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// An order naming a product Odoo lacks imports it from Shopify, once, in
// the category and of the type asked; the next product import finds it.
func TestUnknownProductsCreatedFromOrdersOnce(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			e := start(t, odoosim.Options{Version: version, Catalog: true}, shopifysim.Options{Orders: len(shopifysim.Kinds)})
			var order, product string
			if err := e.im.Shopify.Orders(ctx(t), shopify.OrderFilter{}, func(o shopify.Order) error {
				for _, l := range o.LineItems.Nodes {
					if strings.HasPrefix(l.SKU, "LEGACY-") {
						order, product = o.LegacyResourceID, keys.LegacyID(l.Variant.Product.ID)
					}
				}
				return nil
			}); err != nil || order == "" {
				t.Fatalf("no order of a legacy product: %v", err)
			}
			spec := catalog.Orders()
			spec.UnknownProducts, spec.ProductCategory, spec.ProductType = v1.UnknownCreate, "All / Saleable", v1.ProductConsumable
			e.im.Settings = importer.Settings{Shop: "sim-shop.myshopify.com", Odoo: v1.OdooSpec{Warehouse: "WH"}, Orders: spec}
			im := &importer.Importer{Shopify: e.im.Shopify, Odoo: e.odoo, Settings: e.im.Settings, Products: e.im, Cache: &importer.Cache{}}
			before := e.count("product.template", nil)

			res, err := im.Import(ctx(t), []string{order})
			if err != nil {
				t.Fatal(err)
			}
			if r := res[0]; r.State != v1.LineDone || !strings.Contains(r.Message, "imported from Shopify") {
				t.Fatalf("order %s: %s %q", r.Name, r.State, r.Message)
			}
			if n := e.count("product.template", nil); n != before+1 {
				t.Fatalf("%d templates, %d before: want one made", n, before)
			}
			var made []struct {
				ID       int64         `json:"id"`
				Name     odoo.Text     `json:"name"`
				Category odoo.Many2One `json:"categ_id"`
			}
			if err := e.odoo.SearchRead(ctx(t), "product.template", odoo.Domain{odoo.Cond("name", "=", "Legacy Silk Scarf")},
				[]string{"name", "categ_id"}, 0, "", &made); err != nil || len(made) != 1 {
				t.Fatalf("the legacy product: %v %+v", err, made)
			}
			if made[0].Category.Name != "All / Saleable" {
				t.Errorf("category %q, want All / Saleable", made[0].Category.Name)
			}
			var ps []odoo.Product
			if err := e.odoo.SearchRead(ctx(t), "product.product", odoo.Domain{odoo.Cond("default_code", "=like", "LEGACY-%")},
				e.odoo.Adapter().ProductFields(), 0, "default_code", &ps); err != nil || len(ps) != 2 {
				t.Fatalf("the legacy variants: %v %+v", err, ps)
			}
			for _, p := range ps {
				if p.Template.ID != made[0].ID || p.Storable() {
					t.Errorf("variant %s: template %d, storable %v; want the new template's, a consumable", p.Code, p.Template.ID, p.Storable())
				}
			}
			lines, err := e.sim.SearchRead("sale.order.line", []any{[]any{"order_id", "=", res[0].SaleOrderID}, []any{"product_id", "in", []any{ps[0].ID, ps[1].ID}}})
			if err != nil || len(lines) != 1 {
				t.Errorf("the order's line of the legacy product: %v %v", err, lines)
			}

			msgs := e.run(e.im.Products, []string{product})
			if msgs[0] != "unchanged" {
				t.Errorf("the next product import: %q, want the product found unchanged", msgs)
			}
			if n := e.count("product.template", nil); n != before+1 {
				t.Errorf("%d templates after the product import, want %d: no twin", n, before+1)
			}
		})
	}
}

// A product Shopify sold without tax gets no sales taxes in Odoo; a taxed
// one Odoo's defaults.
func TestProductsCreatedForOrdersKeepTheirTaxability(t *testing.T) {
	e := start(t, odoosim.Options{Version: 18, Catalog: true}, shopifysim.Options{})
	ids := e.ids(e.im.Shopify.ProductRefs)
	legacy, gift := ids[len(ids)-2], ids[len(ids)-1] // the products Odoo lacks
	before, err := e.odoo.Search(ctx(t), "product.template", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	failed, err := e.im.CreateProducts(ctx(t), importer.NewProducts{IDs: []string{legacy, gift}, Untaxed: map[string]bool{gift: true}})
	if err != nil || len(failed) != 0 {
		t.Fatalf("%v %v", err, failed)
	}
	var made []struct {
		Name  odoo.Text `json:"name"`
		Taxes []int64   `json:"taxes_id"`
	}
	if err := e.odoo.SearchRead(ctx(t), "product.template", odoo.Domain{odoo.Cond("id", "not in", before)},
		[]string{"name", "taxes_id"}, 0, "name", &made); err != nil || len(made) != 2 {
		t.Fatalf("%v %+v", err, made)
	}
	if gift, scarf := made[0], made[1]; gift.Name != "Gift Card" || len(gift.Taxes) != 0 || len(scarf.Taxes) == 0 {
		t.Errorf("taxes: %+v; want none on the gift card sold untaxed, Odoo's default on the scarf", made)
	}
}

// An order import and a product import of the same new product at once
// make it once; the other finds it.
func TestConcurrentImportsOfOneProductMakeItOnce(t *testing.T) {
	e := start(t, odoosim.Options{Version: 19, Catalog: true}, shopifysim.Options{})
	e.im.Cache = &importer.Cache{}
	ids := e.ids(e.im.Shopify.ProductRefs)
	legacy := ids[len(ids)-2]
	before := e.count("product.template", nil)
	errs := make(chan error, 2)
	go func() {
		failed, err := e.im.CreateProducts(ctx(t), importer.NewProducts{IDs: []string{legacy}})
		if len(failed) > 0 {
			err = fmt.Errorf("%v", failed)
		}
		errs <- err
	}()
	go func() {
		_, err := e.im.Products(ctx(t), []string{legacy})
		errs <- err
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count("product.template", nil); n != before+1 {
		t.Errorf("%d templates made, want 1", n-before)
	}
}
