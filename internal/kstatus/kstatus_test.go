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

// summary is Ready, Stalled and Reconciling's statuses.
func summary(c []metav1.Condition) string {
	return status(c, v1.ConditionReady) + status(c, v1.ConditionStalled) + status(c, v1.ConditionReconciling)
}

func TestTransitions(t *testing.T) {
	var c []metav1.Condition
	Progressing(&c, 1, "Checking", "checking Shopify and Odoo")
	Stalled(&c, 1, "SecretNotFound", "Secret demo-odoo not found")
	if got := summary(c); got != "FalseTrue-" {
		t.Errorf("after Stalled: Ready/Stalled/Reconciling = %s", got)
	}
	Progressing(&c, 2, "Checking", "checking again")
	if got := summary(c); got != "Unknown-True" {
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
	if r := meta.FindStatusCondition(c, v1.ConditionReconciling); summary(c) != "False-True" || r.Reason != ReasonRetrying {
		t.Errorf("a retried failure is not reconciling with retry: %+v", c)
	}
}

func TestSuspendKeepsWhatTheLastPassFound(t *testing.T) {
	var c []metav1.Condition
	Stalled(&c, 1, "SecretNotFound", "Secret demo-odoo not found")
	Suspend(&c, 2, ReasonSuspended, "spec.suspend is true")
	if got := summary(c); got != "FalseTrue-" || status(c, v1.ConditionSuspended) != "True" {
		t.Errorf("suspended after stalling: %+v", c)
	}
	Failed(&c, 2, "Unreachable", "Odoo does not answer")
	Suspend(&c, 3, ReasonSuspended, "spec.suspend is true")
	if got := summary(c); got != "False--" {
		t.Errorf("a suspended object still reconciles: %+v", c)
	}
	Resume(&c)
	if status(c, v1.ConditionSuspended) != "-" {
		t.Errorf("resumed: %+v", c)
	}
}

func TestObservedOnlyOnceHandled(t *testing.T) {
	var c []metav1.Condition
	for _, step := range []struct {
		set  func()
		want bool
	}{
		{func() { Progressing(&c, 2, "Exporting", "exporting") }, false},
		{func() { Failed(&c, 2, "Unreachable", "Odoo does not answer") }, false},
		{func() { Ready(&c, 1, "Connected", "ok") }, false}, // an older generation's
		{func() { Ready(&c, 2, "Connected", "ok") }, true},
		{func() { Stalled(&c, 2, "SecretNotFound", "no Secret") }, true},
		{func() { Failed(&c, 2, "Unreachable", "no"); Suspend(&c, 2, ReasonSuspended, "suspended") }, true},
	} {
		step.set()
		if got := Observed(c, 2); got != step.want {
			t.Errorf("Observed(%+v) = %v", c, got)
		}
	}
}

func TestReapplyKeepsTheOtherWritersTypes(t *testing.T) {
	var old []metav1.Condition
	Ready(&old, 1, "Connected", "ok")
	Set(&old, 1, v1.ConditionCustomerDataWithheld, metav1.ConditionTrue, "NotApproved", "withheld")
	mine := append([]metav1.Condition(nil), old...)
	Set(&mine, 1, v1.ConditionStockExported, metav1.ConditionTrue, "Exported", "10 items")
	meta.RemoveStatusCondition(&mine, v1.ConditionCustomerDataWithheld)
	theirs := append([]metav1.Condition(nil), old...)
	Stalled(&theirs, 1, v1.ReasonAppUninstalled, "the app was uninstalled")

	Reapply(&theirs, old, mine)
	want := map[string]string{v1.ConditionReady: "False", v1.ConditionStalled: "True", v1.ConditionStockExported: "True",
		v1.ConditionCustomerDataWithheld: "-"}
	for typ, s := range want {
		if got := status(theirs, typ); got != s {
			t.Errorf("%s is %s; want %s: %+v", typ, got, s, theirs)
		}
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
