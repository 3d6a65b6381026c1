// Package webhook receives Shopify's webhooks: it checks each delivery,
// drops redeliveries and hands the orders they name over in batches, so
// that Shopify gets its answer at once and the import runs elsewhere.
package webhook

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"

	"github.com/shopify-odoo/connector/internal/shopify"
)

// Path is where an instance's webhooks are delivered, below the base URL.
func Path(namespace, name string) string {
	return "/webhooks/shopify/" + namespace + "/" + name
}

// Instance is what the receiver needs of a ShopifyInstance.
type Instance struct {
	Shop   string // myshopify.com domain
	Secret []byte // what deliveries are signed with, see SigningSecret; empty when there is none
}

// SigningSecret is the secret among an instance's Shopify credentials that
// Shopify signs its webhooks with: webhookSecret when set, else
// clientSecret, as Shopify signs the webhooks an app subscribes to through
// the API with the app's client secret.
func SigningSecret(credentials map[string][]byte) []byte {
	if s := credentials["webhookSecret"]; len(s) > 0 {
		return s
	}
	return credentials["clientSecret"]
}

// ErrUnknown is Lookup's answer for an instance that does not exist.
var ErrUnknown = errors.New("no such instance")

// Results of a delivery, as Observe is told.
const (
	ResultAccepted    = "accepted"
	ResultDuplicate   = "duplicate"
	ResultIgnored     = "ignored" // a topic the receiver does not act on
	ResultUnknown     = "unknown"
	ResultForged      = "forged"
	ResultTooLarge    = "too_large"
	ResultInvalid     = "invalid"
	ResultUnavailable = "unavailable"
)

// Options configure a Receiver.
type Options struct {
	// Lookup finds an instance, or returns ErrUnknown.
	Lookup func(ctx context.Context, key types.NamespacedName) (Instance, error)
	// Enqueue queues a batch of orders for import.
	Enqueue EnqueueFunc
	// Uninstalled records that the app was uninstalled from the store.
	Uninstalled func(ctx context.Context, key types.NamespacedName) error
	// Observe counts each delivery by topic and result; optional.
	Observe func(key types.NamespacedName, topic, result string)
	Log     logr.Logger

	// MaxBody is the largest body accepted; default 2 MiB.
	MaxBody int64
	// Window is how long orders are gathered into one batch; default 2s.
	Window time.Duration
	// MaxPending is how many orders of one instance may wait for their
	// batch before deliveries are refused; default 10000.
	MaxPending int
	// Remember is how many events are kept to drop redeliveries;
	// default 100000, each for a day.
	Remember int
}

// Receiver is the webhooks' HTTP handler.
type Receiver struct {
	opts  Options
	mux   *http.ServeMux
	batch *batcher
	seen  *seen
}

// answerWithin bounds the work done before answering: Shopify gives up
// after 5 seconds.
const answerWithin = 4 * time.Second

// NewReceiver makes a receiver; Run lets orders in.
func NewReceiver(opts Options) *Receiver {
	opts.MaxBody = cmp.Or(opts.MaxBody, 2<<20)
	opts.Window = cmp.Or(opts.Window, 2*time.Second)
	opts.MaxPending = cmp.Or(opts.MaxPending, 10000)
	opts.Remember = cmp.Or(opts.Remember, 100000)
	r := &Receiver{opts: opts, mux: http.NewServeMux(), seen: newSeen(opts.Remember, 24*time.Hour)}
	r.batch = &batcher{window: opts.Window, most: opts.MaxPending, enqueue: opts.Enqueue,
		pending: map[types.NamespacedName]*pending{},
		failed: func(key types.NamespacedName, err error) {
			opts.Log.Error(err, "cannot queue webhook orders; trying again", "instance", key)
		}}
	r.mux.HandleFunc("POST "+Path("{namespace}", "{instance}"), r.receive)
	return r
}

// Run lets orders in until ctx ends, then hands over what waits.
func (r *Receiver) Run(ctx context.Context) {
	r.batch.start()
	<-ctx.Done()
	r.batch.stop()
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

func (r *Receiver) receive(w http.ResponseWriter, req *http.Request) {
	key := types.NamespacedName{Namespace: req.PathValue("namespace"), Name: req.PathValue("instance")}
	meta := shopify.ParseWebhookHeaders(req.Header)
	status, result := r.handle(w, req, key, meta)
	if r.opts.Observe != nil {
		// Metric labels come from the request: only known values, so that
		// made-up paths and topics cannot add series without end.
		topic, instance := meta.Topic, key
		if !slices.Contains(topics, topic) {
			topic = "other"
		}
		if result == ResultUnknown {
			instance = types.NamespacedName{}
		}
		r.opts.Observe(instance, topic, result)
	}
	r.opts.Log.V(1).Info("webhook", "instance", key, "topic", meta.Topic, "webhookID", meta.WebhookID, "status", status, "result", result)
	w.WriteHeader(status)
}

// handle checks a delivery and acts on it; nothing is queued unless the
// answer is 200 accepted.
func (r *Receiver) handle(w http.ResponseWriter, req *http.Request, key types.NamespacedName, meta shopify.WebhookMeta) (int, string) {
	ctx, cancel := context.WithTimeout(req.Context(), answerWithin)
	defer cancel()
	inst, err := r.opts.Lookup(ctx, key)
	if errors.Is(err, ErrUnknown) {
		return http.StatusNotFound, ResultUnknown
	}
	if err != nil {
		r.opts.Log.Error(err, "cannot read the instance of a webhook", "instance", key)
		return http.StatusServiceUnavailable, ResultUnavailable
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.opts.MaxBody))
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge, ResultTooLarge
	}
	if err != nil {
		return http.StatusBadRequest, ResultInvalid
	}
	if meta.Shop != inst.Shop || !shopify.VerifyWebhook(inst.Secret, body, req.Header.Get(shopify.HeaderHmac)) {
		return http.StatusUnauthorized, ResultForged
	}
	var act func() bool
	switch meta.Topic {
	case TopicOrdersCreate, TopicOrdersUpdated, TopicOrdersPaid, TopicOrdersCancelled, TopicRefundsCreate:
		o, err := parseOrder(meta.Topic, body)
		if err != nil {
			return http.StatusBadRequest, ResultInvalid
		}
		act = func() bool { return r.batch.add(key, o) }
	case TopicAppUninstalled:
		act = func() bool {
			err := r.opts.Uninstalled(ctx, key)
			if err != nil {
				r.opts.Log.Error(err, "cannot record that the app was uninstalled", "instance", key)
			}
			return err == nil
		}
	default:
		return http.StatusOK, ResultIgnored
	}
	// Shopify's advice: a merchant action's deliveries share its event id,
	// one per topic it touched, so a second delivery of a topic and event
	// is a duplicate, whatever its webhook id (unique to each delivery).
	id := key.String() + "/" + meta.Topic + "/" + cmp.Or(meta.EventID, meta.WebhookID)
	if cmp.Or(meta.EventID, meta.WebhookID) != "" && !r.seen.add(id, time.Now()) {
		return http.StatusOK, ResultDuplicate
	}
	if !act() {
		r.seen.forget(id) // Shopify tries again later
		return http.StatusServiceUnavailable, ResultUnavailable
	}
	return http.StatusOK, ResultAccepted
}
