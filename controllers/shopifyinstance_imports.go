package controllers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/schedule"
)

// defaultImportInterval is how often products and customers are imported by default.
const defaultImportInterval = time.Hour

func importsOn(inst *v1.ShopifyInstance) bool {
	return inst.Spec.Products.Import.Enabled || inst.Spec.Orders.Customers.Import.Enabled
}

// importSchedule is when the records of one resource are imported: every
// interval after mark, the end of the last import's window.
type importSchedule struct {
	resource v1.ImportResource
	enabled  bool
	interval time.Duration
	mark     **metav1.Time
}

// importSchedules are the instance's, making its status block when there is none.
func importSchedules(inst *v1.ShopifyInstance) []importSchedule {
	spec, st := inst.Spec, &inst.Status
	if st.Imports == nil {
		st.Imports = &v1.ImportsStatus{}
	}
	return []importSchedule{
		{v1.ImportProducts, spec.Products.Import.Enabled, schedule.Every(spec.Products.Import.Interval, defaultImportInterval), &st.Imports.Products},
		{v1.ImportCustomers, spec.Orders.Customers.Import.Enabled, schedule.Every(spec.Orders.Customers.Import.Interval, defaultImportInterval), &st.Imports.Customers},
	}
}

// soonestImport is the schedule of the resource imported next: the step
// of the imports is due when it is.
func soonestImport(inst *v1.ShopifyInstance) importSchedule {
	var soonest importSchedule
	for _, s := range importSchedules(inst) {
		next := func(s importSchedule) time.Time { return schedule.Next(*s.mark, s.interval, string(inst.UID)) }
		if s.enabled && (soonest.mark == nil || next(s).Before(next(soonest))) {
			soonest = s
		}
	}
	return soonest
}

// scheduleImports creates, for the products and the customers whose import
// is on and due, an ImportQueue of what was updated since the last one (all
// of them the first time). The access scopes the app lacks for one of them
// do not stop the other.
func (r *ShopifyInstanceReconciler) scheduleImports(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	_, requested := kstatus.RunRequested(inst, inst.Status.LastHandledReconcileAt)
	var lacking, every []string
	for _, s := range importSchedules(inst) {
		if !s.enabled {
			*s.mark = nil
			continue
		}
		if p := conn.Lacks(importFeature[s.resource]); p != nil {
			// Left where it was, the mark brings what changed meanwhile once the scopes are granted.
			lacking = append(lacking, p.Message)
			continue
		}
		every = append(every, fmt.Sprintf("%s every %s", strings.ToLower(string(s.resource)), s.interval))
		if due := schedule.Next(*s.mark, s.interval, string(inst.UID)); !requested && time.Now().Before(due) {
			continue
		}
		mark, err := r.queueImport(ctx, inst, s.resource, *s.mark)
		if err != nil {
			return "", err
		}
		*s.mark = mark
	}
	if len(lacking) > 0 {
		return "", &instance.Problem{Reason: instance.ReasonMissingScope, Message: strings.Join(lacking, "; "), Stalled: true}
	}
	return "importing " + strings.Join(every, ", "), nil
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
	q := &v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: inst.Namespace, Labels: ownedLabels(inst)}, Spec: spec}
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
