package kstatus

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// ReasonProgressingWithRetry is Reconciling's reason while a failure is retried.
const ReasonProgressingWithRetry = "ProgressingWithRetry"

// Retrying marks a failure that is retried on its own: Ready is False for
// reason, and Reconciling True, so that kstatus reads the object as in
// progress rather than current.
func Retrying(conds *[]metav1.Condition, gen int64, reason, msg string) {
	Set(conds, gen, v1.ConditionReady, metav1.ConditionFalse, reason, msg)
	Set(conds, gen, v1.ConditionReconciling, metav1.ConditionTrue, ReasonProgressingWithRetry, msg)
	meta.RemoveStatusCondition(conds, v1.ConditionStalled)
}
