package controllers

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// The scopes the instance asked for before each feature's were read from
// the documents it sends: the store check passed, every queue then failed.
var formerScopes = []string{"read_orders", "write_orders", "read_products", "write_products", "read_inventory",
	"write_inventory", "read_fulfillments", "write_fulfillments", "read_locations"}

func TestInstanceStalledWithoutTheScopesOfOrders(t *testing.T) {
	f := newFixtureWith(t, 18, shopifysim.Options{Orders: 5, Scopes: formerScopes})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(nil)
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonMissingScope)
	if !strings.Contains(c.Message, "orders: read_customers;") {
		t.Errorf("message: %s", c.Message)
	}
	f.condition(&si, "shop", v1.ConditionShopifyConnected, metav1.ConditionFalse, instance.ReasonMissingScope)
	if len(f.queues()) != 0 {
		t.Errorf("%d queues made without the scopes to read their orders", len(f.queues()))
	}
}

// An app with the scopes of orders only imports orders; the stock export,
// the payouts and the product export each say which scope they lack.
func TestMissingScopesStopOnlyTheirFeature(t *testing.T) {
	f := newFixtureWith(t, 18, shopifysim.Options{Orders: 12, Scopes: append(shopify.FeatureOrders.Scopes(), shopify.ScopeAllOrders)})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped}
		s.Stock = v1.StockSpec{Enabled: true, Locations: []v1.LocationMapping{{ShopifyLocation: "Lyon Warehouse", OdooWarehouse: "WH"}}}
		s.Payouts = v1.PayoutsSpec{Enabled: true, Journal: "Shopify Payments", FeeAccount: "620000"}
		s.Products.Import.Enabled = true
	})
	f.ready()
	var si v1.ShopifyInstance
	for typ, scope := range map[string]string{v1.ConditionStockExported: "stock: read_locations, write_inventory;", v1.ConditionPayoutsListed: "payouts: read_shopify_payments;",
		v1.ConditionImportsScheduled: "products: write_products;"} {
		if c := f.condition(&si, "shop", typ, metav1.ConditionFalse, instance.ReasonMissingScope); !strings.Contains(c.Message, scope) {
			t.Errorf("%s: %s", typ, c.Message)
		}
	}
	for _, q := range f.finished() {
		if q.Status.Phase != v1.PhaseCompleted {
			t.Errorf("queue %s: %+v", q.Name, q.Status)
		}
	}
	f.productExport(nil)
	var pe v1.ProductExport
	if c := f.condition(&pe, "saleable", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonMissingScope); !strings.Contains(c.Message, "products: write_products;") {
		t.Errorf("export: %s", c.Message)
	}
	eventually(t, "MissingScope events", func() error {
		var notes []string
		for _, e := range f.events() {
			if e.Reason == instance.ReasonMissingScope && e.Regarding.Kind == "ShopifyInstance" {
				notes = append(notes, e.Action+": "+e.Note)
			}
		}
		slices.Sort(notes)
		if len(notes) != 3 || !strings.HasPrefix(notes[0], "ExportStock:") || !strings.HasPrefix(notes[1], "ListPayouts:") || !strings.HasPrefix(notes[2], "ScheduleImports:") {
			return fmt.Errorf("events %q", notes)
		}
		return nil
	})
	var imports v1.ImportQueueList
	if f.list(&imports); len(imports.Items) != 0 {
		t.Errorf("%d product imports queued without read_products", len(imports.Items))
	}
}

// Protected customer data Shopify withholds leaves the orders imported,
// and the instance says what it lacked.
func TestOrdersImportedWithoutWithheldCustomerData(t *testing.T) {
	f := newFixtureWith(t, 17, shopifysim.Options{Orders: 12, Withheld: []string{"name", "email", "phone", "address"}})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped}
	})
	for _, q := range f.finished() {
		for _, l := range q.Status.Lines {
			if l.State == v1.LineFailed {
				t.Errorf("%s: %s", l.ID, l.Message)
			}
		}
	}
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionCustomerDataWithheld, metav1.ConditionTrue, "NotApproved")
	if !strings.Contains(c.Message, "customers' address, email, name, phone from the app") {
		t.Errorf("message: %s", c.Message)
	}
	f.ready()
}

// Without read_all_orders, an order older than 60 days is not read, and its
// line says why.
func TestOldOrderLineNamesReadAllOrders(t *testing.T) {
	var granted []string
	for _, f := range shopify.Features {
		granted = append(granted, f.Scopes()...)
	}
	f := newFixtureWith(t, 19, shopifysim.Options{Orders: 3, Scopes: granted})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(noSchedule)
	f.ready()
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "old"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: []string{f.orders()[0].id}}})
	q := &v1.OrderQueue{}
	f.condition(q, "old", v1.ConditionStalled, metav1.ConditionTrue, ReasonLinesFailed)
	if l := q.Status.Lines[0]; l.State != v1.LineFailed || !strings.Contains(l.Message, "more than 60 days ago") || !strings.Contains(l.Message, "read_all_orders") {
		t.Errorf("line %+v", l)
	}
}
