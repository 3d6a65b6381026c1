package controllers

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/test/controlplane"
)

// kstatusOf waits until the named object's Ready condition has reason, then
// returns what kstatus makes of the object.
func (f *fixture) kstatusOf(obj client.Object, name, reason string) *status.Result {
	f.t.Helper()
	c := f.condition(obj, name, v1.ConditionReady, metav1.ConditionFalse, reason)
	gvk, err := apiutil.GVKForObject(obj, cp.Scheme)
	if err != nil {
		f.t.Fatal(err)
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: u})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Logf("%s %s (Ready False %s: %s): kstatus %s: %s", gvk.Kind, name, c.Reason, c.Message, res.Status, res.Message)
	return res
}

// kstatus tools (Argo CD, Flux, kubectl wait) wait for an object whose
// failure is retried, and give up on one that needs a person, on every
// kind that works through an instance.
func TestKstatusOfRetriedAndStalledObjects(t *testing.T) {
	closed := "http://" + controlplane.FreeAddr(t) // nothing listens there
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) { s.Odoo.URL = closed }) // retried
	f.create(&v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Name: "lost"}, Spec: v1.ShopifyInstanceSpec{
		Shopify: v1.ShopifySpec{Shop: "test-shop.myshopify.com", Endpoint: f.shop.URL(), CredentialsSecretRef: v1.SecretReference{Name: "shop"}},
		Odoo:    v1.OdooSpec{URL: f.odoo.URL(), Database: "db", CredentialsSecretRef: v1.SecretReference{Name: "missing"}},
	}}) // stalled
	for _, ref := range []string{"shop", "nowhere"} {
		f.create(&v1.ProductExport{ObjectMeta: metav1.ObjectMeta{Name: "export-" + ref}, Spec: v1.ProductExportSpec{
			InstanceRef: v1.InstanceReference{Name: ref}, Selector: v1.ProductSelector{Category: "All"}}})
		f.create(&v1.PayoutReport{ObjectMeta: metav1.ObjectMeta{Name: "payout-" + ref}, Spec: v1.PayoutReportSpec{
			InstanceRef: v1.InstanceReference{Name: ref}, PayoutID: "1"}})
	}
	for _, c := range []struct {
		obj    client.Object
		name   string
		reason string
		want   status.Status
	}{
		{&v1.ShopifyInstance{}, "shop", instance.ReasonUnreachable, status.InProgressStatus},
		{&v1.ShopifyInstance{}, "lost", instance.ReasonCredentialsUnusable, status.FailedStatus},
		{&v1.ProductExport{}, "export-shop", ReasonInstanceNotReady, status.InProgressStatus},
		{&v1.ProductExport{}, "export-nowhere", ReasonInstanceNotFound, status.FailedStatus},
		{&v1.PayoutReport{}, "payout-shop", ReasonInstanceNotReady, status.InProgressStatus},
		{&v1.PayoutReport{}, "payout-nowhere", ReasonInstanceNotFound, status.FailedStatus},
	} {
		if res := f.kstatusOf(c.obj, c.name, c.reason); res.Status != c.want {
			t.Errorf("%s: kstatus %s (%s); want %s", c.name, res.Status, res.Message, c.want)
		}
		if r := meta.FindStatusCondition(conditions(c.obj), v1.ConditionReconciling); c.want == status.InProgressStatus &&
			(r == nil || r.Reason != kstatus.ReasonRetrying) {
			t.Errorf("%s retries without Reconciling %s: %+v", c.name, kstatus.ReasonRetrying, r)
		}
	}
}

// A suspended instance, export or report calls neither Shopify nor Odoo,
// and says so the same way: Suspended True, nothing reconciling, the
// generation observed.
func TestSuspendedKindsCallNothing(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Suspend = true
		s.Webhooks = v1.WebhooksSpec{Enabled: true, PublicBaseURL: "https://connector.example.com"}
		s.Stock = v1.StockSpec{Enabled: true, Locations: []v1.LocationMapping{{ShopifyLocation: "Lyon Warehouse", OdooWarehouse: "WH"}}}
		s.Payouts = v1.PayoutsSpec{Enabled: true, Journal: "Shopify Payments", FeeAccount: "620000"}
	})
	f.suspended(&v1.ShopifyInstance{}, "shop")
	if n, m := f.shop.Stats().Requests, f.odoo.Calls("", ""); n+m != 0 {
		t.Errorf("a suspended instance sent %d requests to Shopify and %d calls to Odoo", n, m)
	}

	// The instance resumed and idle, its suspended export and report call nothing either.
	var si v1.ShopifyInstance
	if err := f.get("shop", &si); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(si.DeepCopy())
	si.Spec.Suspend, si.Spec.Webhooks, si.Spec.Stock, si.Spec.Payouts = false, v1.WebhooksSpec{}, v1.StockSpec{}, v1.PayoutsSpec{}
	if err := cp.Client.Patch(context.Background(), &si, patch); err != nil {
		t.Fatal(err)
	}
	f.ready()
	shopify, odoo := f.shop.Stats().Requests, f.odoo.Calls("", "")
	f.create(&v1.ProductExport{ObjectMeta: metav1.ObjectMeta{Name: "saleable"}, Spec: v1.ProductExportSpec{
		InstanceRef: v1.InstanceReference{Name: "shop"}, Selector: v1.ProductSelector{Category: "All"}, Suspend: true}})
	f.create(&v1.PayoutReport{ObjectMeta: metav1.ObjectMeta{Name: "payout"}, Spec: v1.PayoutReportSpec{
		InstanceRef: v1.InstanceReference{Name: "shop"}, PayoutID: "1", Suspend: true}})
	f.suspended(&v1.ProductExport{}, "saleable")
	f.suspended(&v1.PayoutReport{}, "payout")
	if n, m := f.shop.Stats().Requests-shopify, f.odoo.Calls("", "")-odoo; n+m != 0 {
		t.Errorf("a suspended export and report sent %d requests to Shopify and %d calls to Odoo", n, m)
	}
}

// suspended waits until the named object says it is suspended, and checks
// that it says so as every kind does.
func (f *fixture) suspended(obj client.Object, name string) {
	f.t.Helper()
	f.condition(obj, name, v1.ConditionSuspended, metav1.ConditionTrue, kstatus.ReasonSuspended)
	var observed int64
	switch o := obj.(type) {
	case *v1.ShopifyInstance:
		observed = o.Status.ObservedGeneration
	case *v1.ProductExport:
		observed = o.Status.ObservedGeneration
	case *v1.PayoutReport:
		observed = o.Status.ObservedGeneration
	}
	if r := meta.FindStatusCondition(conditions(obj), v1.ConditionReconciling); r != nil || observed != obj.GetGeneration() {
		f.t.Errorf("%s suspended: generation %d observed %d, Reconciling %+v", name, obj.GetGeneration(), observed, r)
	}
}

// What the webhook receiver writes and what a reconcile that read the
// instance before it writes both stay.
func TestReceiverAndReconcilerWritesBothSurvive(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) { s.Suspend = true }) // the manager leaves it alone
	var read v1.ShopifyInstance
	f.condition(&read, "shop", v1.ConditionSuspended, metav1.ConditionTrue, kstatus.ReasonSuspended)

	// A reconcile read the instance and exported stock ...
	mine := read.DeepCopy()
	kstatus.Set(&mine.Status.Conditions, mine.Generation, v1.ConditionStockExported, metav1.ConditionTrue, "Exported", "3 items")
	mine.Status.Stock = &v1.StockStatus{Items: 3}
	// ... while the receiver heard the app was uninstalled ...
	rcv := &receiver{client: cp.Client, recorder: events.NewFakeRecorder(10)}
	if err := rcv.uninstalled(context.Background(), client.ObjectKeyFromObject(&read)); err != nil {
		t.Fatal(err)
	}
	// ... and writes its status from what it read.
	if err := patchStatus(context.Background(), cp.Client, &read, mine, read.Status, mine.Status); err != nil {
		t.Fatal(err)
	}

	var si v1.ShopifyInstance
	if err := f.get("shop", &si); err != nil {
		t.Fatal(err)
	}
	st := si.Status
	if c := meta.FindStatusCondition(st.Conditions, v1.ConditionStalled); c == nil || c.Reason != v1.ReasonAppUninstalled ||
		st.Webhooks == nil || st.Webhooks.AppUninstalledAt == nil {
		t.Errorf("the receiver's write was lost: %+v", st)
	}
	if !meta.IsStatusConditionTrue(st.Conditions, v1.ConditionStockExported) || st.Stock == nil || st.Stock.Items != 3 ||
		!meta.IsStatusConditionTrue(st.Conditions, v1.ConditionSuspended) {
		t.Errorf("the reconcile's write was lost: %+v", st)
	}
}
