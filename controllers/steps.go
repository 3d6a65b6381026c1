package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
)

// stepRetry is how soon a scheduled step of the instance that failed is
// tried again.
const stepRetry = time.Minute

// stepDue says when a scheduled step of the instance is next due, and
// whether that is now: interval after its last attempt, stepRetry after one
// that failed, at once when the spec changed or a run was requested.
func stepDue(inst *v1.ShopifyInstance, condition string, last *metav1.Time, interval time.Duration, requested bool) (time.Time, bool) {
	wait := interval
	switch c := meta.FindStatusCondition(inst.Status.Conditions, condition); {
	case c != nil && c.ObservedGeneration != inst.Generation:
		last = nil
	case c != nil && c.Status == metav1.ConditionFalse:
		wait = stepRetry
	}
	next := schedule.Next(last, wait, string(inst.UID))
	return next, requested || !time.Now().Before(next)
}

// stepBlocked records in a step's condition that the app lacks the access
// scopes of the step, with an event when that is news. The step waits for
// the next check of the store, which reads the scopes again.
func (r *ShopifyInstanceReconciler) stepBlocked(inst *v1.ShopifyInstance, condition, action string, p *instance.Problem) time.Time {
	if c := meta.FindStatusCondition(inst.Status.Conditions, condition); c == nil || c.Reason != p.Reason || c.Message != p.Message {
		r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, p.Reason, action, "%s", p.Message)
	}
	kstatus.Set(&inst.Status.Conditions, inst.Generation, condition, metav1.ConditionFalse, p.Reason, p.Message)
	return time.Time{}
}

// stepFailed records a step's failure in its condition and an event, and
// returns when it is tried again. Ready is left alone: orders keep being
// imported meanwhile.
func (r *ShopifyInstanceReconciler) stepFailed(inst *v1.ShopifyInstance, condition, reason, action, msg string) time.Time {
	r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, reason, action, "%s", msg)
	kstatus.Set(&inst.Status.Conditions, inst.Generation, condition, metav1.ConditionFalse, reason, msg)
	return time.Now().Add(stepRetry)
}
