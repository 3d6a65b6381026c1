package controllers

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// stepRetry is how soon a step of the instance that failed is tried again.
const stepRetry = time.Minute

// A step is one job an instance does once both ends are connected, declared
// with all the loop needs to run it.
type step struct {
	name      string          // the action its events name
	condition string          // where its outcome shows; Ready for the step the instance is for
	done      string          // the condition's reason after a run that succeeded
	failed    string          // its reason, and its event's, after one that failed
	feature   shopify.Feature // whose access scopes it needs; "" for none
	deadline  time.Duration   // how long one run may take
	on        func(*v1.ShopifyInstance) bool
	interval  func(*v1.ShopifyInstance) time.Duration
	// last is when it last ran, as its status block says; run keeps it.
	last func(*v1.ShopifyInstance) *metav1.Time
	// run does the job, keeps its status block and returns the condition's
	// message. An empty one
	// says the step has nothing left to do: its condition goes. An
	// *instance.Problem waits for a person, not for a retry.
	run func(context.Context, *v1.ShopifyInstance, *instance.Conn) (string, error)
	// off drops its status block once it is off.
	off func(*v1.ShopifyInstanceStatus)
	// waiting says whether its run left long work under way in Shopify,
	// which later runs poll every bulkPoll; nil for a step without.
	waiting func(*v1.ShopifyInstance) bool
}

// always is the on of a step the instance always does.
func always(*v1.ShopifyInstance) bool { return true }

// required says whether the instance is not ready while the step fails: its
// failure ends the pass, which is retried with backoff.
func (s step) required() bool { return s.condition == v1.ConditionReady }

// due is the one rule of every step: bulkPoll after its last attempt while
// it waits for Shopify; at once when a run is requested, when it never ran
// or its condition was written for an older generation; stepRetry after a
// failed attempt (at once for a required step, whose retries back off);
// else interval after its last attempt.
func (s step) due(inst *v1.ShopifyInstance, last *metav1.Time, requested bool) (time.Time, bool) {
	wait := s.interval(inst)
	switch c := meta.FindStatusCondition(inst.Status.Conditions, s.condition); {
	case s.waiting != nil && s.waiting(inst):
		wait = bulkPoll
	case c == nil || c.ObservedGeneration != inst.Generation:
		last = nil
	case c.Status != metav1.ConditionTrue && s.required():
		last = nil
	case c.Status != metav1.ConditionTrue && !stalled(c):
		wait = stepRetry
	}
	next := schedule.Next(last, wait, string(inst.UID))
	return next, requested || !time.Now().Before(next)
}

// stalled says whether a step's condition waits for a person: the problems
// its run may return.
func stalled(c *metav1.Condition) bool {
	return c.Reason == instance.ReasonMissingScope || c.Reason == ReasonNoPaymentsAccount
}

// runSteps runs the steps that are due, in order, and returns when the next
// is due, or the failure of a required step. Once the pass has run a step's
// deadline it starts no other: it says so with all false, and requeues at
// once, behind the instances waiting for a worker.
func (r *ShopifyInstanceReconciler) runSteps(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn, requested bool) (next time.Time, all bool, err error) {
	start := time.Now()
	for _, s := range r.steps() {
		if time.Since(start) >= r.Limits.Step {
			return time.Now(), false, nil
		}
		n, err := r.runStep(ctx, inst, conn, s, requested)
		if err != nil {
			return time.Time{}, false, err
		}
		next = earliest(next, n)
	}
	return next, true, nil
}

// runStep runs one step when it is on and due, writes its outcome into its
// condition, and returns when it is next due.
func (r *ShopifyInstanceReconciler) runStep(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn, s step, requested bool) (time.Time, error) {
	st, gen := &inst.Status, inst.Generation
	if !s.on(inst) {
		s.off(st)
		if !s.required() {
			meta.RemoveStatusCondition(&st.Conditions, s.condition)
		}
		return time.Time{}, nil
	}
	if s.feature != "" {
		if p := conn.Lacks(s.feature); p != nil {
			// The next check of the store reads the scopes again.
			r.stepProblem(inst, s, p)
			return time.Time{}, nil
		}
	}
	if next, due := s.due(inst, s.last(inst), requested); !due {
		return next, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.deadline)
	defer cancel()
	msg, err := s.run(ctx, inst, conn)
	if err == nil {
		metrics.StepSucceeded(metrics.Instance(inst.Namespace, inst.Name), s.name)
	}
	var p *instance.Problem
	switch {
	case errors.As(err, &p):
		r.stepProblem(inst, s, p)
		return time.Time{}, nil
	case err != nil && s.required():
		kstatus.Failed(&st.Conditions, gen, s.failed, err.Error())
		return time.Time{}, err
	case err != nil:
		r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, s.failed, s.name, "%s", err.Error())
		kstatus.Set(&st.Conditions, gen, s.condition, metav1.ConditionFalse, s.failed, err.Error())
		return time.Now().Add(stepRetry), nil
	case msg == "":
		meta.RemoveStatusCondition(&st.Conditions, s.condition)
		return time.Time{}, nil
	case s.waiting != nil && s.waiting(inst) && s.required():
		kstatus.Progressing(&st.Conditions, gen, ReasonListing, msg)
	case s.waiting != nil && s.waiting(inst):
		kstatus.Set(&st.Conditions, gen, s.condition, metav1.ConditionUnknown, ReasonListing, msg)
	case s.required():
		kstatus.Ready(&st.Conditions, gen, s.done, msg)
	default:
		kstatus.Set(&st.Conditions, gen, s.condition, metav1.ConditionTrue, s.done, msg)
	}
	next, _ := s.due(inst, s.last(inst), false)
	return next, nil
}

// stepProblem records in a step's condition a problem a person must solve,
// with an event when that is news.
func (r *ShopifyInstanceReconciler) stepProblem(inst *v1.ShopifyInstance, s step, p *instance.Problem) {
	if c := meta.FindStatusCondition(inst.Status.Conditions, s.condition); c == nil || c.Reason != p.Reason || c.Message != p.Message {
		r.Recorder.Eventf(inst, nil, corev1.EventTypeWarning, p.Reason, s.name, "%s", p.Message)
	}
	kstatus.Set(&inst.Status.Conditions, inst.Generation, s.condition, metav1.ConditionFalse, p.Reason, p.Message)
}

// earliest is the earlier of two due times; zero is never.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}
