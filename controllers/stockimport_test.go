package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// A shop moving to Odoo brings its stock: Odoo's quantity at the mapped
// location becomes Shopify's available quantity, once; what lies at an
// unmapped Shopify location and variants Odoo lacks are reported on their
// lines.
func TestStockImportSetsOdooQuantsToShopifys(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixture(t, version, 0)
			f.secrets(goodShopify(), goodOdoo())
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				noSchedule(s)
				s.Imports.QueueSize = 250
				s.Stock.Locations = []v1.LocationMapping{{ShopifyLocation: "Lyon Warehouse", OdooWarehouse: "WH"}}
			})
			store, locs := f.shop.Store(), f.shop.Store().LocationIDs()
			_, split, _ := store.VariantBySKU("SKU-01-M")
			store.SetAvailable(split, locs[0], 12)
			store.SetAvailable(split, locs[1], 3) // Paris Store, which the mapping leaves out
			_, emptied, _ := store.VariantBySKU("SKU-01-S")
			store.SetAvailable(emptied, locs[0], 0)

			first := f.importStock("stock")
			oc := f.odooClient()
			moves := inventoryMoves(t, oc)
			skus := catalogSKUs()
			onHand := onHandByCode(t, oc, skus, "WH/Stock")
			for _, sku := range skus {
				if onHand[sku] != float64(f.available(sku)) {
					t.Errorf("%s: %v in Odoo's WH/Stock, %d available at Lyon Warehouse", sku, onHand[sku], f.available(sku))
				}
			}
			if onHand["SKU-01-M"] != 12 || onHand["SKU-01-S"] != 0 {
				t.Errorf("SKU-01-M %v, SKU-01-S %v in Odoo; want 12 and 0", onHand["SKU-01-M"], onHand["SKU-01-S"])
			}
			if l := f.stockLine(first, "SKU-01-M"); l.State != v1.LineFailed || !strings.Contains(l.Message, "3 at Paris Store, which spec.stock.locations does not map") ||
				!strings.Contains(l.Message, "Lyon Warehouse: 12 in warehouse WH") {
				t.Errorf("SKU-01-M, stocked at an unmapped location: %s %q", l.State, l.Message)
			}
			if l := f.stockLine(first, "SKU-01-S"); l.State != v1.LineDone || l.Message != "Lyon Warehouse: 0 in warehouse WH (was 100)" || l.OdooID == 0 {
				t.Errorf("SKU-01-S: %s %q (product %d)", l.State, l.Message, l.OdooID)
			}
			if l := f.stockLine(first, "LEGACY-SCARF"); l.State != v1.LineFailed || l.Retry ||
				l.Message != `no Odoo product has SKU "LEGACY-SCARF" or barcode "": import the product or give it this internal reference in Odoo` {
				t.Errorf("a variant Odoo lacks: %s %q", l.State, l.Message)
			}
			if first.Status.Counts.Total != int32(len(skus))+4 || first.Status.Counts.Done != int32(len(skus))-1 || first.Status.Counts.Failed != 3 {
				t.Errorf("counts %+v for %d catalogue variants, 2 unknown and 2 gift cards", first.Status.Counts, len(skus))
			}

			// Importing again counts nothing: no adjustment, the same quants.
			for _, l := range f.importStock("stock-again").Status.Lines {
				if l.State == v1.LineDone && !strings.HasSuffix(l.Message, ", unchanged") {
					t.Errorf("%s imported again: %q", l.Name, l.Message)
				}
			}
			if n := inventoryMoves(t, oc); n != moves {
				t.Errorf("%d inventory adjustments after importing again, %d before", n, moves)
			}
			if again := onHandByCode(t, oc, skus, "WH/Stock"); fmt.Sprint(again) != fmt.Sprint(onHand) {
				t.Errorf("quantities changed by importing again")
			}

			// Once Paris Store is mapped, retrying the queue brings its 3 units.
			if _, err := oc.Create(context.Background(), "stock.location", []map[string]any{{"name": "Paris", "location_id": 8}}); err != nil {
				t.Fatal(err)
			}
			f.update(func(s *v1.ShopifyInstanceSpec) {
				s.Stock.Locations = append(s.Stock.Locations, v1.LocationMapping{ShopifyLocation: "Paris Store", OdooLocation: "WH/Stock/Paris"})
			})
			var q v1.ImportQueue
			f.requestRun(&q, "stock", "paris")
			eventually(t, "SKU-01-M imported again", func() error {
				if err := f.get("stock", &q); err != nil || q.Status.Attempt != 2 || !queue.Finished(q.Status.Phase) {
					return fmt.Errorf("%v: attempt %d, %s", err, q.Status.Attempt, q.Status.Phase)
				}
				return nil
			})
			if l := f.stockLine(q, "SKU-01-M"); l.State != v1.LineDone || l.Message != "Lyon Warehouse: 12 in warehouse WH, unchanged; Paris Store: 3 in WH/Stock/Paris (was 0)" {
				t.Errorf("SKU-01-M retried: %s %q", l.State, l.Message)
			}
			if n := onHandByCode(t, oc, []string{"SKU-01-M"}, "WH/Stock/Paris")["SKU-01-M"]; n != 3 {
				t.Errorf("SKU-01-M: %v in WH/Stock/Paris, want 3", n)
			}
		})
	}
}

// Without read_inventory a stock import waits and says which scope the
// app lacks; nothing is read or counted.
func TestStockImportNamesTheScopeItLacks(t *testing.T) {
	scopes := append(shopify.FeatureOrders.Scopes(), shopify.ScopeAllOrders, "read_locations")
	f := newFixtureWith(t, 18, shopifysim.Options{Scopes: scopes})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		noSchedule(s)
		s.Stock.Locations = []v1.LocationMapping{{ShopifyLocation: "Lyon Warehouse", OdooWarehouse: "WH"}}
	})
	f.create(&v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "stock"},
		Spec: v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Resource: v1.ImportStock, All: true}})
	var q v1.ImportQueue
	c := f.condition(&q, "stock", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonMissingScope)
	if !strings.Contains(c.Message, "stock import: read_inventory;") || len(q.Status.Lines) != 0 {
		t.Errorf("%s; %d lines", c.Message, len(q.Status.Lines))
	}
	if n := inventoryMoves(t, f.odooClient()); n != 0 {
		t.Errorf("%d inventory adjustments without the scope to read Shopify's stock", n)
	}
}

// importStock runs an ImportQueue of all the shop's stock to its end.
func (f *fixture) importStock(name string) v1.ImportQueue {
	f.t.Helper()
	f.create(&v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Resource: v1.ImportStock, All: true}})
	var q v1.ImportQueue
	eventually(f.t, name+" finished", func() error {
		if err := f.get(name, &q); err != nil || !queue.Finished(q.Status.Phase) {
			return fmt.Errorf("%v: %s %+v", err, q.Status.Phase, q.Status.Conditions)
		}
		return nil
	})
	return q
}

func catalogSKUs() []string {
	var out []string
	for _, p := range catalog.Products() {
		for _, v := range p.Variants {
			out = append(out, v.SKU)
		}
	}
	return out
}

// stockLine is the line of a Stock queue of the variant with sku.
func (f *fixture) stockLine(q v1.ImportQueue, sku string) v1.ImportLine {
	f.t.Helper()
	variant, _, _ := f.shop.Store().VariantBySKU(sku)
	for _, l := range q.Status.Lines {
		if l.ID == keys.LegacyID(variant) {
			return l
		}
	}
	f.t.Fatalf("no line of %s", sku)
	return v1.ImportLine{}
}

// onHandByCode is the quantity of each SKU at an Odoo location itself.
func onHandByCode(t *testing.T, oc *odoo.Client, skus []string, location string) map[string]float64 {
	t.Helper()
	ctx := context.Background()
	products, err := oc.ProductsByCode(ctx, skus)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := oc.StockLocation(ctx, "", location)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range products {
		ids = append(ids, p.ID)
	}
	qty, err := oc.OnHand(ctx, loc, ids)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for sku, p := range products {
		out[sku] = qty[p.ID]
	}
	return out
}

func inventoryMoves(t *testing.T, oc *odoo.Client) int {
	t.Helper()
	ids, err := oc.Search(context.Background(), "stock.move", odoo.Domain{odoo.Cond("is_inventory", "=", true)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}
