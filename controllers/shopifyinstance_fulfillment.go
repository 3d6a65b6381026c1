package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/fulfillment"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// exportFulfillments sends the deliveries validated and the orders
// cancelled in Odoo to Shopify when due, and returns when it is next due.
// Failures show in FulfillmentsExported and events; orders keep being
// imported meanwhile.
func (r *ShopifyInstanceReconciler) exportFulfillments(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn, requested bool) time.Time {
	spec, cancel, st, gen := inst.Spec.Fulfillment, inst.Spec.Orders.CancelInShopify, &inst.Status, inst.Generation
	if !spec.Enabled && !cancel.Enabled {
		st.Fulfillment = nil
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionFulfillmentsExported)
		return time.Time{}
	}
	if p := conn.Lacks(shopify.FeatureFulfillments); p != nil {
		return r.stepBlocked(inst, v1.ConditionFulfillmentsExported, "ExportFulfillments", p)
	}
	interval := schedule.Every(spec.Interval, fulfillment.DefaultInterval)
	last := &v1.FulfillmentStatus{}
	if st.Fulfillment != nil {
		last = st.Fulfillment
	}
	if next, now := stepDue(inst, v1.ConditionFulfillmentsExported, last.LastAttemptTime, interval, requested); !now {
		return next
	}
	now := metav1.Now()
	ex := fulfillment.Exporter{Odoo: conn.Odoo, Shopify: conn.Shopify, Shop: inst.Spec.Shopify.Shop, Deliveries: spec.Enabled,
		Notify: spec.NotifyCustomer, Cancel: fulfillment.Cancel{Enabled: cancel.Enabled, Refund: cancel.Refund, Notify: cancel.NotifyCustomer}}
	res, err := ex.Run(ctx)
	st.Fulfillment = &v1.FulfillmentStatus{LastAttemptTime: &now, LastExportTime: last.LastExportTime, Deliveries: int32(res.Deliveries),
		Sent: int32(res.Sent), InShopify: int32(res.InShopify), Cancelled: int32(res.Cancelled), Waiting: int32(res.Waiting),
		Failed: int32(res.Failed)}
	problem := strings.Join(res.Problems, "; ")
	if err != nil {
		problem = err.Error()
	}
	if problem != "" {
		return r.stepFailed(inst, v1.ConditionFulfillmentsExported, "FulfillmentExportFailed", "ExportFulfillments",
			"fulfilment export failed: "+problem)
	}
	st.Fulfillment.LastExportTime = &now
	msg := fmt.Sprintf("%d deliveries: %d fulfilments sent, %d already in Shopify; %d orders cancelled in Shopify; every %s",
		res.Deliveries, res.Sent, res.InShopify, res.Cancelled, interval)
	if res.Waiting > 0 {
		msg += fmt.Sprintf("; %d waiting for Shopify: %s", res.Waiting, strings.Join(res.Waits, "; "))
	}
	kstatus.Set(&st.Conditions, gen, v1.ConditionFulfillmentsExported, metav1.ConditionTrue, "Exported", msg)
	return schedule.Next(&now, interval, string(inst.UID))
}
