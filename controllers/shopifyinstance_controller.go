package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// ShopifyInstanceReconciler checks both ends of an instance, runs its
// scheduled import and sums its queues into the dashboard counters.
type ShopifyInstanceReconciler struct {
	client.Client
	Pool     *instance.Pool
	Recorder events.EventRecorder
}

// Credentials are read uncached; the metadata watch needs list and watch.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch

// Reconcile checks, imports when due, counts, and writes the status once.
func (r *ShopifyInstanceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var inst v1.ShopifyInstance
	if err := r.Get(ctx, req.NamespacedName, &inst); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.Pool.Forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if done, res, err := r.finalize(ctx, &inst); done {
		return res, err
	}
	old := inst.DeepCopy()
	res, err := r.reconcile(ctx, &inst)
	recordNotReady(r.Recorder, &inst, inst.Status.Conditions, old.Status.Conditions)
	if perr := patchStatus(ctx, r.Client, old, &inst, old.Status, inst.Status); perr != nil {
		return ctrl.Result{}, perr
	}
	return res, err
}

func (r *ShopifyInstanceReconciler) reconcile(ctx context.Context, inst *v1.ShopifyInstance) (ctrl.Result, error) {
	st, gen := &inst.Status, inst.Generation
	st.ObservedGeneration = gen
	if err := r.count(ctx, inst); err != nil {
		return ctrl.Result{}, err
	}
	runNow, requested := kstatus.RunRequested(inst, st.LastHandledReconcileAt)
	conn, err := r.Pool.Check(ctx, inst, requested)
	if err != nil {
		return ctrl.Result{}, err
	}
	if p := connected(inst, conn); p != nil {
		if p.Stalled {
			kstatus.Stalled(&st.Conditions, gen, p.Reason, p.Message)
			return ctrl.Result{}, nil
		}
		kstatus.Failed(&st.Conditions, gen, p.Reason, p.Message)
		return ctrl.Result{}, p // retried with backoff
	}
	r.customerData(inst, conn)
	if r.webhooks(ctx, inst, conn, requested) {
		return ctrl.Result{RequeueAfter: recheck}, nil
	}
	if inst.Spec.Suspend {
		kstatus.Set(&st.Conditions, gen, v1.ConditionSuspended, metav1.ConditionTrue, "Suspended",
			"spec.suspend is true: no orders are imported and the instance's queues wait")
		kstatus.Ready(&st.Conditions, gen, "Suspended", "both ends connected; suspended")
		return ctrl.Result{}, nil
	}
	meta.RemoveStatusCondition(&st.Conditions, v1.ConditionSuspended)

	interval := schedule.Interval(inst.Spec.Orders)
	next := schedule.Next(st.LastImportTime, interval, string(inst.UID))
	if requested || !time.Now().Before(next) {
		if err := r.importOrders(ctx, inst, conn); err != nil {
			kstatus.Failed(&st.Conditions, gen, "ImportFailed", err.Error())
			return ctrl.Result{}, err
		}
		if requested {
			st.LastHandledReconcileAt = runNow
		}
		next = schedule.Next(st.LastImportTime, interval, string(inst.UID))
	}
	next = earliest(next, r.exportStock(ctx, inst, conn, requested))
	next = earliest(next, r.exportFulfillments(ctx, inst, conn, requested))
	next = earliest(next, r.listPayouts(ctx, inst, conn, requested))
	next = earliest(next, r.scheduleImports(ctx, inst, conn, requested))
	kstatus.Ready(&st.Conditions, gen, instance.ReasonConnected, "both ends connected; importing orders every "+interval.String())
	return ctrl.Result{RequeueAfter: time.Until(next)}, nil
}

// earliest is the earlier of two due times; zero is never.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// connected sets ShopifyConnected, OdooConnected and what each end said of
// itself, and returns the first problem.
func connected(inst *v1.ShopifyInstance, c *instance.Conn) *instance.Problem {
	st, gen := &inst.Status, inst.Generation
	set := func(typ string, p *instance.Problem, ok string) {
		if p != nil {
			kstatus.Set(&st.Conditions, gen, typ, metav1.ConditionFalse, p.Reason, p.Message)
		} else {
			kstatus.Set(&st.Conditions, gen, typ, metav1.ConditionTrue, instance.ReasonConnected, ok)
		}
	}
	set(v1.ConditionShopifyConnected, c.ShopifyProblem, "connected to "+c.Shop.Name)
	set(v1.ConditionOdooConnected, c.OdooProblem, fmt.Sprintf("connected to Odoo %s over %s", c.Info.Version, c.Info.Protocol))
	if c.ShopifyProblem == nil {
		st.Shop = &v1.ShopInfo{Name: c.Shop.Name, Currency: c.Shop.CurrencyCode, Plan: c.Shop.Plan.DisplayName, Timezone: c.Shop.Timezone}
	}
	if c.OdooProblem == nil {
		st.Odoo = &v1.OdooInfo{Version: c.Info.Version, Protocol: v1.OdooProtocol(c.Info.Protocol), CompanyID: c.Info.CompanyID}
	}
	if c.ShopifyProblem != nil {
		return c.ShopifyProblem
	}
	return c.OdooProblem
}

// customerData says in CustomerDataWithheld, and an event when it is news,
// what protected customer data Shopify withheld from the app: orders and
// customers are imported without it.
func (r *ShopifyInstanceReconciler) customerData(inst *v1.ShopifyInstance, conn *instance.Conn) {
	conds := &inst.Status.Conditions
	withheld := conn.Withheld()
	if len(withheld) == 0 {
		meta.RemoveStatusCondition(conds, v1.ConditionCustomerDataWithheld)
		return
	}
	msg := fmt.Sprintf("Shopify withholds the customers' %s from the app: orders and customers are imported without them. "+
		"Request access to protected customer data and these fields for the app, then run the instance now to check again",
		strings.Join(withheld, ", "))
	if c := meta.FindStatusCondition(*conds, v1.ConditionCustomerDataWithheld); c == nil || c.Message != msg {
		r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, "CustomerDataWithheld", "Import", "%s", msg)
	}
	kstatus.Set(conds, inst.Generation, v1.ConditionCustomerDataWithheld, metav1.ConditionTrue, "NotApproved", msg)
}

// importOrders queues the orders updated since the watermark, then moves
// the watermark: only once every queue exists, so that a crash in between
// lists the same orders again into the same queue names.
func (r *ShopifyInstanceReconciler) importOrders(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) error {
	st := &inst.Status
	start := time.Now()
	w := schedule.NextWindow(inst.Spec.Orders, st.ImportWatermark, inst.CreationTimestamp.Time)
	var refs []shopify.OrderRef
	if err := conn.Shopify.BacklogOrderRefs(ctx, w.Filter(), func(o shopify.OrderRef) error {
		refs = append(refs, o)
		return nil
	}); err != nil {
		return fmt.Errorf("listing Shopify orders: %w", err)
	}
	queues, err := queuesOf(ctx, r.Client, inst.Namespace, inst.Name)
	if err != nil {
		return err
	}
	queued := map[string]bool{}
	for _, q := range queues {
		for _, l := range schedule.Lines(q.Spec.OrderIDs) {
			queued[l.ID] = true
		}
	}
	for _, q := range schedule.Queues(inst.Name, refs, inst.Spec.Orders, st.ImportWatermark, queued) {
		if err := createQueue(ctx, r.Client, inst, q, v1.SourceScheduled); err != nil {
			return err
		}
	}
	st.ImportWatermark = &metav1.Time{Time: schedule.Watermark(refs, start, st.ImportWatermark)}
	st.LastImportTime = &metav1.Time{Time: start}
	return nil
}

// count sums what the instance's queues report into the counters.
func (r *ShopifyInstanceReconciler) count(ctx context.Context, inst *v1.ShopifyInstance) error {
	queues, err := queuesOf(ctx, r.Client, inst.Namespace, inst.Name)
	if err != nil {
		return err
	}
	exports, err := exportsOf(ctx, r.Client, inst.Namespace, inst.Name)
	if err != nil {
		return err
	}
	var c v1.Counters
	for _, e := range exports {
		c.ProductsExported += int64(e.Status.Counts.Selected - e.Status.Counts.Failed)
	}
	for _, q := range queues {
		n := q.Status.Counts
		c.OrdersImported += int64(n.Done)
		c.Quotations += int64(n.Quotations)
		c.RiskyQuotations += int64(n.RiskyQuotations)
		c.SalesOrders += int64(n.SalesOrders)
		c.Invoices += int64(n.Invoices)
		c.Deliveries += int64(n.Deliveries)
		c.FailedLines += int64(n.Failed)
	}
	inst.Status.Counters = c
	return nil
}

// SetupWithManager watches instances (their spec and the run-now
// annotation, not their status), the metadata of Secrets, and the queues.
func (r *ShopifyInstanceReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.ShopifyInstance{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.instancesUsing)).
		Watches(&v1.OrderQueue{}, handler.EnqueueRequestsFromMapFunc(toInstance)).
		Watches(&v1.ProductExport{}, handler.EnqueueRequestsFromMapFunc(toInstance)).
		Named("shopifyinstance").
		Complete(r)
}

// instancesUsing maps a Secret to the instances of its namespace that name it.
func (r *ShopifyInstanceReconciler) instancesUsing(ctx context.Context, s client.Object) []reconcile.Request {
	var list v1.ShopifyInstanceList
	if err := r.List(ctx, &list, client.InNamespace(s.GetNamespace())); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, i := range list.Items {
		if i.Spec.Shopify.CredentialsSecretRef.Name == s.GetName() || i.Spec.Odoo.CredentialsSecretRef.Name == s.GetName() {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&i)})
		}
	}
	return out
}
