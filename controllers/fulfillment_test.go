package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// A delivery validated in Odoo shows in Shopify as one fulfilment with its
// tracking, also when the record of it in Odoo could not be written and the
// next run finds it in Shopify instead.
func TestDeliveriesBecomeFulfilmentsOnce(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixture(t, version, 21)
			f.secrets(goodShopify(), goodOdoo())
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				s.Fulfillment = v1.FulfillmentSpec{Enabled: true, NotifyCustomer: true}
			})
			f.ready()
			gid, so := f.unshipped()
			oc := f.odooClient()
			ctx := context.Background()
			carrier, err := oc.Create(ctx, "delivery.carrier", []map[string]any{{"name": "DHL", "tracking_url": "https://dhl.example/t/<shipmenttrackingnumber>"}})
			if err != nil {
				t.Fatal(err)
			}
			picks, err := oc.Search(ctx, "stock.picking", odoo.Domain{odoo.Cond("sale_id", "=", so)}, 0)
			if err != nil || len(picks) != 1 {
				t.Fatal(picks, err)
			}
			if err := oc.Write(ctx, "stock.picking", picks, map[string]any{"carrier_id": carrier[0], "carrier_tracking_ref": "JD0042"}); err != nil {
				t.Fatal(err)
			}
			if err := oc.ValidateDeliveries(ctx, odoo.Delivery{PickingIDs: picks}); err != nil {
				t.Fatal(err)
			}

			// Shopify takes the fulfilment; Odoo never records it.
			f.odoo.Inject(odoosim.Fault{Kind: odoosim.Reset, Model: "ir.model.data", Method: "create"})
			var si v1.ShopifyInstance
			f.runNow("1")
			c := f.condition(&si, "shop", v1.ConditionFulfillmentsExported, metav1.ConditionFalse, "FulfillmentExportFailed")
			if !strings.Contains(c.Message, "ir.model.data") {
				t.Errorf("the condition does not say what failed: %s", c.Message)
			}
			f.odoo.ClearFaults()
			f.runNow("2")
			f.condition(&si, "shop", v1.ConditionFulfillmentsExported, metav1.ConditionTrue, "Exported")
			if st := si.Status.Fulfillment; st == nil || st.Deliveries != 1 || st.Sent != 0 || st.InShopify != 1 || st.LastExportTime == nil {
				t.Fatalf("status.fulfillment %+v, want the delivery found in Shopify", st)
			}
			f.runNow("3")
			if err := f.get("shop", &si); err != nil || si.Status.Fulfillment.Deliveries != 0 {
				t.Fatalf("status.fulfillment %+v after the third run, want nothing left", si.Status.Fulfillment)
			}
			f.shop.Store().View(gid, func(o shopifysim.Obj) {
				fs := o["fulfillments"].([]shopifysim.Obj)
				if len(fs) != 1 {
					t.Fatalf("%d fulfilments, want 1", len(fs))
				}
				want := shopifysim.Obj{"company": "DHL", "number": "JD0042", "url": "https://dhl.example/t/JD0042"}
				if got := fs[0]["trackingInfo"].([]shopifysim.Obj); len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
					t.Errorf("tracking %v, want %v", got, want)
				}
			})
			failed := false
			for _, e := range f.events() {
				failed = failed || e.Reason == "FulfillmentExportFailed"
			}
			if !failed {
				t.Error("no FulfillmentExportFailed event")
			}
			f.noSecrets()
		})
	}
}

// unshipped waits for the import and returns an imported, paid order
// nothing of which has shipped: its Shopify GID and Odoo sale order.
func (f *fixture) unshipped() (string, int64) {
	f.t.Helper()
	status := map[string]string{}
	for _, o := range f.orders() {
		status[o.id] = o.fulfillment
	}
	for _, q := range f.finished() {
		for _, l := range q.Status.Lines {
			if l.Outcome == v1.OutcomePaid && status[l.ID] == "UNFULFILLED" {
				return "gid://shopify/Order/" + l.ID, l.SaleOrderID
			}
		}
	}
	f.t.Fatal("no unshipped order was imported")
	return "", 0
}
