package controllers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/schedule"
)

// defaultImportInterval is how often products and customers are imported by default.
const defaultImportInterval = time.Hour

// scheduleImports creates, for the products and the customers whose import
// is on and due, an ImportQueue of what was updated since the last one (all
// of them the first time), and returns when the next is due. A failure
// shows in an event and is tried again soon; access scopes the app lacks
// show in ImportsScheduled. Orders are imported meanwhile.
func (r *ShopifyInstanceReconciler) scheduleImports(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn, requested bool) time.Time {
	spec, st := inst.Spec, &inst.Status
	if !spec.Products.Import.Enabled && !spec.Orders.Customers.Import.Enabled {
		st.Imports = nil
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionImportsScheduled)
		return time.Time{}
	}
	if st.Imports == nil {
		st.Imports = &v1.ImportsStatus{}
	}
	var next time.Time
	var lacking []string
	for _, s := range []struct {
		resource v1.ImportResource
		enabled  bool
		interval *metav1.Duration
		mark     **metav1.Time
	}{
		{v1.ImportProducts, spec.Products.Import.Enabled, spec.Products.Import.Interval, &st.Imports.Products},
		{v1.ImportCustomers, spec.Orders.Customers.Import.Enabled, spec.Orders.Customers.Import.Interval, &st.Imports.Customers},
	} {
		if !s.enabled {
			*s.mark = nil
			continue
		}
		if p := conn.Lacks(importFeature[s.resource]); p != nil {
			// Left where it was, the mark brings what changed meanwhile once the scopes are granted.
			lacking = append(lacking, p.Message)
			continue
		}
		interval := schedule.Every(s.interval, defaultImportInterval)
		if due := schedule.Next(*s.mark, interval, string(inst.UID)); !requested && time.Now().Before(due) {
			next = earliest(next, due)
			continue
		}
		mark, err := r.queueImport(ctx, inst, s.resource, *s.mark)
		if err != nil {
			r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, "ImportNotQueued", "ScheduleImport", "%s", err.Error())
			next = earliest(next, time.Now().Add(stepRetry))
			continue
		}
		*s.mark = mark
		next = earliest(next, schedule.Next(mark, interval, string(inst.UID)))
	}
	if len(lacking) > 0 {
		r.stepBlocked(inst, v1.ConditionImportsScheduled, "ScheduleImports",
			&instance.Problem{Reason: instance.ReasonMissingScope, Message: strings.Join(lacking, "; "), Stalled: true})
	} else {
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionImportsScheduled)
	}
	return next
}

// queueImport creates the ImportQueue of the records updated since mark,
// less the overlap, or of all records when there is no mark yet, and
// returns the new mark. Its name follows from mark, so that a run repeated
// after a crash finds the queue it made and takes up its window.
func (r *ShopifyInstanceReconciler) queueImport(ctx context.Context, inst *v1.ShopifyInstance, res v1.ImportResource, mark *metav1.Time) (*metav1.Time, error) {
	spec := v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: inst.Name}, Resource: res, Source: v1.SourceScheduled}
	name := inst.Name + "-" + strings.ToLower(string(res)) + "-"
	if mark == nil {
		spec.All = true
		name += "all"
	} else {
		// Shopify's update times are whole seconds: the window ends after
		// the current one, so that what changed just now is in it.
		to := time.Now().Truncate(time.Second).Add(time.Second)
		spec.Window = &v1.TimeWindow{From: metav1.NewTime(mark.Add(-schedule.Overlap)), To: metav1.NewTime(to)}
		name += strconv.FormatInt(mark.Unix(), 10)
	}
	q, err := createImportQueue(ctx, r.Client, inst, name, spec)
	if err != nil {
		return nil, err
	}
	if w := q.Spec.Window; w != nil {
		return &w.To, nil
	}
	return &q.CreationTimestamp, nil
}

// createImportQueue creates an ImportQueue owned by the instance, or
// returns the one of that name an earlier run created.
func createImportQueue(ctx context.Context, c client.Client, inst *v1.ShopifyInstance, name string, spec v1.ImportQueueSpec) (*v1.ImportQueue, error) {
	q := &v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: inst.Namespace}, Spec: spec}
	if len(validation.IsValidLabelValue(inst.Name)) == 0 {
		q.Labels = map[string]string{schedule.LabelInstance: inst.Name}
	}
	if err := controllerutil.SetControllerReference(inst, q, c.Scheme()); err != nil {
		return nil, err
	}
	err := c.Create(ctx, q)
	if apierrors.IsAlreadyExists(err) {
		err = c.Get(ctx, client.ObjectKeyFromObject(q), q)
	}
	if err != nil {
		return nil, fmt.Errorf("creating ImportQueue %s: %w", name, err)
	}
	return q, nil
}
