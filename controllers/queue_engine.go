package controllers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// errListing: a worker lists a queue's ids over passes, and the queue
// waits for it.
var errListing = errors.New("listing")

// ReasonLinesFailed: lines of a queue failed.
const ReasonLinesFailed = "LinesFailed"

// queueWorker does what is particular to one kind of queue, as Crossplane's
// ExternalClient does for a managed resource. The queue engine does the
// rest: lines, attempts, backoff, phases, conditions, events, the size
// check, retries asked for, the instance's totals and retention.
type queueWorker[Q client.Object] interface {
	object() Q
	objects() client.ObjectList
	parts(q Q) queueParts
	// settings are the instance's settings of the kind.
	settings(inst *v1.ShopifyInstance) v1.QueueSettings
	// ids are the Shopify ids the spec names, or those Shopify lists
	// (listed) for a spec naming a window or all; errListing while a
	// listing runs over passes.
	ids(ctx context.Context, q Q, conn *instance.Conn) (ids []string, listed bool, err error)
	// child is a new queue of the listed ids a queue does not keep.
	child(q Q, name string, ids []string) Q
	draft(q Q, ids []string)
	// work tries the lines with ids in one batch and records in them what
	// became of each (queue.Record).
	work(ctx context.Context, q Q, inst *v1.ShopifyInstance, conn *instance.Conn, ids []string)
	// count sets the queue's counts and returns what they add to the
	// instance's totals.
	count(q Q, c v1.LineCounts) v1.Counters
	// completed is the Ready message of a completed queue.
	completed(q Q, c v1.LineCounts) string
}

// queueParts are what the engine reads and writes of a queue.
type queueParts struct {
	status   *v1.QueueStatus
	lines    []*v1.LineStatus
	instance string
	suspend  bool
	feature  shopify.Feature // whose access scopes the queue needs
	noun     string          // what the lines hold: orders, products, customers
}

// queueEngine reconciles the queues of one kind.
type queueEngine[Q client.Object] struct {
	client.Client
	Live     client.Reader // uncached, for the instance's totals
	Pool     *instance.Pool
	Recorder events.EventRecorder
	Limits   Limits
	name     string
	worker   queueWorker[Q]
}

// Reconcile runs one pass and writes the status once.
func (e *queueEngine[Q]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	q := e.worker.object()
	if err := e.Get(ctx, req.NamespacedName, q); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	old := q.DeepCopyObject().(Q)
	inst := client.ObjectKey{Namespace: q.GetNamespace(), Name: e.worker.parts(q).instance}
	pass, cancel := passContext(ctx, e.Pool, inst, e.Limits.Step)
	defer cancel()
	res, err := e.reconcile(pass, q)
	recordNotReady(e.Recorder, q, e.worker.parts(q).status.Conditions, e.worker.parts(old).status.Conditions)
	if perr := patchStatus(ctx, e.Client, old, q, old, q); perr != nil {
		return ctrl.Result{}, perr
	}
	return res, err
}

func (e *queueEngine[Q]) reconcile(ctx context.Context, q Q) (ctrl.Result, error) {
	p := e.worker.parts(q)
	st, gen := p.status, q.GetGeneration()
	if p.suspend {
		msg := "spec.suspend is true: the queue waits"
		kstatus.Set(&st.Conditions, gen, v1.ConditionSuspended, metav1.ConditionTrue, "Suspended", msg)
		kstatus.Failed(&st.Conditions, gen, "Suspended", msg)
		st.ObservedGeneration = gen
		return ctrl.Result{}, nil
	}
	meta.RemoveStatusCondition(&st.Conditions, v1.ConditionSuspended)
	if v, ok := kstatus.RunRequested(q, st.LastHandledReconcileAt); ok {
		st.LastHandledReconcileAt = v
		if queue.Finished(st.Phase) && queue.RetryFailed(p.lines) > 0 {
			st.Phase = v1.PhaseProcessing
			st.Attempt++
		}
	}
	if queue.Finished(st.Phase) {
		st.ObservedGeneration = gen
		return e.finish(ctx, q)
	}
	key := client.ObjectKey{Namespace: q.GetNamespace(), Name: p.instance}
	inst, conn, res, err := instanceOf(ctx, e.Client, e.Pool, key, "the queue", p.feature, &st.Conditions, gen)
	if res != nil {
		if meta.IsStatusConditionTrue(st.Conditions, v1.ConditionStalled) {
			st.ObservedGeneration = gen
		}
		return *res, err
	}
	if st.Phase == "" {
		if ok, err := e.start(ctx, q, inst, conn); errors.Is(err, errListing) {
			kstatus.Progressing(&st.Conditions, gen, ReasonListing, err.Error())
			return ctrl.Result{RequeueAfter: bulkPoll}, nil
		} else if err != nil {
			kstatus.Retrying(&st.Conditions, gen, "ListingFailed", err.Error())
			return ctrl.Result{}, err
		} else if !ok {
			st.ObservedGeneration = gen
			return ctrl.Result{}, nil
		}
		p = e.worker.parts(q)
	}
	if ids, _ := queue.Due(p.lines, st.LastAttemptTime, time.Now()); len(ids) > 0 {
		e.worker.work(ctx, q, inst, conn, ids)
		for _, l := range p.lines {
			if l.State == v1.LineFailed && slices.Contains(ids, l.ID) {
				e.Recorder.Eventf(q, nil, corev1.EventTypeWarning, "ImportFailed", "Import", "%s: %s", cmp.Or(l.Name, l.ID), l.Message)
			}
		}
		st.Passes++
		st.LastAttemptTime = &metav1.Time{Time: time.Now()}
	}
	st.ObservedGeneration = gen
	if e.settle(q); queue.Finished(st.Phase) {
		return e.finish(ctx, q)
	}
	if _, next := queue.Due(p.lines, st.LastAttemptTime, time.Now()); !next.IsZero() {
		return ctrl.Result{RequeueAfter: time.Until(next)}, nil
	}
	return ctrl.Result{}, nil
}

// start makes the draft lines, and says whether it could. A window or all
// is resolved into the ids Shopify lists: the queue keeps the first
// queueSize, and queues named after it take the rest. Ids named in the
// spec are held to the size here only, so that lowering it leaves queues
// in flight alone.
func (e *queueEngine[Q]) start(ctx context.Context, q Q, inst *v1.ShopifyInstance, conn *instance.Conn) (bool, error) {
	p := e.worker.parts(q)
	size := queue.Size(e.worker.settings(inst))
	ids, listed, err := e.worker.ids(ctx, q, conn)
	if err != nil {
		return false, err
	}
	if n := len(ids); !listed && n > size {
		kstatus.Stalled(&p.status.Conditions, q.GetGeneration(), "TooMany"+title(p.noun), fmt.Sprintf(
			"%d %s, more than the %d of the instance's queueSize: split them into more queues", n, p.noun, size))
		return false, nil
	}
	ids, children := queue.Split(q.GetName(), ids, size)
	for _, c := range children {
		if err := createOwned(ctx, e.Client, inst, e.worker.child(q, c.Name, c.IDs)); err != nil {
			return false, err
		}
	}
	e.worker.draft(q, ids)
	p.status.Phase, p.status.Attempt = v1.PhaseDraft, 1
	return true, nil
}

func title(s string) string { return string(s[0]-'a'+'A') + s[1:] }

// settle derives the phase, counts and conditions from the lines.
func (e *queueEngine[Q]) settle(q Q) (queue.Summary, v1.Counters) {
	p := e.worker.parts(q)
	st, gen := p.status, q.GetGeneration()
	sum := queue.Summarize(p.lines)
	totals, c := e.worker.count(q, sum.Counts), sum.Counts
	attention := ""
	if len(sum.Attention) > 0 {
		attention = queue.AttentionMessage(p.noun, sum.Attention)
		kstatus.Set(&st.Conditions, gen, v1.ConditionNeedsAttention, metav1.ConditionTrue, ReasonLinesFailed, attention)
	} else {
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionNeedsAttention)
	}
	switch progress := fmt.Sprintf("%d of %d %s imported", c.Done, c.Total, p.noun); {
	case sum.Phase == v1.PhaseCompleted:
		msg := e.worker.completed(q, c)
		kstatus.Ready(&st.Conditions, gen, "Completed", msg)
		if st.Phase != v1.PhaseCompleted {
			e.Recorder.Eventf(q, nil, corev1.EventTypeNormal, "Completed", "Import", "%s", msg)
		}
	case sum.Phase != v1.PhaseProcessing:
		kstatus.Stalled(&st.Conditions, gen, ReasonLinesFailed, attention)
	case c.Failed > 0:
		kstatus.Retrying(&st.Conditions, gen, ReasonLinesFailed, fmt.Sprintf("%s; %d failed and are retried", progress, c.Failed))
	default:
		kstatus.Progressing(&st.Conditions, gen, "Processing", progress)
	}
	st.Phase = sum.Phase
	return sum, totals
}

// finish adds a finished queue's results to the instance's totals, once,
// and deletes the queue after the instance's retention.
func (e *queueEngine[Q]) finish(ctx context.Context, q Q) (ctrl.Result, error) {
	p := e.worker.parts(q)
	sum, totals := e.settle(q)
	if p.status.Attempt == 0 {
		// Queues finished before the totals were kept were summed into them.
		p.status.Attempt, p.status.Counted = 1, &totals
	}
	var inst v1.ShopifyInstance
	key := client.ObjectKey{Namespace: q.GetNamespace(), Name: p.instance}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		inst = v1.ShopifyInstance{}
		if err := e.Live.Get(ctx, key, &inst); err != nil {
			return err
		}
		return e.account(ctx, q, &inst, totals)
	})
	if client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, fmt.Errorf("adding the queue to the instance's totals: %w", err)
	}
	at := queue.Expiry(e.worker.settings(&inst), p.status.LastAttemptTime, len(sum.Attention) > 0)
	if wait := time.Until(at); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	uid := q.GetUID()
	return ctrl.Result{}, client.IgnoreNotFound(e.Delete(ctx, q, client.Preconditions{UID: &uid}))
}

// account adds to the instance's totals what the queue's lines came to
// since it last did. The instance remembers the attempts it added, in the
// same write, so that a pass repeated after the queue's status could not
// be written adds nothing twice; optimistic locking keeps queues finishing
// together from losing each other's writes.
func (e *queueEngine[Q]) account(ctx context.Context, q Q, inst *v1.ShopifyInstance, totals v1.Counters) error {
	st := e.worker.parts(q).status
	if st.Counted != nil && *st.Counted == totals {
		return nil
	}
	mark := fmt.Sprintf("%s/%d", q.GetUID(), st.Attempt)
	if !slices.Contains(inst.Status.CountedQueues, mark) {
		base := inst.DeepCopy()
		queue.Add(&inst.Status.Counters, totals, ptr.Deref(st.Counted, v1.Counters{}))
		inst.Status.CountedQueues = queue.Mark(inst.Status.CountedQueues, mark)
		if err := e.Status().Patch(ctx, inst, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
			return err
		}
	}
	st.Counted = &totals
	return nil
}

// setup indexes the queues by instance and watches them (their spec and
// the requested-at annotation, not their status) and the instances, so
// that queues waiting for an instance go on when it appears, becomes ready
// or is resumed.
func (e *queueEngine[Q]) setup(mgr ctrl.Manager, opts controller.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), e.worker.object(), instanceField, func(o client.Object) []string {
		return []string{e.worker.parts(o.(Q)).instance}
	}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(e.worker.object(), builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&v1.ShopifyInstance{}, handler.EnqueueRequestsFromMapFunc(e.queuesOf),
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, readyChanged))).
		WithOptions(opts).
		Named(e.name).
		Complete(e)
}

func (e *queueEngine[Q]) queuesOf(ctx context.Context, inst client.Object) []reconcile.Request {
	list := e.worker.objects()
	if err := e.List(ctx, list, client.InNamespace(inst.GetNamespace()), client.MatchingFields{instanceField: inst.GetName()}); err != nil {
		return nil
	}
	var out []reconcile.Request
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if q := o.(Q); !queue.Finished(e.worker.parts(q).status.Phase) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(q)})
		}
		return nil
	})
	return out
}
