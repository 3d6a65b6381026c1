package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
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

// stepFailed records a step's failure in its condition and an event, and
// returns when it is tried again. Ready is left alone: orders keep being
// imported meanwhile.
func (r *ShopifyInstanceReconciler) stepFailed(inst *v1.ShopifyInstance, condition, reason, action, msg string) time.Time {
	r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, reason, action, "%s", msg)
	kstatus.Set(&inst.Status.Conditions, inst.Generation, condition, metav1.ConditionFalse, reason, msg)
	return time.Now().Add(stepRetry)
}
