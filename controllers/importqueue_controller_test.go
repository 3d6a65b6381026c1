package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestShopImportsIntoOdooOnceAndReimportsWithoutChange(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixtureWith(t, version, shopifysim.Options{EmptyCatalog: true, Products: 500, Customers: 1000})
			f.secrets(goodShopify(), goodOdoo())
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				noSchedule(s)
				s.Imports.QueueSize = 250
				s.Products.Import.Enabled = true
				s.Orders.Customers.Import = v1.CustomersImport{Enabled: true, Tags: true}
			})
			// The schedule queues all 500 products and 1,000 customers, in
			// queues of 250.
			f.importsDone(6)
			c := f.odooCounts()
			want := odooCounts{templates: 500, variants: 8000, contacts: 1000, addresses: 1334}
			if c != want {
				t.Fatalf("Odoo has %+v; want %+v", c, want)
			}
			for _, res := range []v1.ImportResource{v1.ImportProducts, v1.ImportCustomers} {
				f.create(&v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "again-" + strings.ToLower(string(res))},
					Spec: v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Resource: res, All: true}})
			}
			for _, q := range f.importsDone(12) {
				if !strings.HasPrefix(q.Name, "again-") {
					continue
				}
				for _, l := range q.Status.Lines {
					if l.Message != "unchanged" {
						t.Errorf("%s: %s %s: %s", q.Name, l.ID, l.Name, l.Message)
					}
				}
			}
			if c := f.odooCounts(); c != want {
				t.Errorf("after the re-import Odoo has %+v; want %+v", c, want)
			}
			f.noSecrets()
		})
	}
}

// importsDone waits until there are n ImportQueues, all completed.
func (f *fixture) importsDone(n int) []v1.ImportQueue {
	f.t.Helper()
	var list v1.ImportQueueList
	eventually(f.t, fmt.Sprintf("%d import queues completed", n), func() error {
		f.list(&list)
		if len(list.Items) != n {
			return fmt.Errorf("%d queues", len(list.Items))
		}
		for _, q := range list.Items {
			if q.Status.Phase != v1.PhaseCompleted {
				return fmt.Errorf("%s is %s: %+v", q.Name, q.Status.Phase, q.Status.Conditions)
			}
		}
		return nil
	})
	return list.Items
}

type odooCounts struct{ templates, variants, contacts, addresses int }

// odooCounts counts the imported templates (by external id), variants (by
// SKU), contacts (by ref and by external id) and their addresses.
func (f *fixture) odooCounts() odooCounts {
	f.t.Helper()
	oc, err := odoo.New(odoo.Config{URL: f.odoo.URL(), Database: "db", Username: "admin", APIKey: odooKey})
	if err != nil {
		f.t.Fatal(err)
	}
	ctx := context.Background()
	if err := oc.Connect(ctx); err != nil {
		f.t.Fatal(err)
	}
	count := func(model string, d odoo.Domain) int {
		ids, err := oc.Search(ctx, model, d, 0)
		if err != nil {
			f.t.Fatal(err)
		}
		return len(ids)
	}
	xids := func(module string) int { return count("ir.model.data", odoo.Domain{odoo.Cond("module", "=", module)}) }
	c := odooCounts{
		templates: xids("shopify_product"),
		variants:  count("product.product", odoo.Domain{odoo.Cond("default_code", "=like", "L%")}),
		contacts:  count("res.partner", odoo.Domain{odoo.Cond("ref", "=like", "shopify:test-shop.myshopify.com/customer/%")}),
		addresses: count("res.partner", odoo.Domain{odoo.In("type", []string{"invoice", "delivery"})}),
	}
	if n := count("product.template", odoo.Domain{odoo.Cond("default_code", "=like", "L%")}); n > c.templates {
		f.t.Errorf("%d templates with imported SKUs, %d imported", n, c.templates)
	}
	if n := xids("shopify_customer"); n != c.contacts {
		f.t.Errorf("%d customer external ids, %d contacts", n, c.contacts)
	}
	return c
}

func TestScheduledImportsQueueAllThenWhatChanged(t *testing.T) {
	f := newFixtureWith(t, 19, shopifysim.Options{EmptyCatalog: true, Products: 3})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		noSchedule(s)
		s.Imports.QueueSize = 2
		s.Products.Import = v1.ProductsImport{Enabled: true, FieldOwnership: v1.FieldOwnership{Title: v1.OwnerShopify}}
	})
	f.ready()
	done := f.importsDone(2) // shop-products-all and shop-products-all-2
	if done[0].Name != "shop-products-all" || done[0].Spec.Source != v1.SourceScheduled || done[0].Status.Counts.Total != 2 {
		t.Errorf("%s: %+v %+v", done[0].Name, done[0].Spec, done[0].Status.Counts)
	}
	si := f.runNowAfter(func() {
		id := f.shop.Store().ProductIDs()[1]
		if err := f.shop.Store().UpdateProduct(id, func(p shopifysim.Obj) { p["title"] = "Renamed" }); err != nil {
			t.Fatal(err)
		}
	})
	if si.Status.Imports == nil || si.Status.Imports.Products == nil {
		t.Fatalf("no import time in the status: %+v", si.Status.Imports)
	}
	for _, q := range f.importsDone(3) {
		if q.Spec.Window == nil {
			continue
		}
		if len(q.Status.Lines) != 1 || q.Status.Lines[0].Message != "updated: title" {
			t.Errorf("%s: %+v", q.Name, q.Status.Lines)
		}
	}
	// A queue of more ids than the queue size stalls.
	f.create(&v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "too-many"}, Spec: v1.ImportQueueSpec{
		InstanceRef: v1.InstanceReference{Name: "shop"}, Resource: v1.ImportCustomers, IDs: []string{"1", "2", "3"}}})
	var q v1.ImportQueue
	f.condition(&q, "too-many", v1.ConditionStalled, metav1.ConditionTrue, "TooManyCustomers")
	f.noSecrets()
}

// runNowAfter runs change, then has the instance run now.
func (f *fixture) runNowAfter(change func()) *v1.ShopifyInstance {
	change()
	return f.runNow(time.Now().Format(time.RFC3339Nano))
}
