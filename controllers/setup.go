package controllers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/egress"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shard"
)

// Options tune the controllers.
type Options struct {
	// QueueConcurrency is how many queues import at once; default 2.
	QueueConcurrency int
	// InstanceConcurrency, ExportConcurrency and PayoutConcurrency are the
	// workers of instances (default 50), product exports and payout
	// reports (default 2 each).
	InstanceConcurrency, ExportConcurrency, PayoutConcurrency int
	// Limits bound the work of one pass.
	Limits Limits
	// Webhooks configure the webhook receiver.
	Webhooks WebhookOptions
	// Egress is where the clients may connect and fetch files.
	Egress egress.Policy
	// AllowEndpointOverride lets instances set spec.shopify.endpoint: for
	// simulators and tests only.
	AllowEndpointOverride bool
	// Shard is the --watch-label-selector the manager's cache was given
	// (ShardCache); nil or empty when the manager is not sharded.
	Shard labels.Selector
}

// recheck is how long a passed check of both ends holds.
const recheck = 10 * time.Minute

// instanceField indexes queues by the instance they belong to.
const instanceField = "spec.instanceRef.name"

// Setup registers the controllers with the manager.
func Setup(mgr ctrl.Manager, opts Options) error {
	for _, obj := range []client.Object{&v1.ProductExport{}, &v1.PayoutReport{}} {
		if err := mgr.GetFieldIndexer().IndexField(context.Background(), obj, instanceField, func(o client.Object) []string {
			return []string{instanceName(o)}
		}); err != nil {
			return err
		}
	}
	pool := instance.NewPool(mgr.GetClient(), mgr.GetAPIReader(), recheck)
	pool.Egress = opts.Egress
	pool.AllowEndpoint = opts.AllowEndpointOverride
	limits := opts.Limits.withDefaults()
	si := &ShopifyInstanceReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("shopifyinstance-controller"), Limits: limits}
	if err := si.SetupWithManager(mgr, workers(opts.InstanceConcurrency, 50)); err != nil {
		return fmt.Errorf("ShopifyInstance controller: %w", err)
	}
	metrics.Watch(mgr.GetCache())
	for _, k := range queueKinds(mgr, pool, limits) {
		if err := k.setup(mgr, workers(opts.QueueConcurrency, 2)); err != nil {
			return err
		}
	}
	pr := &PayoutReportReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("payoutreport-controller"), Limits: limits}
	if err := pr.SetupWithManager(mgr, workers(opts.PayoutConcurrency, 2)); err != nil {
		return fmt.Errorf("PayoutReport controller: %w", err)
	}
	pe := &ProductExportReconciler{Client: mgr.GetClient(), Live: mgr.GetAPIReader(), Pool: pool, Recorder: mgr.GetEventRecorder("productexport-controller"), Limits: limits}
	if err := pe.SetupWithManager(mgr, workers(opts.ExportConcurrency, 2)); err != nil {
		return fmt.Errorf("ProductExport controller: %w", err)
	}
	sharded := opts.Shard != nil && !opts.Shard.Empty()
	if sharded {
		if err := setupFollowers(mgr); err != nil {
			return fmt.Errorf("shard followers: %w", err)
		}
	}
	return setupWebhooks(mgr, opts.Webhooks, pool, sharded)
}

// workers are a controller's options: n workers (def when n is not set),
// and retries that back off per object only, from 5ms to 5m. The default
// limiter adds a bucket all objects share, so that one object's failures
// would delay the others.
func workers(n, def int) controller.Options {
	if n <= 0 {
		n = def
	}
	return controller.Options{MaxConcurrentReconciles: n,
		RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 5*time.Minute)}
}

// instanceName is the instance a queue, an export or a report works through.
func instanceName(o client.Object) string {
	switch o := o.(type) {
	case *v1.OrderQueue:
		return o.Spec.InstanceRef.Name
	case *v1.ProductExport:
		return o.Spec.InstanceRef.Name
	case *v1.PayoutReport:
		return o.Spec.InstanceRef.Name
	}
	return ""
}

// toInstance maps a queue or an export to its instance.
func toInstance(_ context.Context, o client.Object) []reconcile.Request {
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: instanceName(o)}}}
}

// exportsOf lists the product exports of an instance from the cache. They
// are the cache's own objects, not copies: read them, never change them.
func exportsOf(ctx context.Context, c client.Client, ns, name string) ([]v1.ProductExport, error) {
	var list v1.ProductExportList
	err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingFields{instanceField: name}, client.UnsafeDisableDeepCopy)
	return list.Items, err
}

// queuesOf lists the queues of an instance from the cache, uncopied as
// exportsOf does: a shop's history of queues is large, and the instance
// reads it at every queue change.
func queuesOf(ctx context.Context, c client.Client, ns, name string) ([]v1.OrderQueue, error) {
	var list v1.OrderQueueList
	err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingFields{instanceField: name}, client.UnsafeDisableDeepCopy)
	return list.Items, err
}

// createQueue creates a queue of the instance's orders, owned by the
// instance. A queue that exists already was created by an earlier run
// interrupted before it could record so.
func createQueue(ctx context.Context, c client.Client, inst *v1.ShopifyInstance, q schedule.Queue, source v1.QueueSource) error {
	oq := &v1.OrderQueue{
		ObjectMeta: metav1.ObjectMeta{Name: q.Name, Namespace: inst.Namespace},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: inst.Name}, Type: q.Type, Source: source,
			OrderIDs: q.OrderIDs},
	}
	return createOwned(ctx, c, inst, oq)
}

// createOwned creates obj in the instance's namespace, owned and labelled
// by the instance. One that exists already was created by an earlier run
// interrupted before it could record so.
func createOwned(ctx context.Context, c client.Client, inst *v1.ShopifyInstance, obj client.Object) error {
	obj.SetLabels(ownedLabels(inst))
	if err := controllerutil.SetControllerReference(inst, obj, c.Scheme()); err != nil {
		return err
	}
	if err := c.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s: %w", obj.GetName(), err)
	}
	return nil
}

// ownedLabels are the labels of what the manager creates for an instance:
// the instance's name, and its shard, so that the instance's shard sees it.
func ownedLabels(inst *v1.ShopifyInstance) map[string]string {
	var l map[string]string
	if len(validation.IsValidLabelValue(inst.Name)) == 0 {
		l = map[string]string{schedule.LabelInstance: inst.Name}
	}
	shard.Copy(inst.Labels, &l)
	return l
}

// patchStatus writes obj's status when it differs from old's: an unchanged
// status is not written, so reconciles do not wake themselves up. The patch
// carries old's resourceVersion. When another writer (the webhook receiver)
// wrote the status since, the object is read again, what this pass changed
// is made to it again, the conditions type by type, and the patch is sent
// again: neither writer loses the other's conditions.
func patchStatus(ctx context.Context, c client.Client, old, obj client.Object, oldStatus, status any) error {
	if equality.Semantic.DeepEqual(oldStatus, status) {
		return nil
	}
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		err := c.Status().Patch(ctx, obj, client.MergeFromWithOptions(old, client.MergeFromWithOptimisticLock{}))
		if apierrors.IsConflict(err) {
			if old, err = rebase(ctx, c, old, obj); err == nil {
				err = apierrors.NewConflict(schema.GroupResource{}, obj.GetName(), errors.New("rebased"))
			}
		}
		return err
	})
	return client.IgnoreNotFound(err)
}

// rebase reads the object again into a new old, and makes obj that object
// with this pass's changes from old: its condition types as this pass left
// them, its other fields as this pass wrote them, the rest as they are now.
func rebase(ctx context.Context, c client.Client, old, obj client.Object) (client.Object, error) {
	changes, err := client.MergeFrom(old).Data(obj)
	if err != nil {
		return nil, err
	}
	was, mine := conditionsOf(old), conditionsOf(obj)
	fresh := old.DeepCopyObject().(client.Object)
	if err := c.Get(ctx, client.ObjectKeyFromObject(old), fresh); err != nil {
		return nil, err
	}
	base, err := json.Marshal(fresh)
	if err != nil {
		return nil, err
	}
	merged, err := jsonpatch.MergePatch(base, changes)
	if err != nil {
		return nil, err
	}
	var u map[string]any
	if err := json.Unmarshal(merged, &u); err != nil {
		return nil, err
	}
	conds := conditionsOf(fresh)
	kstatus.Reapply(&conds, was, mine)
	st, _ := u["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
		u["status"] = st
	}
	st["conditions"] = conds
	if merged, err = json.Marshal(u); err != nil {
		return nil, err
	}
	v := reflect.ValueOf(obj).Elem()
	v.Set(reflect.Zero(v.Type()))
	return fresh, json.Unmarshal(merged, obj)
}

// conditionsOf reads any kind's status conditions.
func conditionsOf(obj client.Object) []metav1.Condition {
	var o struct {
		Status v1.ReconcileStatus `json:"status"`
	}
	data, err := json.Marshal(obj)
	if err == nil {
		err = json.Unmarshal(data, &o)
	}
	if err != nil {
		panic(err) // the kinds' own types always marshal
	}
	return o.Status.Conditions
}
