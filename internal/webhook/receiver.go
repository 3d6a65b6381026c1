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
	// ResultUnconfirmed is an app/uninstalled delivery the shop denies:
	// its app still works, so the delivery is a replay.
	ResultUnconfirmed = "unconfirmed"
)

// Options configure a Receiver.
type Options struct {
	// Lookup finds an instance, or returns ErrUnknown. It is called for
	// every request before the body is read: it must read a cache, not
	// the API server.
	Lookup func(ctx context.Context, key types.NamespacedName) (Instance, error)
	// Enqueue queues a batch of orders for import.
	Enqueue EnqueueFunc
	// Uninstalled records that the app was uninstalled from the store.
	Uninstalled func(ctx context.Context, key types.NamespacedName) error
	// ConfirmUninstalled asks the shop whether the app is gone: the topic
	// header is not signed, so any signed body could claim it.
	ConfirmUninstalled func(ctx context.Context, key types.NamespacedName) (bool, error)
	// Observe counts each delivery by topic and result; optional.
	Observe func(key types.NamespacedName, topic, result string)
	Log     logr.Logger

	// MaxBody is the largest body accepted; default 2 MiB.
	MaxBody int64
	// MaxUnverified is how many bodies are read at once before their
	// signature is checked; default 16. With MaxBody it bounds the memory
	// slow or forged uploads can take.
	MaxUnverified int
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
	opts    Options
	mux     *http.ServeMux
	batch   *batcher
	seen    *seen
	readers chan struct{} // a slot per body read before it is verified
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
	opts.MaxUnverified = cmp.Or(opts.MaxUnverified, 16)
	r := &Receiver{opts: opts, mux: http.NewServeMux(), seen: newSeen(opts.Remember, 24*time.Hour),
		readers: make(chan struct{}, opts.MaxUnverified)}
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
// answer is 200 accepted. What costs nothing is checked before the body is
// read, and an unknown instance gets the answer of a forged delivery, so
// that the port does not tell which instances exist.
func (r *Receiver) handle(w http.ResponseWriter, req *http.Request, key types.NamespacedName, meta shopify.WebhookMeta) (int, string) {
	ctx, cancel := context.WithTimeout(req.Context(), answerWithin)
	defer cancel()
	// The body must arrive within the answer's time: a stalled upload
	// gives its slot back.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(answerWithin))
	if req.ContentLength > r.opts.MaxBody {
		return http.StatusRequestEntityTooLarge, ResultTooLarge
	}
	inst, err := r.opts.Lookup(ctx, key)
	if errors.Is(err, ErrUnknown) {
		return http.StatusUnauthorized, ResultUnknown
	}
	if err != nil {
		r.opts.Log.Error(err, "cannot read the instance of a webhook", "instance", key)
		return http.StatusServiceUnavailable, ResultUnavailable
	}
	sig := req.Header.Get(shopify.HeaderHmac)
	if meta.Shop != inst.Shop || len(inst.Secret) == 0 || sig == "" || meta.Topic == "" {
		return http.StatusUnauthorized, ResultForged
	}
	body, status, result := r.read(ctx, req)
	if status != 0 {
		return status, result
	}
	if !shopify.VerifyWebhook(inst.Secret, body, sig) {
		return http.StatusUnauthorized, ResultForged
	}
	var act func() (int, string)
	switch meta.Topic {
	case TopicOrdersCreate, TopicOrdersUpdated, TopicOrdersPaid, TopicOrdersCancelled, TopicRefundsCreate:
		o, err := parseOrder(meta.Topic, body)
		if err != nil {
			return http.StatusBadRequest, ResultInvalid
		}
		act = func() (int, string) {
			if !r.batch.add(key, o) {
				return http.StatusServiceUnavailable, ResultUnavailable
			}
			return http.StatusOK, ResultAccepted
		}
	case TopicAppUninstalled:
		act = func() (int, string) { return r.uninstalled(ctx, key) }
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
	status, result = act()
	if status != http.StatusOK {
		r.seen.forget(id) // Shopify tries again later
	}
	return status, result
}

// read reads a body of at most MaxBody bytes, when a slot is free within
// the answer's time. A zero status is success. A body without a declared
// length (chunked, as a proxy may send it) is read up to the limit.
func (r *Receiver) read(ctx context.Context, req *http.Request) ([]byte, int, string) {
	select {
	case r.readers <- struct{}{}:
		defer func() { <-r.readers }()
	case <-ctx.Done():
		return nil, http.StatusServiceUnavailable, ResultUnavailable
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, r.opts.MaxBody+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, ResultInvalid
	case int64(len(body)) > r.opts.MaxBody:
		return nil, http.StatusRequestEntityTooLarge, ResultTooLarge
	}
	return body, 0, ""
}

// uninstalled records an uninstallation the shop confirms.
func (r *Receiver) uninstalled(ctx context.Context, key types.NamespacedName) (int, string) {
	gone, err := r.opts.ConfirmUninstalled(ctx, key)
	if err != nil {
		r.opts.Log.Error(err, "cannot ask the shop whether the app was uninstalled", "instance", key)
		return http.StatusServiceUnavailable, ResultUnavailable
	}
	if !gone {
		return http.StatusOK, ResultUnconfirmed
	}
	if err := r.opts.Uninstalled(ctx, key); err != nil {
		r.opts.Log.Error(err, "cannot record that the app was uninstalled", "instance", key)
		return http.StatusServiceUnavailable, ResultUnavailable
	}
	return http.StatusOK, ResultAccepted
}
