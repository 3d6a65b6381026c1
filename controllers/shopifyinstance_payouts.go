package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// defaultPayoutsInterval is how often payouts are listed by default.
const defaultPayoutsInterval = time.Hour

// listPayouts creates a PayoutReport for each paid payout issued since
// spec.payouts.since, when due, and returns when it is next due. A failure
// shows in PayoutsListed and an event but leaves Ready alone.
func (r *ShopifyInstanceReconciler) listPayouts(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn, requested bool) time.Time {
	spec, st, gen := inst.Spec.Payouts, &inst.Status, inst.Generation
	if !spec.Enabled {
		st.Payouts = nil
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionPayoutsListed)
		return time.Time{}
	}
	if p := conn.Lacks(shopify.FeaturePayouts); p != nil {
		return r.stepBlocked(inst, v1.ConditionPayoutsListed, "ListPayouts", p)
	}
	interval := schedule.Every(spec.Interval, defaultPayoutsInterval)
	if st.Payouts == nil {
		st.Payouts = &v1.PayoutsStatus{}
	}
	if next, now := stepDue(inst, v1.ConditionPayoutsListed, st.Payouts.LastListTime, interval, requested); !now {
		return next
	}
	now := metav1.Now()
	st.Payouts.LastListTime = &now
	n, err := r.createReports(ctx, inst, conn)
	if errors.Is(err, shopify.ErrNoPaymentsAccount) {
		// Nothing to retry soon: the shop must sign up first.
		kstatus.Set(&st.Conditions, gen, v1.ConditionPayoutsListed, metav1.ConditionFalse, "NoPaymentsAccount", err.Error())
		return schedule.Next(&now, interval, string(inst.UID))
	}
	if err != nil {
		return r.stepFailed(inst, v1.ConditionPayoutsListed, "PayoutsListFailed", "ListPayouts", "listing payouts failed: "+err.Error())
	}
	st.Payouts.Reports = int32(n)
	kstatus.Set(&st.Conditions, gen, v1.ConditionPayoutsListed, metav1.ConditionTrue, "Listed",
		fmt.Sprintf("%d payout reports; looking for paid payouts every %s", n, interval))
	return schedule.Next(&now, interval, string(inst.UID))
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
