package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/internal/webhook"
)

// WebhookOptions configure the webhook receiver.
type WebhookOptions struct {
	// Addr is where it listens; empty or "0" turns it off.
	Addr string
	// CertDir holds tls.crt and tls.key; empty serves plain HTTP.
	CertDir string
	// MaxBody and Window: see webhook.Options.
	MaxBody int64
	Window  time.Duration
}

// webhookResync is how often subscriptions are compared with the shop's
// when nothing changed.
const webhookResync = time.Hour

// receiver turns webhooks into queues and conditions. It runs on every
// replica and only writes to the API server, so that the leader's
// controllers pick up what any replica received.
type receiver struct {
	client   client.Client // a cache: the port reads nothing from the API server
	pool     *instance.Pool
	recorder events.EventRecorder
}

// setupWebhooks adds the webhook receiver to the manager.
func setupWebhooks(mgr ctrl.Manager, opts WebhookOptions, pool *instance.Pool, sharded bool) error {
	if opts.Addr == "" || opts.Addr == "0" {
		return nil
	}
	r := &receiver{client: mgr.GetClient(), pool: pool, recorder: mgr.GetEventRecorder("webhook-receiver")}
	if sharded {
		r.client = anyShard{Client: r.client, reader: mgr.GetAPIReader()}
	}
	rcv := webhook.NewReceiver(webhook.Options{Lookup: r.lookup, Enqueue: r.enqueue, Uninstalled: r.uninstalled,
		ConfirmUninstalled: r.confirmUninstalled,
		Observe: func(key types.NamespacedName, topic, result string) {
			metrics.WebhookDelivery(metrics.Instance(key.Namespace, key.Name), topic, result)
		},
		Log: mgr.GetLogger().WithName("webhooks"), MaxBody: opts.MaxBody, Window: opts.Window})
	return mgr.Add(&webhook.Server{Addr: opts.Addr, CertDir: opts.CertDir, Receiver: rcv})
}

func (r *receiver) lookup(ctx context.Context, key types.NamespacedName) (webhook.Instance, error) {
	var inst v1.ShopifyInstance
	if err := r.client.Get(ctx, key, &inst); apierrors.IsNotFound(err) {
		return webhook.Instance{}, webhook.ErrUnknown
	} else if err != nil {
		return webhook.Instance{}, err
	}
	s, err := instance.Secret(ctx, r.client, types.NamespacedName{Namespace: key.Namespace, Name: inst.Spec.Shopify.CredentialsSecretRef.Name})
	if apierrors.IsNotFound(err) {
		return webhook.Instance{Shop: inst.Spec.Shopify.Shop}, nil // nothing verifies
	} else if err != nil {
		return webhook.Instance{}, err
	}
	return webhook.Instance{Shop: inst.Spec.Shopify.Shop, Secret: webhook.SigningSecret(s.Data)}, nil
}

// confirmUninstalled asks the shop with the instance's credentials, which
// Shopify refuses once the app is uninstalled. An instance without
// connected clients confirms nothing: its next check of the store will
// find the credentials refused.
func (r *receiver) confirmUninstalled(ctx context.Context, key types.NamespacedName) (bool, error) {
	conn := r.pool.Get(key)
	if conn == nil {
		return false, nil
	}
	_, err := conn.Shopify.ShopInfo(ctx)
	if shopify.IsKind(err, shopify.KindUnauthorized) {
		return true, nil
	}
	return false, err
}

// enqueue creates webhook queues named like scheduled ones, from their
// orders and update times: a repeated delivery names the same queue.
func (r *receiver) enqueue(ctx context.Context, key types.NamespacedName, orders []webhook.Order) error {
	var inst v1.ShopifyInstance
	if err := r.client.Get(ctx, key, &inst); err != nil {
		return client.IgnoreNotFound(err)
	}
	var refs, always []shopify.OrderRef
	for _, o := range orders {
		if o.Always {
			always = append(always, o.Ref)
		} else {
			refs = append(refs, o.Ref)
		}
	}
	all := inst.Spec.Orders
	all.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped, v1.OrderCancelled}
	// Other names for cancellations and refunds: update times have whole
	// seconds, and one in the second of the order's creation must not be
	// taken for the creation.
	queues := append(schedule.Queues(inst.Name, refs, inst.Spec.Orders, nil, nil), schedule.Queues(inst.Name+"-refresh", always, all, nil, nil)...)
	for _, q := range queues {
		if err := createQueue(ctx, r.client, &inst, q, v1.SourceWebhook); err != nil {
			return err
		}
	}
	return nil
}

// uninstalled records the time in status, where the instance controller
// keeps the instance stalled until a later check of the store passes.
func (r *receiver) uninstalled(ctx context.Context, key types.NamespacedName) error {
	var inst v1.ShopifyInstance
	if err := r.client.Get(ctx, key, &inst); err != nil {
		return client.IgnoreNotFound(err)
	}
	old := inst.DeepCopy()
	if inst.Status.Webhooks == nil {
		inst.Status.Webhooks = &v1.WebhooksStatus{}
	}
	now := metav1.NowMicro()
	inst.Status.Webhooks.AppUninstalledAt = &now
	appUninstalled(&inst)
	if err := patchStatus(ctx, r.client, old, &inst, old.Status, inst.Status); err != nil {
		return err
	}
	r.recorder.Eventf(&inst, nil, corev1.EventTypeWarning, v1.ReasonAppUninstalled, "Webhook", "%s",
		"Shopify says the app was uninstalled from "+inst.Spec.Shopify.Shop+": nothing is imported until a check of the store passes again")
	return nil
}

func appUninstalled(inst *v1.ShopifyInstance) {
	kstatus.Stalled(&inst.Status.Conditions, inst.Generation, v1.ReasonAppUninstalled, "the app was uninstalled from "+
		inst.Spec.Shopify.Shop+": install it again and put its access token in the Secret")
}

// webhooksOn: subscribed as spec.webhooks asks, or unsubscribed once it no
// longer does.
func webhooksOn(inst *v1.ShopifyInstance) bool {
	return inst.Spec.Webhooks.Enabled || inst.Status.Webhooks != nil
}

// syncWebhooks keeps the shop's subscriptions as spec.webhooks asks.
func (r *ShopifyInstanceReconciler) syncWebhooks(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	st := &inst.Status
	want := ""
	if inst.Spec.Webhooks.Enabled {
		want = strings.TrimSuffix(inst.Spec.Webhooks.PublicBaseURL, "/") + webhook.Path(inst.Namespace, inst.Name)
	}
	if st.Webhooks == nil {
		st.Webhooks = &v1.WebhooksStatus{}
	}
	now := metav1.Now()
	st.Webhooks.LastSyncTime = &now
	subs, err := subscribe(ctx, conn.Shopify, want, webhook.Path(inst.Namespace, inst.Name))
	if err != nil {
		return "", fmt.Errorf("cannot subscribe to webhooks: %w", err)
	}
	if want == "" {
		st.Webhooks = nil
		return "", nil
	}
	st.Webhooks.CallbackURL, st.Webhooks.Subscriptions = want, subs
	return fmt.Sprintf("%d topics delivered to %s", len(subs), want), nil
}

// subscribe creates the missing subscriptions to callback and deletes the
// instance's others, and returns those to callback by topic.
func subscribe(ctx context.Context, c *shopify.Client, callback, path string) ([]v1.WebhookSubscription, error) {
	subs, err := c.WebhookSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	plan := webhook.PlanSubscriptions(subs, callback, path)
	var errs []error
	for _, id := range plan.Delete {
		errs = append(errs, c.DeleteWebhookSubscription(ctx, id))
	}
	for _, topic := range plan.Create {
		s, err := c.CreateWebhookSubscription(ctx, topic, callback)
		errs = append(errs, err)
		if err == nil {
			plan.Keep = append(plan.Keep, s)
		}
	}
	out := make([]v1.WebhookSubscription, 0, len(plan.Keep))
	for _, s := range plan.Keep {
		out = append(out, v1.WebhookSubscription{Topic: s.Topic, ID: s.ID})
	}
	slices.SortFunc(out, func(a, b v1.WebhookSubscription) int { return strings.Compare(a.Topic, b.Topic) })
	return out, errors.Join(errs...)
}
