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
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// ShopifyInstanceReconciler checks both ends of an instance, then runs its
// steps when they are due, and sums its queues into the dashboard counters.
type ShopifyInstanceReconciler struct {
	client.Client
	Pool     *instance.Pool
	Recorder events.EventRecorder
	Limits   Limits
}

// Credentials are read uncached; the metadata watch needs list and watch.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch

// steps are what an instance does once both ends are connected, in the
// order they run.
func (r *ShopifyInstanceReconciler) steps() []step {
	return []step{{
		name: "Subscribe", condition: v1.ConditionWebhooksSubscribed, done: "Subscribed", failed: "SubscribeFailed",
		deadline: time.Minute, on: webhooksOn, interval: every(webhookResync),
		last: func(i *v1.ShopifyInstance) *metav1.Time {
			return lastOf(i.Status.Webhooks, func(w *v1.WebhooksStatus) *metav1.Time { return w.LastSyncTime })
		},
		run: r.syncWebhooks, off: func(st *v1.ShopifyInstanceStatus) { st.Webhooks = nil },
	}, {
		name: "ImportOrders", condition: v1.ConditionReady, done: instance.ReasonConnected, failed: "ImportFailed",
		deadline: r.Limits.Step, on: always, interval: func(i *v1.ShopifyInstance) time.Duration { return schedule.Interval(i.Spec.Orders) },
		last: func(i *v1.ShopifyInstance) *metav1.Time { return i.Status.LastImportTime },
		run:  r.importOrders, off: func(*v1.ShopifyInstanceStatus) {},
		waiting: func(i *v1.ShopifyInstance) bool { return i.Status.OrdersListing != nil },
	}, {
		name: "ExportStock", condition: v1.ConditionStockExported, done: "Exported", failed: "StockExportFailed",
		feature: shopify.FeatureStock, deadline: r.Limits.Step, on: func(i *v1.ShopifyInstance) bool { return i.Spec.Stock.Enabled },
		interval: stockInterval,
		last: func(i *v1.ShopifyInstance) *metav1.Time {
			return lastOf(i.Status.Stock, func(s *v1.StockStatus) *metav1.Time { return s.LastAttemptTime })
		},
		run: r.exportStock, off: func(st *v1.ShopifyInstanceStatus) { st.Stock = nil },
	}, {
		name: "ExportFulfillments", condition: v1.ConditionFulfillmentsExported, done: "Exported", failed: "FulfillmentExportFailed",
		feature: shopify.FeatureFulfillments, deadline: r.Limits.Step, on: fulfillmentsOn, interval: fulfillmentInterval,
		last: func(i *v1.ShopifyInstance) *metav1.Time {
			return lastOf(i.Status.Fulfillment, func(f *v1.FulfillmentStatus) *metav1.Time { return f.LastAttemptTime })
		},
		run: r.exportFulfillments, off: func(st *v1.ShopifyInstanceStatus) { st.Fulfillment = nil },
	}, {
		name: "ExportRefunds", condition: v1.ConditionRefundsExported, done: "Exported", failed: "RefundExportFailed",
		feature: shopify.FeatureFulfillments, deadline: r.Limits.Step, on: refundsOn, interval: fulfillmentInterval,
		last: func(i *v1.ShopifyInstance) *metav1.Time {
			return lastOf(i.Status.Refunds, func(s *v1.RefundsStatus) *metav1.Time { return s.LastAttemptTime })
		},
		run: r.exportRefunds, off: func(st *v1.ShopifyInstanceStatus) { st.Refunds = nil },
	}, {
		name: "ListPayouts", condition: v1.ConditionPayoutsListed, done: "Listed", failed: "PayoutsListFailed",
		feature: shopify.FeaturePayouts, deadline: r.Limits.Step, on: func(i *v1.ShopifyInstance) bool { return i.Spec.Payouts.Enabled },
		interval: payoutsInterval,
		last: func(i *v1.ShopifyInstance) *metav1.Time {
			return lastOf(i.Status.Payouts, func(p *v1.PayoutsStatus) *metav1.Time { return p.LastListTime })
		},
		run: r.listPayouts, off: func(st *v1.ShopifyInstanceStatus) { st.Payouts = nil },
	}, {
		name: "ScheduleImports", condition: v1.ConditionImportsScheduled, done: "Scheduled", failed: "ImportNotQueued",
		deadline: time.Minute, on: importsOn, interval: func(i *v1.ShopifyInstance) time.Duration { return soonestImport(i).interval },
		last: func(i *v1.ShopifyInstance) *metav1.Time { return *soonestImport(i).mark },
		run:  r.scheduleImports, off: func(st *v1.ShopifyInstanceStatus) { st.Imports = nil },
	}}
}

// every is the interval of a step that does not depend on the spec.
func every(d time.Duration) func(*v1.ShopifyInstance) time.Duration {
	return func(*v1.ShopifyInstance) time.Duration { return d }
}

// lastOf reads a step's last run from its status block, which may not exist yet.
func lastOf[T any](block *T, last func(*T) *metav1.Time) *metav1.Time {
	if block == nil {
		return nil
	}
	return last(block)
}

// Reconcile runs a pass and writes the status once.
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
	pass, cancel := r.Pool.Bind(ctx, req.NamespacedName)
	defer cancel()
	res, err := r.reconcile(pass, &inst)
	if st := &inst.Status; kstatus.Observed(st.Conditions, inst.Generation) {
		st.ObservedGeneration = inst.Generation
	}
	recordNotReady(r.Recorder, &inst, inst.Status.Conditions, old.Status.Conditions)
	if perr := patchStatus(ctx, r.Client, old, &inst, old.Status, inst.Status); perr != nil {
		return ctrl.Result{}, perr
	}
	return res, err
}

// reconcile stops a suspended instance before it calls anything, checks
// both ends, then runs the steps.
func (r *ShopifyInstanceReconciler) reconcile(ctx context.Context, inst *v1.ShopifyInstance) (ctrl.Result, error) {
	st := &inst.Status
	if inst.Spec.Suspend {
		kstatus.Suspend(&st.Conditions, inst.Generation, kstatus.ReasonSuspended,
			"spec.suspend is true: nothing is imported or exported and the instance's queues wait")
		return ctrl.Result{}, nil
	}
	kstatus.Resume(&st.Conditions)
	runNow, requested := kstatus.RunRequested(inst, st.LastHandledReconcileAt)
	conn, res, err := r.connect(ctx, inst, requested)
	if conn == nil {
		return res, err
	}
	next, all, err := r.runSteps(ctx, inst, conn, requested)
	if err != nil {
		return ctrl.Result{}, err
	}
	if requested && all {
		st.LastHandledReconcileAt = runNow
	}
	return ctrl.Result{RequeueAfter: time.Until(next)}, nil
}

// connect checks both ends, the pool keeping a check that passed for
// recheck, and says in the status what each end said. It returns no
// connection while the instance cannot go on, and how the pass ends then.
func (r *ShopifyInstanceReconciler) connect(ctx context.Context, inst *v1.ShopifyInstance, requested bool) (*instance.Conn, ctrl.Result, error) {
	st, gen := &inst.Status, inst.Generation
	cctx, cancel := context.WithTimeout(ctx, r.Limits.Check)
	defer cancel()
	conn, err := r.Pool.Check(cctx, inst, requested)
	if err != nil {
		return nil, ctrl.Result{}, err
	}
	if p := connected(inst, conn); p != nil {
		if p.Stalled {
			kstatus.Stalled(&st.Conditions, gen, p.Reason, p.Message)
			return nil, ctrl.Result{}, nil
		}
		kstatus.Failed(&st.Conditions, gen, p.Reason, p.Message)
		return nil, ctrl.Result{}, p // retried with backoff
	}
	r.customerData(inst, conn)
	if w := st.Webhooks; w != nil && w.AppUninstalledAt != nil {
		if !conn.CheckedAt().After(w.AppUninstalledAt.Time) {
			appUninstalled(inst)
			return nil, ctrl.Result{RequeueAfter: recheck}, nil
		}
		w.AppUninstalledAt, w.LastSyncTime = nil, nil // reinstalled: subscribe again
	}
	return conn, ctrl.Result{}, nil
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
func (r *ShopifyInstanceReconciler) importOrders(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	st := &inst.Status
	start := time.Now()
	st.LastImportTime = &metav1.Time{Time: start}
	if l := st.OrdersListing; l != nil {
		start = l.StartedAt.Time // what changed since comes with the next listing
	}
	w := schedule.NextWindow(inst.Spec.Orders, st.ImportWatermark, inst.CreationTimestamp.Time)
	refs, done, err := listOrders(ctx, conn.Shopify, w.Filter(), &st.OrdersListing, r.Limits.Bulk)
	switch {
	case err != nil:
		return "", fmt.Errorf("listing Shopify orders: %w", err)
	case !done:
		return fmt.Sprintf("both ends connected; listing the orders in Shopify bulk operation %s, running since %s",
			st.OrdersListing.ID, st.OrdersListing.StartedAt.UTC().Format(time.RFC3339)), nil
	}
	queues, err := queuesOf(ctx, r.Client, inst.Namespace, inst.Name)
	if err != nil {
		return "", err
	}
	queued := map[string]bool{}
	for _, q := range queues {
		for _, l := range schedule.Lines(q.Spec.OrderIDs) {
			queued[l.ID] = true
		}
	}
	for _, q := range schedule.Queues(inst.Name, refs, inst.Spec.Orders, st.ImportWatermark, queued) {
		if err := createQueue(ctx, r.Client, inst, q, v1.SourceScheduled); err != nil {
			return "", err
		}
	}
	st.ImportWatermark = &metav1.Time{Time: schedule.Watermark(refs, start, st.ImportWatermark)}
	if err := r.reviewRisky(ctx, inst, conn); err != nil {
		return "", err
	}
	return "both ends connected; importing orders every " + schedule.Interval(inst.Spec.Orders).String(), nil
}

// SetupWithManager watches instances (their spec, the run-now annotation
// and the receiver's news of an uninstalled app, not the rest of their
// status), the labelled Secrets, from the informer the credentials are
// read from (so an event never comes before the Secret is readable), and
// queues as they finish, which may
// have learnt that Shopify withholds customer data. The counters are fed by
// the queues and exports themselves, and wake it for nothing.
func (r *ShopifyInstanceReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.ShopifyInstance{}, builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{},
			predicate.AnnotationChangedPredicate{}, uninstalledChanged))).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.instancesUsing)).
		Watches(&v1.OrderQueue{}, handler.EnqueueRequestsFromMapFunc(toInstance), builder.WithPredicates(queueFinished)).
		Watches(&v1.ShopifyInstance{}, r.cancelDeleted()).
		WithOptions(opts).
		Named("shopifyinstance").
		Complete(r)
}

// cancelDeleted cancels the work of an instance as soon as it is deleted,
// or marked for deletion: the pass that would see it gone may wait behind
// that very work.
func (r *ShopifyInstanceReconciler) cancelDeleted() handler.EventHandler {
	forget := func(o client.Object) { r.Pool.Forget(client.ObjectKeyFromObject(o)) }
	return handler.Funcs{
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, _ workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if !e.ObjectNew.GetDeletionTimestamp().IsZero() {
				forget(e.ObjectNew)
			}
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, _ workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			forget(e.Object)
		},
	}
}

// uninstalledChanged passes the updates where the receiver recorded that
// the app was uninstalled.
var uninstalledChanged = predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
	at := func(o client.Object) *metav1.MicroTime {
		if w := o.(*v1.ShopifyInstance).Status.Webhooks; w != nil {
			return w.AppUninstalledAt
		}
		return nil
	}
	return !at(e.ObjectOld).Equal(at(e.ObjectNew))
}}

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
