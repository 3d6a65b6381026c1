package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Reasons of the conditions of objects that work through an instance.
const (
	ReasonInstanceNotFound  = "InstanceNotFound"
	ReasonInstanceSuspended = "InstanceSuspended"
	ReasonInstanceNotReady  = "InstanceNotReady"
)

// notReadyWait is how often an object looks again at an instance that is not ready.
const notReadyWait = 10 * time.Second

// instanceOf reads the instance an object works through, and its
// connections. While the instance cannot be used, or its app lacks the
// access scopes of the object's feature, it says why in the object's
// conditions and returns the result the reconcile ends with.
func instanceOf(ctx context.Context, c client.Client, pool *instance.Pool, key client.ObjectKey, what string, f shopify.Feature,
	conds *[]metav1.Condition, gen int64) (*v1.ShopifyInstance, *instance.Conn, *ctrl.Result, error) {
	var inst v1.ShopifyInstance
	if err := c.Get(ctx, key, &inst); apierrors.IsNotFound(err) {
		kstatus.Stalled(conds, gen, ReasonInstanceNotFound, fmt.Sprintf("ShopifyInstance %q not found in namespace %q", key.Name, key.Namespace))
		return nil, nil, &ctrl.Result{}, nil
	} else if err != nil {
		return nil, nil, &ctrl.Result{}, err
	}
	if inst.Spec.Suspend {
		kstatus.Suspend(conds, gen, ReasonInstanceSuspended, fmt.Sprintf("ShopifyInstance %q is suspended: %s waits", key.Name, what))
		return nil, nil, &ctrl.Result{}, nil
	}
	kstatus.Resume(conds)
	conn := pool.Get(key)
	if conn == nil || !meta.IsStatusConditionTrue(inst.Status.Conditions, v1.ConditionReady) {
		kstatus.Failed(conds, gen, ReasonInstanceNotReady, fmt.Sprintf("waiting for ShopifyInstance %q to be ready", key.Name))
		return nil, nil, &ctrl.Result{RequeueAfter: notReadyWait}, nil
	}
	if p := conn.Lacks(f); p != nil {
		// The next check of the store reads the scopes again.
		kstatus.Stalled(conds, gen, p.Reason, p.Message)
		return nil, nil, &ctrl.Result{RequeueAfter: stepRetry}, nil
	}
	return &inst, conn, nil, nil
}

// recordNotReady records a warning when an object stops being ready for a
// new reason, so that kubectl describe tells why it waits or stopped.
func recordNotReady(rec events.EventRecorder, obj runtime.Object, conds, old []metav1.Condition) {
	c := meta.FindStatusCondition(conds, v1.ConditionReady)
	if c == nil || c.Status != metav1.ConditionFalse {
		return
	}
	if o := meta.FindStatusCondition(old, v1.ConditionReady); o != nil && o.Status == c.Status && o.Reason == c.Reason {
		return
	}
	rec.Eventf(obj, nil, corev1.EventTypeWarning, c.Reason, "Reconcile", "%s", c.Message)
}
