package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/fulfillment"
	"github.com/shopify-odoo/connector/internal/instance"
)

func refundsOn(inst *v1.ShopifyInstance) bool { return inst.Spec.Orders.RefundsToShopify.Enabled }

// exportRefunds refunds in Shopify the credit notes posted in Odoo since
// refunds were turned on, a week back at most.
func (r *ShopifyInstanceReconciler) exportRefunds(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	spec, st := inst.Spec.Orders.RefundsToShopify, &inst.Status
	now := metav1.Now()
	if st.Refunds == nil {
		st.Refunds = &v1.RefundsStatus{Since: now}
	}
	since := st.Refunds.Since.Time
	if week := now.Add(-fulfillment.Lookback); since.Before(week) {
		since = week
	}
	ex := fulfillment.Exporter{Odoo: conn.Odoo, Shopify: conn.Shopify, Shop: inst.Spec.Shopify.Shop, Since: since,
		Refund: fulfillment.Refunds{Notify: spec.NotifyCustomer, Restock: spec.Restock != "NoRestock", ShippingProduct: inst.Spec.Orders.ShippingProduct}}
	res, err := ex.RefundCreditNotes(ctx)
	st.Refunds = &v1.RefundsStatus{Since: st.Refunds.Since, LastAttemptTime: &now, CreditNotes: int32(res.CreditNotes),
		Refunded: int32(res.Refunded), Failed: int32(res.Failed)}
	if err == nil && len(res.Problems) > 0 {
		err = errors.New(strings.Join(res.Problems, "; "))
	}
	if err != nil {
		return "", fmt.Errorf("refunding Odoo credit notes in Shopify failed: %w", err)
	}
	return fmt.Sprintf("%d credit notes: %d refunded in Shopify, %d there already; every %s",
		res.CreditNotes, res.Refunded, res.InShopify, fulfillmentInterval(inst)), nil
}
