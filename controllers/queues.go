package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/kstatus"
)

// queuePass is what a processing pass over a queue's lines came to.
type queuePass struct {
	phase     v1.QueuePhase
	attention string // which lines need a person; empty when none does
	completed string // the Ready message, once completed
	progress  string // the Reconciling message, while processing
}

// setQueueStatus sets a queue's conditions and phase after a pass, the same
// for every kind of queue, and records an event when it completes.
func setQueueStatus(rec events.EventRecorder, q runtime.Object, conds *[]metav1.Condition, gen int64, phase *v1.QueuePhase, p queuePass) {
	if p.attention != "" {
		kstatus.Set(conds, gen, v1.ConditionNeedsAttention, metav1.ConditionTrue, ReasonLinesFailed, p.attention)
	} else {
		meta.RemoveStatusCondition(conds, v1.ConditionNeedsAttention)
	}
	switch p.phase {
	case v1.PhaseCompleted:
		kstatus.Ready(conds, gen, "Completed", p.completed)
		if *phase != v1.PhaseCompleted {
			rec.Eventf(q, nil, corev1.EventTypeNormal, "Completed", "Import", "%s", p.completed)
		}
	case v1.PhaseProcessing:
		kstatus.Progressing(conds, gen, "Processing", p.progress)
	default:
		kstatus.Stalled(conds, gen, ReasonLinesFailed, p.attention)
	}
	*phase = p.phase
}
