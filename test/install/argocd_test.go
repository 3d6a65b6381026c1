package install

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/kstatus"
)

var argocd = filepath.Join(chart, "argocd")

// healthChecks are the argocd-cm keys of the chart's docs, by kind.
func healthChecks(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(argocd, "argocd-cm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cm struct{ Data map[string]string }
	if err := yaml.Unmarshal(data, &cm); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	scheme := runtime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	for gvk := range scheme.AllKnownTypes() {
		kind := gvk.Kind
		if obj, _ := scheme.New(gvk); gvk.Group != v1.GroupVersion.Group || !isObject(obj) {
			continue
		}
		script, ok := cm.Data["resource.customizations.health."+v1.GroupVersion.Group+"_"+kind]
		if !ok {
			t.Fatalf("argocd-cm.yaml has no health check for %s", kind)
		}
		out[kind] = script
	}
	return out
}

// isObject: one of the kinds, not a list or an option type.
func isObject(o runtime.Object) bool {
	_, ok := o.(metav1.Object)
	return ok
}

// health runs an Argo CD health script on obj as Argo CD does: obj is a
// global table and the script returns {status, message}.
func health(t *testing.T, script string, obj client.Object) (string, string) {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, u))
	if err := L.DoString(script); err != nil {
		t.Fatal(err)
	}
	hs, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("the script returned %v", L.Get(-1))
	}
	return hs.RawGetString("status").String(), hs.RawGetString("message").String()
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case nil:
		return lua.LNil
	}
	panic(fmt.Sprintf("%T", v))
}

// object is a kind's object at generation 2 whose status the controller
// wrote with set, as the controllers write it through internal/kstatus.
func object(kind string, observed int64, set func(*[]metav1.Condition)) client.Object {
	meta := metav1.ObjectMeta{Name: "x", Namespace: "ns", Generation: 2}
	var rs v1.ReconcileStatus
	rs.ObservedGeneration = observed
	if set != nil {
		set(&rs.Conditions)
	}
	tm := metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: kind}
	switch kind {
	case "ShopifyInstance":
		return &v1.ShopifyInstance{TypeMeta: tm, ObjectMeta: meta, Status: v1.ShopifyInstanceStatus{ReconcileStatus: rs}}
	case "OrderQueue":
		return &v1.OrderQueue{TypeMeta: tm, ObjectMeta: meta, Status: v1.OrderQueueStatus{QueueStatus: v1.QueueStatus{ReconcileStatus: rs}}}
	}
	return &v1.ProductExport{TypeMeta: tm, ObjectMeta: meta, Status: v1.ProductExportStatus{ReconcileStatus: rs}}
}

func TestArgoCDHealthFollowsKstatus(t *testing.T) {
	ready := func(c *[]metav1.Condition) { kstatus.Ready(c, 2, "Connected", "both ends connected") }
	failed := func(c *[]metav1.Condition) { kstatus.Failed(c, 2, "OdooUnreachable", "Odoo does not answer") }
	cases := []struct {
		name      string
		observed  int64
		set       func(*[]metav1.Condition)
		want      map[string]string // by kind; "" is every kind
		inMessage string
	}{
		{"no status yet", 0, nil, map[string]string{"": "Progressing"}, "Waiting"},
		{"an older generation observed", 1, ready, map[string]string{"": "Progressing"}, "generation 2"},
		{"ready", 2, ready, map[string]string{"": "Healthy"}, "both ends connected"},
		{"reconciling", 2, func(c *[]metav1.Condition) { kstatus.Progressing(c, 2, "Processing", "3 of 10 orders imported") },
			map[string]string{"": "Progressing"}, "3 of 10"},
		{"failed, retried", 2, failed,
			map[string]string{"": "Degraded", "OrderQueue": "Progressing", "ImportQueue": "Progressing"}, "does not answer"},
		{"stalled", 2, func(c *[]metav1.Condition) { kstatus.Stalled(c, 2, "SecretNotFound", `Secret "shop" not found`) },
			map[string]string{"": "Degraded"}, `Secret "shop"`},
		{"suspended", 2, func(c *[]metav1.Condition) {
			kstatus.Set(c, 2, v1.ConditionSuspended, metav1.ConditionTrue, "Suspended", "spec.suspend is true")
			kstatus.Ready(c, 2, "Suspended", "both ends connected; suspended")
		}, map[string]string{"": "Suspended"}, "spec.suspend"},
	}
	for kind, script := range healthChecks(t) {
		for _, c := range cases {
			want, ok := c.want[kind]
			if !ok {
				want = c.want[""]
			}
			status, msg := health(t, script, object(kind, c.observed, c.set))
			if status != want || !strings.Contains(msg, c.inMessage) {
				t.Errorf("%s %s: %s %q; want %s with %q", kind, c.name, status, msg, want, c.inMessage)
			}
		}
	}
}

// The docs' argocd-cm carries health.lua as it is.
func TestArgoCDConfigMapCarriesTheScript(t *testing.T) {
	lua, err := os.ReadFile(filepath.Join(argocd, "health.lua"))
	if err != nil {
		t.Fatal(err)
	}
	for kind, script := range healthChecks(t) {
		if script != string(lua) {
			t.Errorf("the %s check differs from health.lua", kind)
		}
	}
}
