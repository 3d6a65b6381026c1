package controllers

import (
	"context"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
)

// unknownSKU is the simulated store's order of an SKU Odoo lacks.
const unknownSKU = 18

// kstatusOf is what kstatus tools (kubectl wait, Argo CD, Flux) make of obj.
func kstatusOf(t *testing.T, obj runtime.Object) status.Status {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: u})
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

// counters waits until the instance's counters are want.
func (f *fixture) counters(want v1.Counters) {
	f.t.Helper()
	eventually(f.t, fmt.Sprintf("counters %+v", want), func() error {
		var si v1.ShopifyInstance
		if err := f.get("shop", &si); err != nil {
			return err
		}
		if si.Status.Counters != want {
			return fmt.Errorf("counters %+v", si.Status.Counters)
		}
		return nil
	})
}

// A finished queue's failed lines are tried again on request once their
// cause is fixed, and only they; the totals move by what changed.
func TestRetryFailedLines(t *testing.T) {
	f := newFixture(t, 19, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(noSchedule)
	f.ready()
	good, bad := f.orders()[0].id, f.orders()[unknownSKU].id
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "retry"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: []string{good, bad}}})
	q := &v1.OrderQueue{}
	f.condition(q, "retry", v1.ConditionStalled, metav1.ConditionTrue, ReasonLinesFailed)
	if s := kstatusOf(t, q); s != status.FailedStatus {
		t.Errorf("kstatus of a queue a person must look at: %s", s)
	}
	if c := q.Status.Counts; c.Done != 1 || c.Failed != 1 {
		t.Fatalf("counts %+v", c)
	}
	f.counters(queue.OrderTotals(q.Status.Counts))
	created := f.odoo.Calls("sale.order", "create")

	f.odoo.AddProducts([]catalog.Product{{Handle: "legacy-scarf", Title: "Legacy Silk Scarf",
		Variants: []catalog.Variant{{SKU: "LEGACY-SCARF", Price: "45.00"}, {SKU: "LEGACY-SCARF-2", Price: "49.00"}}}})
	f.requestRun(q, "retry", "1")
	f.condition(q, "retry", v1.ConditionReady, metav1.ConditionTrue, "Completed")
	lines := map[string]v1.OrderLine{}
	for _, l := range q.Status.Lines {
		lines[l.ID] = l
	}
	if l := lines[good]; l.State != v1.LineDone || l.Attempts != 1 {
		t.Errorf("the done line was tried again: %+v", l)
	}
	if l := lines[bad]; l.State != v1.LineDone || l.Attempts != 1 || l.SaleOrderID == 0 {
		t.Errorf("the retried line: %+v", l)
	}
	if q.Status.Attempt != 2 || kstatusOf(t, q) != status.CurrentStatus {
		t.Errorf("attempt %d, kstatus %s", q.Status.Attempt, kstatusOf(t, q))
	}
	if n := f.odoo.Calls("sale.order", "create") - created; n != 1 {
		t.Errorf("%d sale order creates on the retry; want 1", n)
	}
	if c := q.Status.Counts; c.Done != 2 || c.Failed != 0 {
		t.Errorf("counts %+v", c)
	}
	f.counters(queue.OrderTotals(q.Status.Counts))
}

// A queue retrying a failure is in progress for kstatus, not current.
func TestRetryingQueueIsInProgress(t *testing.T) {
	f := newFixture(t, 18, 3)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(noSchedule)
	f.ready()
	f.odoo.Inject(odoosim.Fault{Kind: odoosim.HTTPError, Model: "sale.order"})
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "busy"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: []string{f.orders()[0].id}}})
	q := &v1.OrderQueue{}
	c := f.condition(q, "busy", v1.ConditionReconciling, metav1.ConditionTrue, "ProgressingWithRetry")
	if s := kstatusOf(t, q); s != status.InProgressStatus {
		t.Errorf("kstatus of a retrying queue: %s (%s)", s, c.Message)
	}
	if q.Status.ObservedGeneration != q.Generation {
		t.Errorf("observedGeneration %d of generation %d", q.Status.ObservedGeneration, q.Generation)
	}
	f.odoo.ClearFaults()
	f.condition(q, "busy", v1.ConditionReady, metav1.ConditionTrue, "Completed")
}

// Finished queues go after the instance's retention, those with failed
// lines after the longer one; the totals stay.
func TestRetentionKeepsTheCounters(t *testing.T) {
	f := newFixture(t, 19, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		noSchedule(s)
		s.Orders.QueueRetention = &metav1.Duration{}
	})
	f.ready()
	for name, i := range map[string]int{"done": 0, "failed": unknownSKU} {
		f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: []string{f.orders()[i].id}}})
	}
	failed := &v1.OrderQueue{}
	f.condition(failed, "failed", v1.ConditionStalled, metav1.ConditionTrue, ReasonLinesFailed)
	eventually(t, "the completed queue deleted", func() error {
		if qs := f.queues(); len(qs) != 1 || qs[0].Name != "failed" {
			return fmt.Errorf("%d queues", len(qs))
		}
		return nil
	})
	// The failed queue adds its failed line, the deleted one its order.
	f.counters(v1.Counters{OrdersImported: 1, SalesOrders: 1, Invoices: 1, Deliveries: 1, FailedLines: int64(failed.Status.Counts.Failed)})
}

// A suspended queue of either kind calls neither Shopify nor Odoo.
func TestSuspendedQueuesCallNothing(t *testing.T) {
	f := newFixture(t, 19, 3)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(noSchedule)
	f.ready()
	f.odoo.ResetCalls()
	shopCalls := f.shop.Stats().Requests
	ref := v1.InstanceReference{Name: "shop"}
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "orders"},
		Spec: v1.OrderQueueSpec{InstanceRef: ref, Type: v1.QueueUnshipped, OrderIDs: []string{f.orders()[0].id}, Suspend: true}})
	f.create(&v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "products"},
		Spec: v1.ImportQueueSpec{InstanceRef: ref, Resource: v1.ImportProducts, All: true, Suspend: true}})
	oq, iq := &v1.OrderQueue{}, &v1.ImportQueue{}
	f.condition(oq, "orders", v1.ConditionSuspended, metav1.ConditionTrue, "Suspended")
	f.condition(iq, "products", v1.ConditionSuspended, metav1.ConditionTrue, "Suspended")
	if n, s := f.odoo.Calls("", ""), f.shop.Stats().Requests-shopCalls; n != 0 || s != 0 || oq.Status.Phase != "" || iq.Status.Phase != "" {
		t.Errorf("suspended queues made %d Odoo and %d Shopify calls; phases %q %q", n, s, oq.Status.Phase, iq.Status.Phase)
	}
	patch := client.MergeFrom(oq.DeepCopy())
	oq.Spec.Suspend = false
	if err := cp.Client.Patch(context.Background(), oq, patch); err != nil {
		t.Fatal(err)
	}
	f.condition(oq, "orders", v1.ConditionReady, metav1.ConditionTrue, "Completed")
}
