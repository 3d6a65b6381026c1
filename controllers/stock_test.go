package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/odoo"
)

// odooClient is a client of the fixture's Odoo, to change it as a user would.
func (f *fixture) odooClient() *odoo.Client {
	f.t.Helper()
	c, err := odoo.New(odoo.Config{URL: f.odoo.URL(), Database: "db", Username: "admin", APIKey: odooKey, Timeout: 10 * time.Second})
	if err == nil {
		err = c.Connect(context.Background())
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// available is the quantity Shopify has of a SKU at its first location.
func (f *fixture) available(sku string) int {
	f.t.Helper()
	_, item, _ := f.shop.Store().VariantBySKU(sku)
	q, ok := f.shop.Store().Quantity(item, f.shop.Store().LocationIDs()[0], "available")
	if !ok {
		f.t.Fatalf("%s is not stocked at the first location", sku)
	}
	return q
}

// update changes the instance's spec.
func (f *fixture) update(edit func(*v1.ShopifyInstanceSpec)) {
	f.t.Helper()
	var si v1.ShopifyInstance
	if err := f.get("shop", &si); err != nil {
		f.t.Fatal(err)
	}
	patch := client.MergeFrom(si.DeepCopy())
	edit(&si.Spec)
	if err := cp.Client.Patch(context.Background(), &si, patch); err != nil {
		f.t.Fatal(err)
	}
}

func TestStockExportedOnSchedule(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixture(t, version, 0)
			f.secrets(goodShopify(), goodOdoo())
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				s.Stock = v1.StockSpec{Enabled: true, Locations: []v1.LocationMapping{{ShopifyLocation: "Lyon Warehouse", OdooWarehouse: "WH"}}}
			})
			var si v1.ShopifyInstance
			f.condition(&si, "shop", v1.ConditionStockExported, metav1.ConditionTrue, "Exported")
			if st := si.Status.Stock; st == nil || st.Items != 120 || st.Sent+st.Activated+st.Unchanged != 120 || st.LastExportTime == nil {
				t.Fatalf("status.stock %+v", st)
			}
			if q := f.available("SKU-07-M-Nav"); q != 100 {
				t.Fatalf("SKU-07-M-Nav: %d in Shopify, 100 in Odoo", q)
			}

			oc := f.odooClient()
			ids, err := oc.Search(context.Background(), "stock.quant", odoo.Domain{odoo.Cond("product_id.default_code", "=", "SKU-01-S")}, 1)
			if err != nil || len(ids) != 1 {
				t.Fatal(ids, err)
			}
			if err := oc.Write(context.Background(), "stock.quant", ids, map[string]any{"quantity": 42.0}); err != nil {
				t.Fatal(err)
			}
			si = *f.runNow("stock")
			if st := si.Status.Stock; st.Sent != 1 || st.Unchanged != 119 || f.available("SKU-01-S") != 42 {
				t.Fatalf("after a change in Odoo: status.stock %+v, %d in Shopify", st, f.available("SKU-01-S"))
			}
		})
	}
}

func TestStockFailureLeavesImportsRunning(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Stock = v1.StockSpec{Enabled: true, Locations: []v1.LocationMapping{{ShopifyLocation: "Nowhere", OdooWarehouse: "WH"}}}
	})
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionStockExported, metav1.ConditionFalse, "StockExportFailed")
	if !strings.Contains(c.Message, `no active Shopify location "Nowhere"`) {
		t.Errorf("message: %s", c.Message)
	}
	if r := meta.FindStatusCondition(si.Status.Conditions, v1.ConditionReady); r == nil || r.Status != metav1.ConditionTrue || r.Reason != instance.ReasonConnected {
		t.Errorf("a stock failure changed Ready: %+v", r)
	}
	eventually(t, "a StockExportFailed event", func() error {
		for _, e := range f.events() {
			if e.Reason == "StockExportFailed" && strings.Contains(e.Note, "Nowhere") {
				return nil
			}
		}
		return fmt.Errorf("none")
	})
	f.update(func(s *v1.ShopifyInstanceSpec) { s.Stock.Locations[0].ShopifyLocation = "Lyon Warehouse" })
	f.condition(&si, "shop", v1.ConditionStockExported, metav1.ConditionTrue, "Exported")
}
