package controllers

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/schedule"
)

// Options tune the controllers.
type Options struct {
	// QueueConcurrency is how many queues import at once; default 2.
	QueueConcurrency int
	// Webhooks configure the webhook receiver.
	Webhooks WebhookOptions
	// AllowEndpointOverride lets instances set spec.shopify.endpoint: for
	// simulators and tests only.
	AllowEndpointOverride bool
}

// recheck is how long a passed check of both ends holds.
const recheck = 10 * time.Minute

// instanceField indexes queues by the instance they belong to.
const instanceField = "spec.instanceRef.name"

// Setup registers the controllers with the manager.
func Setup(mgr ctrl.Manager, opts Options) error {
	for _, obj := range []client.Object{&v1.OrderQueue{}, &v1.ProductExport{}, &v1.PayoutReport{}, &v1.ImportQueue{}} {
		if err := mgr.GetFieldIndexer().IndexField(context.Background(), obj, instanceField, func(o client.Object) []string {
			return []string{instanceName(o)}
		}); err != nil {
			return err
		}
	}
	pool := instance.NewPool(mgr.GetClient(), recheck)
	pool.AllowEndpoint = opts.AllowEndpointOverride
	if err := (&ShopifyInstanceReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("shopifyinstance-controller")}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("ShopifyInstance controller: %w", err)
	}
	q := &OrderQueueReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("orderqueue-controller")}
	if err := q.SetupWithManager(mgr, max(opts.QueueConcurrency, 2)); err != nil {
		return fmt.Errorf("OrderQueue controller: %w", err)
	}
	iq := &ImportQueueReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("importqueue-controller")}
	if err := iq.SetupWithManager(mgr, max(opts.QueueConcurrency, 2)); err != nil {
		return fmt.Errorf("ImportQueue controller: %w", err)
	}
	pr := &PayoutReportReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("payoutreport-controller")}
	if err := pr.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("PayoutReport controller: %w", err)
	}
	pe := &ProductExportReconciler{Client: mgr.GetClient(), Pool: pool, Recorder: mgr.GetEventRecorder("productexport-controller")}
	if err := pe.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("ProductExport controller: %w", err)
	}
	return setupWebhooks(mgr, opts.Webhooks, pool)
}

// instanceName is the instance a queue or an export works through.
func instanceName(o client.Object) string {
	switch o := o.(type) {
	case *v1.OrderQueue:
		return o.Spec.InstanceRef.Name
	case *v1.ProductExport:
		return o.Spec.InstanceRef.Name
	case *v1.PayoutReport:
		return o.Spec.InstanceRef.Name
	case *v1.ImportQueue:
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
	if len(validation.IsValidLabelValue(inst.Name)) == 0 {
		obj.SetLabels(map[string]string{schedule.LabelInstance: inst.Name})
	}
	if err := controllerutil.SetControllerReference(inst, obj, c.Scheme()); err != nil {
		return err
	}
	if err := c.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s: %w", obj.GetName(), err)
	}
	return nil
}

// patchStatus writes obj's status when it differs from old's: an unchanged
// status is not written, so reconciles do not wake themselves up.
func patchStatus(ctx context.Context, c client.Client, old, obj client.Object, oldStatus, status any) error {
	if equality.Semantic.DeepEqual(oldStatus, status) {
		return nil
	}
	return client.IgnoreNotFound(c.Status().Patch(ctx, obj, client.MergeFrom(old)))
}
