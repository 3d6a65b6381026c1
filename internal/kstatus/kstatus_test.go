package kstatus

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

func status(conds []metav1.Condition, typ string) string {
	if c := meta.FindStatusCondition(conds, typ); c != nil {
		return string(c.Status)
	}
	return "-"
}

func TestTransitions(t *testing.T) {
	var c []metav1.Condition
	Progressing(&c, 1, "Checking", "checking Shopify and Odoo")
	Stalled(&c, 1, "SecretNotFound", "Secret demo-odoo not found")
	if got := status(c, v1.ConditionReady) + status(c, v1.ConditionStalled) + status(c, v1.ConditionReconciling); got != "FalseTrue-" {
		t.Errorf("after Stalled: Ready/Stalled/Reconciling = %s", got)
	}
	Progressing(&c, 2, "Checking", "checking again")
	if got := status(c, v1.ConditionReady) + status(c, v1.ConditionStalled) + status(c, v1.ConditionReconciling); got != "Unknown-True" {
		t.Errorf("after Progressing: %s", got)
	}
	Ready(&c, 2, "Connected", "ok")
	if len(c) != 1 || c[0].Type != v1.ConditionReady || c[0].ObservedGeneration != 2 {
		t.Errorf("after Ready: %+v", c)
	}
	Failed(&c, 3, "Unreachable", strings.Repeat("x", 5000))
	if r := meta.FindStatusCondition(c, v1.ConditionReady); r.Status != metav1.ConditionFalse || len(r.Message) != MaxMessage {
		t.Errorf("after Failed: %s with a %d-byte message", r.Status, len(r.Message))
	}
}

func TestRunRequested(t *testing.T) {
	obj := &metav1.ObjectMeta{}
	if _, ok := RunRequested(obj, ""); ok {
		t.Error("no annotation asks for a run")
	}
	obj.SetAnnotations(map[string]string{v1.ReconcileRequestedAnnotation: "t1"})
	if v, ok := RunRequested(obj, ""); !ok || v != "t1" {
		t.Errorf("new annotation: %q %v", v, ok)
	}
	if _, ok := RunRequested(obj, "t1"); ok {
		t.Error("a handled annotation asks again")
	}
}
