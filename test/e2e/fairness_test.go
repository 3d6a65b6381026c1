package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
)

// One shop's bulk operation never finishes and another's Shopify accepts
// connections and never answers: a third, healthy shop is Ready and
// imports within seconds all the same; the stuck ones say why, and go on
// once their Shopify does.
func TestStuckShopsHoldUpNoOther(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	cp := controlplane.ForTest(t)
	bulkShop, bulkOdoo := simsOf(t, 300, 0) // more than a page: listed by a bulk operation
	bulkShop.HoldBulk(true)
	slowShop, slowOdoo := simsOf(t, 20, 0)
	tarpit := newProxy(t, slowShop.URL())
	tarpit.mu.Lock()
	tarpit.tarpit = true
	tarpit.mu.Unlock()
	shop, o := simsOf(t, 20, 0)
	deploy(t, cp, "stuck-bulk", spec(bulkShop.URL(), bulkOdoo.URL()))
	deploy(t, cp, "tarpit", spec(tarpit.url, slowOdoo.URL()))
	stop := run(t, newManagerWith(t, cp, controllers.Options{InstanceConcurrency: 2, QueueConcurrency: 2, AllowEndpointOverride: true,
		Limits: controllers.Limits{Check: 3 * time.Second, Bulk: 3 * time.Second}}))
	defer stop()
	ready(t, cp, "stuck-bulk", metav1.ConditionUnknown, controllers.ReasonListing, "bulk operation")
	deploy(t, cp, "healthy", spec(shop.URL(), o.URL()))

	ready(t, cp, "healthy", metav1.ConditionTrue, instance.ReasonConnected, "both ends connected")
	importing(t, o)
	ready(t, cp, "stuck-bulk", metav1.ConditionFalse, "ImportFailed", "still running after 3s: cancelled")
	ready(t, cp, "tarpit", metav1.ConditionFalse, instance.ReasonUnreachable, "cannot reach Shopify")

	bulkShop.HoldBulk(false)
	tarpit.mu.Lock()
	tarpit.tarpit = false
	tarpit.mu.Unlock()
	for ns, o := range map[string]*odoosim.Sim{"stuck-bulk": bulkOdoo, "tarpit": slowOdoo} {
		ready(t, cp, ns, metav1.ConditionTrue, instance.ReasonConnected, "both ends connected")
		importing(t, o)
	}
}

// ready waits up to a minute for the instance of ns to say Ready status,
// with reason and a message that holds msg.
func ready(t *testing.T, cp *controlplane.ControlPlane, ns string, status metav1.ConditionStatus, reason, msg string) {
	t.Helper()
	var c *metav1.Condition
	defer func() {
		if t.Failed() && c != nil {
			t.Logf("%s: Ready %s %s %q", ns, c.Status, c.Reason, c.Message)
		}
	}()
	waitFor(t, time.Minute, ns+" Ready "+string(status)+" "+reason, func() bool {
		var si v1.ShopifyInstance
		if err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "shop"}, &si); err != nil {
			return false
		}
		c = meta.FindStatusCondition(si.Status.Conditions, v1.ConditionReady)
		return c != nil && c.Status == status && c.Reason == reason && strings.Contains(c.Message, msg)
	})
}

// importing waits up to a minute for a sale order in Odoo.
func importing(t *testing.T, o *odoosim.Sim) {
	t.Helper()
	waitFor(t, time.Minute, "a sale order", func() bool {
		rows, err := o.SearchRead("sale.order", []any{}, "id")
		return err == nil && len(rows) > 0
	})
}
