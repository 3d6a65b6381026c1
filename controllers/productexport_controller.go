package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// ProductExportReconciler publishes Odoo products in Shopify and keeps them
// in step, one pass every interval.
type ProductExportReconciler struct {
	client.Client
	Live     client.Reader // uncached, for the instance's counters
	Pool     *instance.Pool
	Recorder events.EventRecorder
	Limits   Limits
}

// Reasons of a ProductExport's conditions.
const (
	ReasonProductsFailed = "ProductsFailed"
	ReasonExportFailed   = "ExportFailed"
	ReasonBadSettings    = "SettingsNotFound"
)

// Reconcile runs a pass when one is due and writes the status.
func (r *ProductExportReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pe v1.ProductExport
	if err := r.Get(ctx, req.NamespacedName, &pe); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := pe.DeepCopy()
	old := pe.DeepCopy()
	pass, cancel := passContext(ctx, r.Pool, client.ObjectKey{Namespace: pe.Namespace, Name: pe.Spec.InstanceRef.Name}, r.Limits.Export)
	defer cancel()
	res, err := r.reconcile(pass, &pe, old)
	if kstatus.Observed(pe.Status.Conditions, pe.Generation) {
		pe.Status.ObservedGeneration = pe.Generation
	}
	recordNotReady(r.Recorder, &pe, pe.Status.Conditions, before.Status.Conditions)
	if perr := patchStatus(ctx, r.Client, old, &pe, old.Status, pe.Status); perr != nil {
		return ctrl.Result{}, perr
	}
	if terr := r.tally(ctx, &pe); terr != nil {
		return ctrl.Result{}, terr
	}
	return res, err
}

// tally sets the instance's productsExported to what its exports hold now,
// this one as just written, when that changed.
func (r *ProductExportReconciler) tally(ctx context.Context, pe *v1.ProductExport) error {
	exports, err := exportsOf(ctx, r.Client, pe.Namespace, pe.Spec.InstanceRef.Name)
	if err != nil {
		return err
	}
	n := exported(pe)
	for i := range exports {
		if exports[i].UID != pe.UID {
			n += exported(&exports[i])
		}
	}
	key := client.ObjectKey{Namespace: pe.Namespace, Name: pe.Spec.InstanceRef.Name}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var inst v1.ShopifyInstance
		if err := r.Live.Get(ctx, key, &inst); err != nil || inst.Status.Counters.ProductsExported == n {
			return err
		}
		base := inst.DeepCopy()
		inst.Status.Counters.ProductsExported = n
		return r.Status().Patch(ctx, &inst, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	})
	if client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("counting the instance's exported products: %w", err)
	}
	return nil
}

func exported(pe *v1.ProductExport) int64 {
	return int64(pe.Status.Counts.Selected - pe.Status.Counts.Failed)
}

// reconcile runs a pass; old is what the status was last written as.
func (r *ProductExportReconciler) reconcile(ctx context.Context, pe, old *v1.ProductExport) (ctrl.Result, error) {
	st, gen := &pe.Status, pe.Generation
	if pe.Spec.Suspend {
		kstatus.Suspend(&st.Conditions, gen, kstatus.ReasonSuspended, "spec.suspend is true: nothing is exported")
		return ctrl.Result{}, nil
	}
	kstatus.Resume(&st.Conditions)
	key := client.ObjectKey{Namespace: pe.Namespace, Name: pe.Spec.InstanceRef.Name}
	inst, conn, res, err := instanceOf(ctx, r.Client, r.Pool, key, "the export", shopify.FeatureProducts, &st.Conditions, gen)
	if res != nil {
		return *res, err
	}

	p := products(pe, inst)
	prev := export.State{Watermark: st.Watermark, Key: st.InputsKey, Publications: st.Publications}
	if pr := conn.Lacks(shopify.FeaturePublishing); pr != nil && export.Publishes(prev, p) {
		kstatus.Stalled(&st.Conditions, gen, pr.Reason, pr.Message)
		return ctrl.Result{RequeueAfter: stepRetry}, nil
	}
	interval := schedule.Every(pe.Spec.Interval, schedule.Every(inst.Spec.Products.Interval, schedule.DefaultProductInterval))
	runNow, requested := kstatus.RunRequested(pe, st.LastHandledReconcileAt)
	next := schedule.Next(st.LastExportTime, interval, string(pe.UID))
	if !requested && !export.SettingsChanged(prev, p) && time.Now().Before(next) {
		return ctrl.Result{RequeueAfter: time.Until(next)}, nil
	}

	// A pass over a large catalogue takes minutes: say so while it runs.
	kstatus.Progressing(&st.Conditions, gen, "Exporting", "exporting products to Shopify")
	running := pe.DeepCopy()
	if err := patchStatus(ctx, r.Client, old, running, old.Status, pe.Status); err != nil {
		return ctrl.Result{}, err
	}
	*old = *running.DeepCopy()
	pe.ResourceVersion = running.ResourceVersion
	result, err := export.ExportProducts(ctx, conn.Odoo, conn.Shopify, p, prev)
	var se *export.SettingsError
	switch {
	case errors.As(err, &se):
		kstatus.Stalled(&st.Conditions, gen, ReasonBadSettings, err.Error())
		return ctrl.Result{RequeueAfter: interval}, nil // or Odoo gets what is missing
	case err != nil:
		kstatus.Failed(&st.Conditions, gen, ReasonExportFailed, "export failed: "+err.Error())
		return ctrl.Result{}, err
	}
	r.record(pe, inst, result)
	if requested {
		st.LastHandledReconcileAt = runNow
	}
	next = schedule.Next(st.LastExportTime, interval, string(pe.UID))
	return ctrl.Result{RequeueAfter: time.Until(next)}, nil
}

// products are the export's settings, with the instance's pricelists.
func products(pe *v1.ProductExport, inst *v1.ShopifyInstance) export.Products {
	return export.Products{Selector: pe.Spec.Selector, Sync: pe.Spec.Sync, Status: pe.Spec.Status,
		Pricelist: inst.Spec.Odoo.Pricelist, ComparePricelist: inst.Spec.Products.ComparePricelist,
		VendorField: pe.Spec.VendorField, RemoveUnknownVariants: pe.Spec.RemoveUnknownVariants, Publications: pe.Spec.Publications}
}

// record writes a pass's outcome into the status, metrics and events.
func (r *ProductExportReconciler) record(pe *v1.ProductExport, inst *v1.ShopifyInstance, res export.Result) {
	st, gen, c := &pe.Status, pe.Generation, res.Counts
	now := metav1.Now()
	st.Counts, st.Failures, st.LastExportTime = c, res.Failures, &now
	st.Watermark, st.InputsKey, st.Publications = res.State.Watermark, res.State.Key, res.State.Publications
	name := metrics.Instance(inst.Namespace, inst.Name)
	metrics.ProductsExported(name, "created", int(c.Exported))
	metrics.ProductsExported(name, "updated", int(c.Updated))
	metrics.ProductsExported(name, "unchanged", int(c.UpToDate))
	metrics.ProductsExported(name, "failed", int(c.Failed))

	msg := fmt.Sprintf("%d products: %d created, %d updated, %d up to date, %d failed", c.Selected, c.Exported, c.Updated, c.UpToDate, c.Failed)
	if c.Exported+c.Updated > 0 {
		r.Recorder.Eventf(pe, nil, corev1.EventTypeNormal, "Exported", "Export", "%s", msg)
	}
	if c.Failed == 0 {
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionNeedsAttention)
		kstatus.Ready(&st.Conditions, gen, "Exported", msg)
		return
	}
	f := res.Failures[0]
	why := fmt.Sprintf("%d products failed and are tried again when they change in Odoo; latest: %s: %s", c.Failed, f.Product, f.Reason)
	kstatus.Set(&st.Conditions, gen, v1.ConditionNeedsAttention, metav1.ConditionTrue, ReasonProductsFailed, why)
	kstatus.Failed(&st.Conditions, gen, ReasonProductsFailed, msg)
	r.Recorder.Eventf(pe, nil, corev1.EventTypeWarning, ReasonProductsFailed, "Export", "%s", why)
}

// SetupWithManager watches exports (their spec and the run-now annotation)
// and their instances, so that exports go on when an instance becomes
// ready or its pricelists change.
func (r *ProductExportReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.ProductExport{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&v1.ShopifyInstance{}, handler.EnqueueRequestsFromMapFunc(r.exportsOf),
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, readyChanged))).
		WithOptions(opts).
		Named("productexport").
		Complete(r)
}

func (r *ProductExportReconciler) exportsOf(ctx context.Context, inst client.Object) []reconcile.Request {
	exports, err := exportsOf(ctx, r.Client, inst.GetNamespace(), inst.GetName())
	if err != nil {
		return nil
	}
	return requestsFor(exports)
}
