package controllers

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// What a merchant sees of a shop with point of sale orders and products
// Odoo lacks: the POS orders skipped by default, their lines saying why;
// the unknown product imported with its order, and found, not made again,
// by the next product import.
func TestPOSSkippedAndUnknownProductsCreated(t *testing.T) {
	f := newFixture(t, 18, len(shopifysim.Kinds))
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped}
		s.Orders.POS = v1.POSSpec{}
		s.Orders.UnknownProducts, s.Orders.ProductCategory = v1.UnknownCreate, "All / Saleable"
	})
	f.ready()
	kinds := f.kinds()
	var pos, unknown v1.OrderLine
	for _, q := range f.finished() {
		for _, l := range q.Status.Lines {
			switch kinds[l.ID] {
			case "pos":
				pos = l
				if q.Status.Counts.Skipped == 0 {
					t.Errorf("%s does not count the skipped point of sale order: %+v", q.Name, q.Status.Counts)
				}
			case "unknown-sku":
				unknown = l
			}
		}
	}
	if pos.State != v1.LineSkipped || pos.Message != "point of sale order: not imported, as spec.orders.pos.enabled is off" || pos.SaleOrderID != 0 {
		t.Errorf("point of sale order %s: %s %q, sale order %d", pos.Name, pos.State, pos.Message, pos.SaleOrderID)
	}
	if unknown.State != v1.LineDone || !strings.Contains(unknown.Message, "product LEGACY-SCARF") || !strings.Contains(unknown.Message, "imported from Shopify") {
		t.Fatalf("order of a product Odoo lacked %s: %s %q", unknown.Name, unknown.State, unknown.Message)
	}
	if xids, err := f.odoo.SearchRead("ir.model.data", []any{[]any{"module", "=", keys.ModuleProduct}}); err != nil || len(xids) != 1 {
		t.Errorf("%d products linked to Shopify, want the one the order named: %v", len(xids), err)
	}

	ids := f.shop.Store().ProductIDs()
	legacy := keys.LegacyID(ids[len(ids)-2])
	f.create(&v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "legacy"}, Spec: v1.ImportQueueSpec{
		InstanceRef: v1.InstanceReference{Name: "shop"}, Resource: v1.ImportProducts, IDs: []string{legacy}}})
	q := f.importsDone(1)[0]
	if l := q.Status.Lines[0]; l.Message != "unchanged" {
		t.Errorf("the product import of the product the order made: %q, want it found unchanged", l.Message)
	}
	rows, err := f.odoo.SearchRead("product.template", []any{[]any{"name", "=", "Legacy Silk Scarf"}})
	if err != nil || len(rows) != 1 {
		t.Errorf("%d Legacy Silk Scarf templates, want one: %v", len(rows), err)
	}
	f.noSecrets()
}
