package controllers

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/webhook"
)

// webhooksFinalizer holds a deleted instance until its webhook
// subscriptions are removed from the shop.
const webhooksFinalizer = "connector.shopify-odoo.dev/webhooks"

// cleanupFor bounds how long a deleted instance tries to remove its
// subscriptions: with its credentials gone or refused it never could, and
// an instance must not stay stuck. Tries back off as failed reconciles do.
const cleanupFor = 30 * time.Second

// ReasonWebhooksLeft is the event of a deleted instance whose
// subscriptions could not be removed.
const ReasonWebhooksLeft = "WebhooksLeft"

// finalize keeps the finalizer on an instance with webhooks and, once the
// instance is deleted, removes its subscriptions and then the finalizer.
// done says the reconcile ends here, with res and err.
func (r *ShopifyInstanceReconciler) finalize(ctx context.Context, inst *v1.ShopifyInstance) (done bool, res ctrl.Result, err error) {
	has := controllerutil.ContainsFinalizer(inst, webhooksFinalizer)
	if inst.DeletionTimestamp.IsZero() {
		want := inst.Spec.Webhooks.Enabled || inst.Status.Webhooks != nil
		if want == has {
			return false, ctrl.Result{}, nil
		}
		old := inst.DeepCopy()
		if want {
			controllerutil.AddFinalizer(inst, webhooksFinalizer)
		} else {
			controllerutil.RemoveFinalizer(inst, webhooksFinalizer)
		}
		return false, ctrl.Result{}, r.Patch(ctx, inst, client.MergeFromWithOptions(old, client.MergeFromWithOptimisticLock{}))
	}
	if !has {
		return true, ctrl.Result{}, nil
	}
	if err := r.unsubscribe(ctx, inst); err != nil {
		if time.Since(inst.DeletionTimestamp.Time) < cleanupFor {
			return true, ctrl.Result{}, err // tried again with backoff
		}
		r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, ReasonWebhooksLeft, "Delete",
			"gave up removing the webhook subscriptions to %s from %s after %s: %s; delete them in the shop's app settings",
			webhook.Path(inst.Namespace, inst.Name), inst.Spec.Shopify.Shop, cleanupFor, err)
	}
	old := inst.DeepCopy()
	controllerutil.RemoveFinalizer(inst, webhooksFinalizer)
	return true, ctrl.Result{}, client.IgnoreNotFound(r.Patch(ctx, inst, client.MergeFromWithOptions(old, client.MergeFromWithOptimisticLock{})))
}

// errNoShopifyClient is for credentials of the Odoo side that keep the
// check from building the clients.
var errNoShopifyClient = errors.New("the instance's credentials cannot be used")

// unsubscribe deletes the instance's subscriptions from the shop.
func (r *ShopifyInstanceReconciler) unsubscribe(ctx context.Context, inst *v1.ShopifyInstance) error {
	conn := r.Pool.Get(client.ObjectKeyFromObject(inst))
	if conn == nil {
		c, err := r.Pool.Check(ctx, inst, false)
		switch {
		case err != nil:
			return err
		case c.ShopifyProblem != nil:
			return c.ShopifyProblem
		case c.Shopify == nil:
			return errNoShopifyClient
		}
		conn = c
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err := subscribe(ctx, conn.Shopify, "", webhook.Path(inst.Namespace, inst.Name))
	return err
}
