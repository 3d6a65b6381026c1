package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// defaultPayoutsInterval is how often payouts are listed by default.
const defaultPayoutsInterval = time.Hour

// ReasonNoPaymentsAccount says the shop has no Shopify Payments account:
// nothing to retry soon, the shop must sign up first.
const ReasonNoPaymentsAccount = "NoPaymentsAccount"

func payoutsInterval(inst *v1.ShopifyInstance) time.Duration {
	return schedule.Every(inst.Spec.Payouts.Interval, defaultPayoutsInterval)
}

// listPayouts creates a PayoutReport for each paid payout issued since
// spec.payouts.since.
func (r *ShopifyInstanceReconciler) listPayouts(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	st := &inst.Status
	if st.Payouts == nil {
		st.Payouts = &v1.PayoutsStatus{}
	}
	now := metav1.Now()
	st.Payouts.LastListTime = &now
	n, err := r.createReports(ctx, inst, conn)
	if errors.Is(err, shopify.ErrNoPaymentsAccount) {
		return "", &instance.Problem{Reason: ReasonNoPaymentsAccount, Message: err.Error(), Stalled: true}
	}
	if err != nil {
		return "", fmt.Errorf("listing payouts failed: %w", err)
	}
	st.Payouts.Reports = int32(n)
	return fmt.Sprintf("%d payout reports; looking for paid payouts every %s", n, payoutsInterval(inst)), nil
}

// createReports creates the reports of the paid payouts that have none
// and returns how many reports the instance has.
func (r *ShopifyInstanceReconciler) createReports(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (int, error) {
	since := inst.CreationTimestamp.Time
	if s := inst.Spec.Payouts.Since; s != nil {
		since = s.Time
	}
	payouts, err := conn.Shopify.Payouts(ctx, "status:paid issued_at:>='"+since.UTC().Format(time.RFC3339)+"'")
	if err != nil {
		return 0, err
	}
	reports, err := reportsOf(ctx, r.Client, inst.Namespace, inst.Name)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, pr := range reports {
		have[pr.Spec.PayoutID] = true
	}
	for _, p := range payouts {
		if have[p.LegacyResourceID] {
			continue
		}
		pr := &v1.PayoutReport{
			ObjectMeta: metav1.ObjectMeta{Name: payoutReportName(inst.Name, p.LegacyResourceID), Namespace: inst.Namespace},
			Spec:       v1.PayoutReportSpec{InstanceRef: v1.InstanceReference{Name: inst.Name}, PayoutID: p.LegacyResourceID},
		}
		if err := createOwned(ctx, r.Client, inst, pr); err != nil {
			return 0, err
		}
		have[p.LegacyResourceID] = true
	}
	return len(have), nil
}
