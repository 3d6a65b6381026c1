package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/queue"
)

// queueKind is one kind of queue the engine runs.
type queueKind interface {
	setup(mgr ctrl.Manager, opts controller.Options) error
}

// queueKinds are the kinds of queue, each a worker in the engine. A new
// kind is a worker and a line here.
func queueKinds(mgr ctrl.Manager, pool *instance.Pool, limits Limits) []queueKind {
	c, live, rec := mgr.GetClient(), mgr.GetAPIReader(), mgr.GetEventRecorder
	return []queueKind{
		&queueEngine[*v1.OrderQueue]{Client: c, Live: live, Pool: pool, Recorder: rec("orderqueue-controller"), Limits: limits, name: "orderqueue", worker: orderWorker{bulk: limits.Bulk}},
		&queueEngine[*v1.ImportQueue]{Client: c, Live: live, Pool: pool, Recorder: rec("importqueue-controller"), Limits: limits, name: "importqueue", worker: importWorker{}},
	}
}

// queueFinished passes only the OrderQueue updates that finish the queue.
var queueFinished = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return !queue.Finished(e.ObjectOld.(*v1.OrderQueue).Status.Phase) && queue.Finished(e.ObjectNew.(*v1.OrderQueue).Status.Phase)
	},
	CreateFunc:  func(event.CreateEvent) bool { return false },
	DeleteFunc:  func(event.DeleteEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
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
