// Package kstatus keeps the conditions every kind reports, following kstatus:
// Ready summarises, Reconciling says work is under way, Stalled says the
// object cannot progress until someone changes it.
package kstatus

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// MaxMessage bounds condition messages; longer ones are cut.
const MaxMessage = 1024

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

// Failed marks a failure that is retried on its own.
func Failed(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReady, metav1.ConditionFalse, reason, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionReconciling)
	meta.RemoveStatusCondition(conds, v1.ConditionStalled)
}

// Stalled marks a failure that needs a person to change something.
func Stalled(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReady, metav1.ConditionFalse, reason, msg)
	Set(conds, gen, v1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionReconciling)
}

// RunRequested returns the requested-at annotation's value when it has not
// been handled yet.
func RunRequested(obj metav1.Object, handled string) (string, bool) {
	v, ok := obj.GetAnnotations()[v1.ReconcileRequestedAnnotation]
	return v, ok && v != handled
}
