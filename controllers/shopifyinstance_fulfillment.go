package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/fulfillment"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/schedule"
)

func fulfillmentsOn(inst *v1.ShopifyInstance) bool {
	return inst.Spec.Fulfillment.Enabled || inst.Spec.Orders.CancelInShopify.Enabled
}

func fulfillmentInterval(inst *v1.ShopifyInstance) time.Duration {
	return schedule.Every(inst.Spec.Fulfillment.Interval, fulfillment.DefaultInterval)
}

// exportFulfillments sends the deliveries validated and the orders
// cancelled in Odoo to Shopify.
func (r *ShopifyInstanceReconciler) exportFulfillments(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	spec, cancel, st := inst.Spec.Fulfillment, inst.Spec.Orders.CancelInShopify, &inst.Status
	last := &v1.FulfillmentStatus{}
	if st.Fulfillment != nil {
		last = st.Fulfillment
	}
	now := metav1.Now()
	ex := fulfillment.Exporter{Odoo: conn.Odoo, Shopify: conn.Shopify, Shop: inst.Spec.Shopify.Shop, Deliveries: spec.Enabled,
		Notify: spec.NotifyCustomer, Cancel: fulfillment.Cancel{Enabled: cancel.Enabled, Refund: cancel.Refund, Notify: cancel.NotifyCustomer}}
	res, err := ex.Run(ctx)
	st.Fulfillment = &v1.FulfillmentStatus{LastAttemptTime: &now, LastExportTime: last.LastExportTime, Deliveries: int32(res.Deliveries),
		Sent: int32(res.Sent), InShopify: int32(res.InShopify), Cancelled: int32(res.Cancelled), Waiting: int32(res.Waiting),
		Failed: int32(res.Failed)}
	if err == nil && len(res.Problems) > 0 {
		err = errors.New(strings.Join(res.Problems, "; "))
	}
	if err != nil {
		return "", fmt.Errorf("fulfilment export failed: %w", err)
	}
	st.Fulfillment.LastExportTime = &now
	msg := fmt.Sprintf("%d deliveries: %d fulfilments sent, %d already in Shopify; %d orders cancelled in Shopify; every %s",
		res.Deliveries, res.Sent, res.InShopify, res.Cancelled, fulfillmentInterval(inst))
	if res.Waiting > 0 {
		msg += fmt.Sprintf("; %d waiting for Shopify: %s", res.Waiting, strings.Join(res.Waits, "; "))
	}
	return msg, nil
}
