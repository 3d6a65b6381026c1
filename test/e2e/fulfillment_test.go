package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// runNow sets the instance's requested-at annotation and waits until a
// manager has handled it.
func runNow(t *testing.T, cp *controlplane.ControlPlane, ns, value string) {
	t.Helper()
	var si v1.ShopifyInstance
	key := client.ObjectKey{Namespace: ns, Name: "shop"}
	if err := cp.Client.Get(context.Background(), key, &si); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(si.DeepCopy())
	si.Annotations = map[string]string{v1.ReconcileRequestedAnnotation: value}
	if err := cp.Client.Patch(context.Background(), &si, patch); err != nil {
		t.Fatal(err)
	}
	wait(t, "run now "+value, func() bool {
		return cp.Client.Get(context.Background(), key, &si) == nil && si.Status.LastHandledReconcileAt == value
	})
}

// A delivery validated in Odoo becomes one fulfilment in Shopify, and stays
// one after the manager is restarted and runs the export again.
func TestFulfilmentOnceAcrossRestarts(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	cp := controlplane.ForTest(t)
	shop, o := sims(t, 0)
	s := spec(shop.URL(), o.URL())
	s.Fulfillment = v1.FulfillmentSpec{Enabled: true}
	deploy(t, cp, "ful", s)
	stop := startManager(t, cp)
	var order string
	var saleOrder int64
	for _, q := range finished(t, cp, "ful", orders, 2*time.Minute) {
		for _, l := range q.Status.Lines {
			shop.Store().View("gid://shopify/Order/"+l.ID, func(so shopifysim.Obj) {
				if l.Outcome == v1.OutcomePaid && so["displayFulfillmentStatus"] == "UNFULFILLED" && order == "" {
					order, saleOrder = "gid://shopify/Order/"+l.ID, l.SaleOrderID
				}
			})
		}
	}
	if order == "" {
		t.Fatal("no unshipped paid order")
	}
	oc, err := odoo.New(odoo.Config{URL: o.URL(), Database: "db", Username: "admin", APIKey: odooKey})
	if err == nil {
		err = oc.Connect(context.Background())
	}
	if err == nil {
		err = oc.ValidateDeliveries(context.Background(), odoo.Delivery{OrderIDs: []int64{saleOrder}})
	}
	if err != nil {
		t.Fatal(err)
	}
	fulfilments := func() (n int) {
		shop.Store().View(order, func(so shopifysim.Obj) { n = len(so["fulfillments"].([]shopifysim.Obj)) })
		return n
	}
	runNow(t, cp, "ful", "1")
	if n := fulfilments(); n != 1 {
		t.Fatalf("%d fulfilments after the delivery", n)
	}
	stop()
	stop = startManager(t, cp)
	defer stop()
	runNow(t, cp, "ful", "2")
	if n := fulfilments(); n != 1 {
		t.Errorf("%d fulfilments after a restart", n)
	}
}
