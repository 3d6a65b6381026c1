package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/payout"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=payoutreports,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=payoutreports/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=payoutreports/finalizers,verbs=update

// PayoutReportReconciler brings a payout into Odoo and reconciles it.
type PayoutReportReconciler struct {
	client.Client
	Pool     *instance.Pool
	Recorder events.EventRecorder
	Limits   Limits
}

// Reasons of a PayoutReport's conditions.
const (
	ReasonPayoutNotPaid       = "NotPaidYet"
	ReasonPayoutImported      = "Imported"
	ReasonPayoutReconciled    = "Reconciled"
	ReasonPayoutUnmatched     = "Unmatched"
	ReasonPayoutFailed        = "PayoutFailed"
	ReasonPayoutNotFound      = "PayoutNotFound"
	ReasonPayoutsUnconfigured = "PayoutsNotConfigured"
)

// maxUnmatched bounds the unmatched transactions the status lists.
const maxUnmatched = 50

// payoutRecheck is how often a report not fully reconciled looks again.
const payoutRecheck = time.Hour

// Reconcile imports and reconciles the payout, and writes the status.
func (r *PayoutReportReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pr v1.PayoutReport
	if err := r.Get(ctx, req.NamespacedName, &pr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	old := pr.DeepCopy()
	pass, cancel := passContext(ctx, r.Pool, client.ObjectKey{Namespace: pr.Namespace, Name: pr.Spec.InstanceRef.Name}, r.Limits.Step)
	defer cancel()
	res, err := r.reconcile(pass, &pr)
	if kstatus.Observed(pr.Status.Conditions, pr.Generation) {
		pr.Status.ObservedGeneration = pr.Generation
	}
	recordNotReady(r.Recorder, &pr, pr.Status.Conditions, old.Status.Conditions)
	if perr := patchStatus(ctx, r.Client, old, &pr, old.Status, pr.Status); perr != nil {
		return ctrl.Result{}, perr
	}
	return res, err
}

func (r *PayoutReportReconciler) reconcile(ctx context.Context, pr *v1.PayoutReport) (ctrl.Result, error) {
	st, gen := &pr.Status, pr.Generation
	if pr.Spec.Suspend {
		kstatus.Suspend(&st.Conditions, gen, kstatus.ReasonSuspended, "spec.suspend is true: the payout waits")
		return ctrl.Result{}, nil
	}
	kstatus.Resume(&st.Conditions)
	if st.Phase == "" {
		st.Phase = v1.PayoutDraft
	}
	runNow, requested := kstatus.RunRequested(pr, st.LastHandledReconcileAt)
	if st.Phase == v1.PayoutReconciled && !requested && st.ObservedGeneration == gen {
		return ctrl.Result{}, nil // nothing left to do
	}
	key := client.ObjectKey{Namespace: pr.Namespace, Name: pr.Spec.InstanceRef.Name}
	inst, conn, res, err := instanceOf(ctx, r.Client, r.Pool, key, "the payout report", shopify.FeaturePayouts, &st.Conditions, gen)
	if res != nil {
		return *res, err
	}
	spec := inst.Spec.Payouts
	if spec.Journal == "" || spec.FeeAccount == "" {
		kstatus.Stalled(&st.Conditions, gen, ReasonPayoutsUnconfigured,
			fmt.Sprintf("ShopifyInstance %q has no spec.payouts.journal and feeAccount", inst.Name))
		return ctrl.Result{}, nil // the instance's change wakes the report
	}
	rep, err := payout.Run(ctx, conn.Shopify, conn.Odoo, payout.Settings{Shop: inst.Spec.Shopify.Shop, Journal: spec.Journal,
		FeeAccount: spec.FeeAccount, ReserveAccount: spec.ReserveAccount}, pr.Spec.PayoutID)
	var se *payout.SettingsError
	switch {
	case errors.Is(err, payout.ErrNotFound) || errors.Is(err, shopify.ErrNoPaymentsAccount):
		kstatus.Stalled(&st.Conditions, gen, ReasonPayoutNotFound, err.Error())
		return ctrl.Result{}, nil
	case errors.As(err, &se):
		kstatus.Stalled(&st.Conditions, gen, ReasonBadSettings, err.Error())
		return ctrl.Result{RequeueAfter: payoutRecheck}, nil // or Odoo gets what is missing
	case err != nil:
		kstatus.Failed(&st.Conditions, gen, ReasonPayoutFailed, err.Error())
		return ctrl.Result{}, err // retried with backoff
	}
	if requested {
		st.LastHandledReconcileAt = runNow
	}
	r.record(pr, rep)
	if st.Phase == v1.PayoutReconciled {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{RequeueAfter: payoutRecheck}, nil
}

// record writes a run's outcome into the status and says what changed.
func (r *PayoutReportReconciler) record(pr *v1.PayoutReport, rep payout.Report) {
	st, gen, was := &pr.Status, pr.Generation, pr.Status.Phase
	st.PayoutStatus, st.IssuedAt = rep.Payout.Status, &metav1.Time{Time: rep.Payout.IssuedAt}
	st.Totals = v1.PayoutTotals{Currency: rep.Payout.Net.CurrencyCode, Net: rep.Net.StringFixed(2)}
	if !rep.Paid() {
		kstatus.Progressing(&st.Conditions, gen, ReasonPayoutNotPaid,
			fmt.Sprintf("payout %s is %s: it is imported once paid", pr.Spec.PayoutID, rep.Payout.Status))
		return
	}
	st.Statement = rep.Statement
	st.Totals.Gross, st.Totals.Fees, st.Totals.OdooStatement = rep.Gross.StringFixed(2), rep.Fees.StringFixed(2), rep.Odoo.StringFixed(2)
	st.Counts = v1.PayoutCounts{Transactions: int32(rep.Transactions), Matched: int32(rep.Matched), Unmatched: int32(len(rep.Unmatched))}
	st.Unmatched = nil
	for _, u := range rep.Unmatched[:min(len(rep.Unmatched), maxUnmatched)] {
		st.Unmatched = append(st.Unmatched, v1.UnmatchedTransaction{ID: u.ID, Type: u.Type, Order: u.Order, Amount: u.Amount, Reason: u.Reason})
	}
	msg := fmt.Sprintf("statement %s: %d of %d transactions matched; Shopify net %s, Odoo %s", rep.Statement,
		rep.Matched, rep.Transactions, st.Totals.Net, st.Totals.OdooStatement)
	var why string
	switch {
	case len(rep.Unmatched) > 0:
		u := rep.Unmatched[0]
		why = fmt.Sprintf("%d transactions have nothing to match in Odoo and wait on its suspense account; first: %s %s %s: %s",
			len(rep.Unmatched), u.Type, u.Order, u.Amount, u.Reason)
	case rep.Odoo.Cmp(rep.Net) != 0:
		why = fmt.Sprintf("the Odoo statement comes to %s but Shopify paid out %s", st.Totals.OdooStatement, st.Totals.Net)
	}
	switch {
	case why != "":
		st.Phase = v1.PayoutNeedsAttention
		kstatus.Set(&st.Conditions, gen, v1.ConditionNeedsAttention, metav1.ConditionTrue, ReasonPayoutUnmatched, why)
		kstatus.Ready(&st.Conditions, gen, ReasonPayoutImported, msg)
		if was != st.Phase {
			r.Recorder.Eventf(pr, nil, corev1.EventTypeWarning, ReasonPayoutUnmatched, "Reconcile", "%s", why)
		}
	case rep.Matched == rep.Transactions:
		st.Phase = v1.PayoutReconciled
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionNeedsAttention)
		kstatus.Ready(&st.Conditions, gen, ReasonPayoutReconciled, msg)
		if was != st.Phase {
			r.Recorder.Eventf(pr, nil, corev1.EventTypeNormal, ReasonPayoutReconciled, "Reconcile", "%s", msg)
		}
	default:
		st.Phase = v1.PayoutImported
		kstatus.Ready(&st.Conditions, gen, ReasonPayoutImported, msg)
	}
}

// SetupWithManager watches reports (their spec and the run-now annotation)
// and their instances, so that reports go on when an instance becomes ready
// or its payout settings change.
func (r *PayoutReportReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.PayoutReport{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&v1.ShopifyInstance{}, handler.EnqueueRequestsFromMapFunc(r.reportsOf),
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, readyChanged))).
		WithOptions(opts).
		Named("payoutreport").
		Complete(r)
}

func (r *PayoutReportReconciler) reportsOf(ctx context.Context, inst client.Object) []reconcile.Request {
	reports, err := reportsOf(ctx, r.Client, inst.GetNamespace(), inst.GetName())
	if err != nil {
		return nil
	}
	return requestsFor(reports)
}

// requestsFor are the reconcile requests of objects.
func requestsFor[T any, P interface {
	*T
	client.Object
}](objs []T) []reconcile.Request {
	out := make([]reconcile.Request, len(objs))
	for i := range objs {
		out[i] = reconcile.Request{NamespacedName: client.ObjectKeyFromObject(P(&objs[i]))}
	}
	return out
}

// reportsOf lists the payout reports of an instance from the cache.
func reportsOf(ctx context.Context, c client.Client, ns, name string) ([]v1.PayoutReport, error) {
	var list v1.PayoutReportList
	err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingFields{instanceField: name})
	return list.Items, err
}

// payoutReportName is the name of the report of a payout: the same on
// every run, so that a payout never gets a second report.
func payoutReportName(instance, payoutID string) string {
	const max = 253 - len("-payout-") - 20 // 20 digits hold any payout id
	if len(instance) > max {
		instance = strings.TrimRight(instance[:max], ".-")
	}
	return fmt.Sprintf("%s-payout-%s", instance, payoutID)
}
