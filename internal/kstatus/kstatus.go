// Package kstatus keeps the conditions every kind reports, following kstatus:
// Ready summarises, Reconciling says work is under way (a failure being
// retried among it), Stalled says the object cannot progress until someone
// changes it.
package kstatus

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// MaxMessage bounds condition messages; longer ones are cut.
const MaxMessage = 1024

// ReasonRetrying is Reconciling's reason while a failure is retried, as Flux
// spells it.
const ReasonRetrying = "ProgressingWithRetry"

// ReasonSuspended is the Suspended condition's reason of an object whose own
// spec.suspend is true.
const ReasonSuspended = "Suspended"

// Set sets one condition for generation gen.
func Set(conds *[]metav1.Condition, gen int64, typ string, status metav1.ConditionStatus, reason, msg string) {
	if len(msg) > MaxMessage {
		msg = msg[:MaxMessage-3] + "..."
	}
	meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: gen})
}

// Ready marks the object ready.
func Ready(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReady, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionReconciling)
	meta.RemoveStatusCondition(conds, v1.ConditionStalled)
}

// Progressing marks work under way; Ready is Unknown until it ends.
func Progressing(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
	Set(conds, gen, v1.ConditionReady, metav1.ConditionUnknown, reason, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionStalled)
}

// Failed marks a failure that is retried on its own: Ready False, and
// Reconciling True as ProgressingWithRetry, so that kstatus tools wait
// instead of calling the object healthy or failed for good.
func Failed(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReady, metav1.ConditionFalse, reason, msg)
	Set(conds, gen, v1.ConditionReconciling, metav1.ConditionTrue, ReasonRetrying, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionStalled)
}

// Stalled marks a failure that needs a person to change something.
func Stalled(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReady, metav1.ConditionFalse, reason, msg)
	Set(conds, gen, v1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionReconciling)
}

// Suspend marks an object that does nothing while it, or what it works
// through, is suspended. As in Flux, Ready and Stalled keep what the last
// pass found; nothing is under way.
func Suspend(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionSuspended, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionReconciling)
}

// Resume drops the mark of a suspension.
func Resume(conds *[]metav1.Condition) {
	meta.RemoveStatusCondition(conds, v1.ConditionSuspended)
}

// Observed says whether the conditions show generation gen handled: the
// object is ready, stalled or suspended at that generation. Only then is it
// the status's observedGeneration; while gen is retried or under way the
// older one stays.
func Observed(conds []metav1.Condition, gen int64) bool {
	for _, typ := range []string{v1.ConditionReady, v1.ConditionStalled, v1.ConditionSuspended} {
		if c := meta.FindStatusCondition(conds, typ); c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == gen {
			return true
		}
	}
	return false
}

// Reapply makes to conds the changes from old to changed, type by type:
// the types changed set as they are in changed, those removed removed.
// The other types keep what conds holds, so that what another writer set
// meanwhile survives.
func Reapply(conds *[]metav1.Condition, old, changed []metav1.Condition) {
	for _, c := range changed {
		if o := meta.FindStatusCondition(old, c.Type); o == nil || *o != c {
			meta.SetStatusCondition(conds, c)
		}
	}
	for _, o := range old {
		if meta.FindStatusCondition(changed, o.Type) == nil {
			meta.RemoveStatusCondition(conds, o.Type)
		}
	}
}

// RunRequested returns the requested-at annotation's value when it has not
// been handled yet.
func RunRequested(obj metav1.Object, handled string) (string, bool) {
	v, ok := obj.GetAnnotations()[v1.ReconcileRequestedAnnotation]
	return v, ok && v != handled
}
