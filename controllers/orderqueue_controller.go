package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// OrderQueueReconciler imports the orders of a queue into Odoo.
type OrderQueueReconciler struct {
	client.Client
	Pool     *instance.Pool
	Recorder events.EventRecorder
	Limits   Limits
}

// Reasons of an OrderQueue's conditions.
const (
	ReasonTooManyOrders = "TooManyOrders"
	ReasonLinesFailed   = "LinesFailed"
)

// Reconcile runs one processing pass and writes the status once.
func (r *OrderQueueReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var q v1.OrderQueue
	if err := r.Get(ctx, req.NamespacedName, &q); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if finished(q.Status.Phase) {
		return ctrl.Result{}, nil
	}
	old := q.DeepCopy()
	pass, cancel := passContext(ctx, r.Pool, client.ObjectKey{Namespace: q.Namespace, Name: q.Spec.InstanceRef.Name}, r.Limits.Step)
	defer cancel()
	res, err := r.reconcile(pass, &q)
	recordNotReady(r.Recorder, &q, q.Status.Conditions, old.Status.Conditions)
	if perr := patchStatus(ctx, r.Client, old, &q, old.Status, q.Status); perr != nil {
		return ctrl.Result{}, perr
	}
	return res, err
}

// finished phases have no line left to try.
func finished(p v1.QueuePhase) bool {
	return p == v1.PhaseCompleted || p == v1.PhaseFailed || p == v1.PhasePartiallyCompleted
}

func (r *OrderQueueReconciler) reconcile(ctx context.Context, q *v1.OrderQueue) (ctrl.Result, error) {
	st, gen := &q.Status, q.Generation
	st.ObservedGeneration = gen
	key := client.ObjectKey{Namespace: q.Namespace, Name: q.Spec.InstanceRef.Name}
	inst, conn, res, err := instanceOf(ctx, r.Client, r.Pool, key, "the queue", shopify.FeatureOrders, &st.Conditions, gen)
	if res != nil {
		return *res, err
	}
	size := schedule.QueueSize(inst.Spec.Orders)
	if n := len(q.Spec.OrderIDs); n > size {
		kstatus.Stalled(&st.Conditions, gen, ReasonTooManyOrders, fmt.Sprintf(
			"%d orders, more than the %d of the instance's queueSize: split them into more queues", n, size))
		return ctrl.Result{}, nil
	}
	if st.Phase == "" {
		if err := r.start(ctx, q, inst, conn.Shopify, size); err != nil {
			kstatus.Failed(&st.Conditions, gen, "WindowNotResolved", err.Error())
			return ctrl.Result{}, err
		}
		if l := st.WindowListing; l != nil {
			kstatus.Progressing(&st.Conditions, gen, ReasonListing, "listing the orders of the window in Shopify bulk operation "+l.ID)
			return ctrl.Result{RequeueAfter: bulkPoll}, nil
		}
	}
	return r.process(ctx, q, inst, conn), nil
}

// start makes the draft lines. A window is resolved into the orders
// updated within it: the queue keeps the first queueSize, and queues named
// after it take the rest. A long window is listed over passes, and makes
// no line until it is listed.
func (r *OrderQueueReconciler) start(ctx context.Context, q *v1.OrderQueue, inst *v1.ShopifyInstance, c *shopify.Client, size int) error {
	ids := q.Spec.OrderIDs
	if w := q.Spec.Window; w != nil {
		f := shopify.OrderFilter{UpdatedAtMin: w.From.Time, UpdatedAtMax: w.To.Time}
		refs, done, err := listOrders(ctx, c, f, &q.Status.WindowListing, r.Limits.Bulk)
		switch {
		case err != nil:
			return fmt.Errorf("listing the orders of the window: %w", err)
		case !done:
			return nil
		}
		schedule.Sort(refs)
		ids = nil
		for _, o := range refs {
			ids = append(ids, o.LegacyResourceID)
		}
		var children []schedule.Queue
		ids, children = schedule.Children(q.Name, q.Spec.Type, ids, size)
		for _, child := range children {
			if err := createQueue(ctx, r.Client, inst, child, v1.SourceManual); err != nil {
				return err
			}
		}
	}
	q.Status.Lines = schedule.Lines(ids)
	q.Status.Phase = v1.PhaseDraft
	return nil
}

// process imports the lines due in one batch, records what became of
// them, and requeues for the next retry.
func (r *OrderQueueReconciler) process(ctx context.Context, q *v1.OrderQueue, inst *v1.ShopifyInstance, conn *instance.Conn) ctrl.Result {
	st, gen := &q.Status, q.Generation
	if ids, _ := schedule.Due(*st, time.Now()); len(ids) > 0 {
		im := importer.Importer{Shopify: conn.Shopify, Odoo: conn.Odoo, Cache: conn.Cache,
			Settings:  importer.Settings{Shop: inst.Spec.Shopify.Shop, Odoo: inst.Spec.Odoo, Orders: inst.Spec.Orders},
			AllOrders: shopify.HasScope(conn.Shop.AccessScopes, shopify.ScopeAllOrders)}
		results, err := im.Import(ctx, ids)
		var failed []v1.QueueLine
		if err != nil {
			failed = schedule.Fail(st.Lines, ids, err.Error())
		} else {
			failed = schedule.Record(st.Lines, results)
		}
		for _, l := range failed {
			r.Recorder.Eventf(q, nil, corev1.EventTypeWarning, "ImportFailed", "Import", "%s", l.Message)
		}
		metrics.QueueLines(metrics.Instance(q.Namespace, inst.Name), linesOf(st.Lines, ids))
		st.Attempts++
		st.LastAttemptTime = &metav1.Time{Time: time.Now()}
	}
	sum := schedule.Summarize(st.Lines)
	st.Counts = sum.Counts
	c, pass := sum.Counts, queuePass{phase: sum.Phase}
	if len(sum.Attention) > 0 {
		pass.attention = schedule.AttentionMessage(sum.Attention)
	}
	pass.completed = fmt.Sprintf("%d orders: %d imported, %d cancelled, %d skipped", c.Total, c.Done, c.Cancelled, c.Skipped)
	pass.progress = fmt.Sprintf("%d of %d orders imported; %d failed and are retried", c.Done, c.Total, c.Failed)
	setQueueStatus(r.Recorder, q, &st.Conditions, gen, &st.Phase, pass)
	if _, next := schedule.Due(*st, time.Now()); !next.IsZero() {
		return ctrl.Result{RequeueAfter: time.Until(next)}
	}
	return ctrl.Result{}
}

// linesOf returns the lines with the given ids.
func linesOf(lines []v1.QueueLine, ids []string) []v1.QueueLine {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var out []v1.QueueLine
	for _, l := range lines {
		if want[l.ID] {
			out = append(out, l)
		}
	}
	return out
}

// SetupWithManager watches queues (their spec, not their status) and the
// instances they belong to, so that queues waiting for an instance go on
// when it appears, becomes ready or is resumed.
func (r *OrderQueueReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	metrics.WatchQueues(mgr.GetCache())
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.OrderQueue{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.ShopifyInstance{}, handler.EnqueueRequestsFromMapFunc(r.queuesOf),
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, readyChanged))).
		WithOptions(opts).
		Named("orderqueue").
		Complete(r)
}

// readyChanged passes instance updates that change the Ready condition.
var readyChanged = predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
	ready := func(o client.Object) metav1.ConditionStatus {
		if c := meta.FindStatusCondition(o.(*v1.ShopifyInstance).Status.Conditions, v1.ConditionReady); c != nil {
			return c.Status
		}
		return ""
	}
	return ready(e.ObjectOld) != ready(e.ObjectNew)
}}

func (r *OrderQueueReconciler) queuesOf(ctx context.Context, inst client.Object) []reconcile.Request {
	queues, err := queuesOf(ctx, r.Client, inst.GetNamespace(), inst.GetName())
	if err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, q := range queues {
		if !finished(q.Status.Phase) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&q)})
		}
	}
	return out
}
