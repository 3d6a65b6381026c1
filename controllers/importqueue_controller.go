package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=importqueues,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=importqueues/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=importqueues/finalizers,verbs=update

// ImportQueueReconciler imports the products or customers of a queue into Odoo.
type ImportQueueReconciler struct {
	client.Client
	Pool     *instance.Pool
	Recorder events.EventRecorder
	Limits   Limits
}

// ReasonTooManyRecords: an ImportQueue names more ids than the queue size.
const ReasonTooManyRecords = "TooManyRecords"

// Reconcile runs one processing pass and writes the status once.
func (r *ImportQueueReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var q v1.ImportQueue
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

// importFeature is the feature whose access scopes an import needs.
var importFeature = map[v1.ImportResource]shopify.Feature{v1.ImportProducts: shopify.FeatureProducts, v1.ImportCustomers: shopify.FeatureCustomers}

func (r *ImportQueueReconciler) reconcile(ctx context.Context, q *v1.ImportQueue) (ctrl.Result, error) {
	st, gen := &q.Status, q.Generation
	st.ObservedGeneration = gen
	key := client.ObjectKey{Namespace: q.Namespace, Name: q.Spec.InstanceRef.Name}
	inst, conn, res, err := instanceOf(ctx, r.Client, r.Pool, key, "the queue", importFeature[q.Spec.Resource], &st.Conditions, gen)
	if res != nil {
		return *res, err
	}
	size := schedule.QueueSize(inst.Spec.Orders)
	if n := len(q.Spec.IDs); n > size {
		kstatus.Stalled(&st.Conditions, gen, ReasonTooManyRecords, fmt.Sprintf(
			"%d ids, more than the %d of the instance's queueSize: split them into more queues", n, size))
		return ctrl.Result{}, nil
	}
	if st.Phase == "" {
		if err := r.start(ctx, q, inst, conn.Shopify, size); err != nil {
			kstatus.Failed(&st.Conditions, gen, "ListingFailed", err.Error())
			return ctrl.Result{}, err
		}
	}
	return r.process(ctx, q, inst, conn), nil
}

// start makes the draft lines. All and a window are resolved into the ids
// Shopify lists: the queue keeps the first queueSize, and queues named after
// it take the rest.
func (r *ImportQueueReconciler) start(ctx context.Context, q *v1.ImportQueue, inst *v1.ShopifyInstance, c *shopify.Client, size int) error {
	ids := q.Spec.IDs
	if q.Spec.All || q.Spec.Window != nil {
		var query string
		if w := q.Spec.Window; w != nil {
			query = shopify.UpdatedQuery(w.From.Time, w.To.Time)
		}
		list := c.ProductRefs
		if q.Spec.Resource == v1.ImportCustomers {
			list = c.CustomerRefs
		}
		if err := list(ctx, query, func(rec shopify.Record) error {
			ids = append(ids, rec.LegacyResourceID)
			return nil
		}); err != nil {
			return fmt.Errorf("listing the %s to import: %w", strings.ToLower(string(q.Spec.Resource)), err)
		}
		var children []schedule.Queue
		ids, children = schedule.SplitIDs(q.Name, ids, size)
		for _, child := range children {
			spec := v1.ImportQueueSpec{InstanceRef: q.Spec.InstanceRef, Resource: q.Spec.Resource, Source: q.Spec.Source, IDs: child.OrderIDs}
			if _, err := createImportQueue(ctx, r.Client, inst, child.Name, spec); err != nil {
				return err
			}
		}
	}
	q.Status.Lines = schedule.ImportLines(ids)
	q.Status.Phase = v1.PhaseDraft
	return nil
}

// process imports the lines due in one batch, records what became of
// them, and requeues for the next retry.
func (r *ImportQueueReconciler) process(ctx context.Context, q *v1.ImportQueue, inst *v1.ShopifyInstance, conn *instance.Conn) ctrl.Result {
	st, gen := &q.Status, q.Generation
	what := strings.ToLower(string(q.Spec.Resource))
	if ids, _ := schedule.DueImports(*st, time.Now()); len(ids) > 0 {
		im := catalogimport.Importer{Shopify: conn.Shopify, Odoo: conn.Odoo, Cache: conn.Cache,
			Settings:        importer.Settings{Shop: inst.Spec.Shopify.Shop, Odoo: inst.Spec.Odoo, Orders: inst.Spec.Orders},
			ProductSettings: inst.Spec.Products.Import}
		run := im.Products
		if q.Spec.Resource == v1.ImportCustomers {
			run = im.Customers
		}
		results, err := run(ctx, ids)
		var failed []v1.ImportLine
		if err != nil {
			failed = schedule.FailImports(st.Lines, ids, err.Error())
		} else {
			failed = schedule.RecordImports(st.Lines, results)
		}
		for _, l := range failed {
			r.Recorder.Eventf(q, nil, corev1.EventTypeWarning, "ImportFailed", "Import", "%s: %s", l.ID, l.Message)
		}
		st.Attempts++
		st.LastAttemptTime = &metav1.Time{Time: time.Now()}
	}
	sum := schedule.SummarizeImports(st.Lines)
	st.Counts = sum.Counts
	c, pass := sum.Counts, queuePass{phase: sum.Phase}
	if len(sum.Attention) > 0 {
		pass.attention = schedule.ImportAttentionMessage(q.Spec.Resource, sum.Attention)
	}
	pass.completed = fmt.Sprintf("%d %s: %d imported, %d no longer in Shopify", c.Total, what, c.Done, c.Total-c.Done)
	pass.progress = fmt.Sprintf("%d of %d %s imported; %d failed and are retried", c.Done, c.Total, what, c.Failed)
	setQueueStatus(r.Recorder, q, &st.Conditions, gen, &st.Phase, pass)
	if _, next := schedule.DueImports(*st, time.Now()); !next.IsZero() {
		return ctrl.Result{RequeueAfter: time.Until(next)}
	}
	return ctrl.Result{}
}

// SetupWithManager watches queues (their spec, not their status) and the
// instances they belong to, so that queues waiting for an instance go on
// when it appears, becomes ready or is resumed.
func (r *ImportQueueReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.ImportQueue{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.ShopifyInstance{}, handler.EnqueueRequestsFromMapFunc(r.queuesOf),
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, readyChanged))).
		WithOptions(opts).
		Named("importqueue").
		Complete(r)
}

func (r *ImportQueueReconciler) queuesOf(ctx context.Context, inst client.Object) []reconcile.Request {
	var list v1.ImportQueueList
	if err := r.List(ctx, &list, client.InNamespace(inst.GetNamespace()), client.MatchingFields{instanceField: inst.GetName()}); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, q := range list.Items {
		if !finished(q.Status.Phase) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&q)})
		}
	}
	return out
}
