package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"

	"github.com/shopify-odoo/connector/internal/shopify"
)

const (
	shop   = "test-shop.myshopify.com"
	secret = "whsec-test"
)

var known = types.NamespacedName{Namespace: "ns", Name: "shop"}

// sink records what a receiver hands over.
type sink struct {
	mu          sync.Mutex
	batches     [][]Order
	uninstalled int
	failEnqueue int // the next n batches fail
	failLookup  error
	installed   bool // the shop denies that the app was uninstalled
	results     []string
	labels      []string // instance and topic of each result
}

func (s *sink) lookup(_ context.Context, key types.NamespacedName) (Instance, error) {
	if s.failLookup != nil {
		return Instance{}, s.failLookup
	}
	if key != known {
		return Instance{}, ErrUnknown
	}
	return Instance{Shop: shop, Secret: []byte(secret)}, nil
}

func (s *sink) enqueue(_ context.Context, _ types.NamespacedName, orders []Order) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failEnqueue > 0 {
		s.failEnqueue--
		return errors.New("API server away")
	}
	s.batches = append(s.batches, orders)
	return nil
}

func (s *sink) got() [][]Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches
}

// start runs a receiver with a short window over s until the test ends.
func start(t *testing.T, s *sink, opts Options) *httptest.Server {
	t.Helper()
	opts.Lookup, opts.Enqueue, opts.Log = s.lookup, s.enqueue, logr.Discard()
	opts.Uninstalled = func(context.Context, types.NamespacedName) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.uninstalled++
		return nil
	}
	opts.ConfirmUninstalled = func(context.Context, types.NamespacedName) (bool, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return !s.installed, nil
	}
	opts.Observe = func(key types.NamespacedName, topic, result string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.results = append(s.results, result)
		s.labels = append(s.labels, key.String()+" "+topic)
	}
	opts.Window = 20 * time.Millisecond
	r := NewReceiver(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.Run(ctx)
		close(done)
	}()
	srv := httptest.NewServer(r)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
	})
	waitFor(t, func() bool { return r.batch.add(known, order("1", 0)) })
	waitFor(t, func() bool { return len(s.got()) == 1 })
	s.mu.Lock()
	s.batches, s.results = nil, nil
	s.mu.Unlock()
	return srv
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func order(id string, minute int) Order {
	return Order{Ref: shopify.OrderRef{ID: "gid://shopify/Order/" + id, LegacyResourceID: id, DisplayFulfillmentStatus: "UNFULFILLED",
		UpdatedAt: time.Date(2026, 1, 1, 0, minute, 0, 0, time.UTC)}}
}

// delivery is a signed webhook as Shopify sends it.
func delivery(topic, id, body string) http.Header {
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, shop)
	h.Set(shopify.HeaderWebhookID, id)
	h.Set(shopify.HeaderHmac, shopify.Sign([]byte(secret), []byte(body)))
	return h
}

func post(t *testing.T, srv *httptest.Server, path, method string, h http.Header, body []byte) int {
	t.Helper()
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

const orderBody = `{"id": 42, "updated_at": "2026-01-01T00:05:00Z", "cancelled_at": null, "fulfillment_status": null}`

func TestRejectedDeliveriesQueueNothing(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{MaxBody: 1 << 10})
	path := Path("ns", "shop")
	signed := delivery(TopicOrdersCreate, "w1", orderBody)
	forged := delivery(TopicOrdersCreate, "w2", orderBody)
	forged.Set(shopify.HeaderHmac, shopify.Sign([]byte("guessed"), []byte(orderBody)))
	unsigned := delivery(TopicOrdersCreate, "w3", orderBody)
	unsigned.Del(shopify.HeaderHmac)
	otherShop := delivery(TopicOrdersCreate, "w4", orderBody)
	otherShop.Set(shopify.HeaderShopDomain, "other-shop.myshopify.com")
	large := strings.Repeat(" ", 2<<10) + orderBody
	noOrder := `{"id": "x"}`
	for _, c := range []struct {
		name, path, method string
		h                  http.Header
		body               string
		status             int
		result             string
	}{
		{"forged", path, "", forged, orderBody, http.StatusUnauthorized, ResultForged},
		{"unsigned", path, "", unsigned, orderBody, http.StatusUnauthorized, ResultForged},
		{"another shop", path, "", otherShop, orderBody, http.StatusUnauthorized, ResultForged},
		{"signed body changed", path, "", signed, `{"id": 43}`, http.StatusUnauthorized, ResultForged},
		// The same answer as a forged delivery: the port does not tell which instances exist.
		{"unknown instance", Path("ns", "other"), "", signed, orderBody, http.StatusUnauthorized, ResultUnknown},
		{"too large", path, "", delivery(TopicOrdersCreate, "w5", large), large, http.StatusRequestEntityTooLarge, ResultTooLarge},
		{"no order", path, "", delivery(TopicOrdersCreate, "w6", noOrder), noOrder, http.StatusBadRequest, ResultInvalid},
		{"not json", path, "", delivery(TopicOrdersCreate, "w7", "{"), "{", http.StatusBadRequest, ResultInvalid},
		{"unknown topic", path, "", delivery("products/update", "w8", orderBody), orderBody, http.StatusOK, ResultIgnored},
	} {
		if got := post(t, srv, c.path, c.method, c.h, []byte(c.body)); got != c.status {
			t.Errorf("%s: status %d, want %d", c.name, got, c.status)
		}
		if r := s.results[len(s.results)-1]; r != c.result {
			t.Errorf("%s: result %s, want %s", c.name, r, c.result)
		}
	}
	// Labels from the request are kept only when known.
	if l := s.labels[len(s.labels)-1]; l != "ns/shop other" {
		t.Errorf("an unknown topic is counted as %q", l)
	}
	if l := s.labels[slices.Index(s.results, ResultUnknown)]; l != "/ orders/create" {
		t.Errorf("an unknown instance is counted as %q", l)
	}
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		if got := post(t, srv, path, m, signed, []byte(orderBody)); got != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d", m, got)
		}
	}
	time.Sleep(50 * time.Millisecond) // more than the window: a batch would have been handed over
	if b := s.got(); len(b) != 0 || s.uninstalled != 0 {
		t.Fatalf("queued %v, uninstalled %d", b, s.uninstalled)
	}
}

func TestOrdersOfAWindowMakeOneBatch(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{})
	path := Path("ns", "shop")
	bodies := map[string]string{
		"a": `{"id": 1, "updated_at": "2026-01-01T00:01:00Z", "fulfillment_status": null}`,
		"b": `{"id": 2, "updated_at": "2026-01-01T00:02:00Z", "fulfillment_status": "partial"}`,
		"c": `{"id": 1, "updated_at": "2026-01-01T00:03:00Z", "fulfillment_status": "fulfilled"}`,
		"d": `{"id": 9, "order_id": 2, "created_at": "2026-01-01T00:04:00Z"}`,
	}
	topics := map[string]string{"a": TopicOrdersCreate, "b": TopicOrdersPaid, "c": TopicOrdersUpdated, "d": TopicRefundsCreate}
	for _, k := range []string{"a", "b", "c", "d"} {
		if got := post(t, srv, path, "", delivery(topics[k], k, bodies[k]), []byte(bodies[k])); got != http.StatusOK {
			t.Fatalf("%s: status %d", k, got)
		}
	}
	// Shopify sends again when it missed the answer: the same id is dropped.
	if got := post(t, srv, path, "", delivery(TopicOrdersCreate, "a", bodies["a"]), []byte(bodies["a"])); got != http.StatusOK {
		t.Fatalf("replay: status %d", got)
	}
	waitFor(t, func() bool { return len(s.got()) > 0 })
	time.Sleep(50 * time.Millisecond)
	b := s.got()
	if len(b) != 1 || len(b[0]) != 2 {
		t.Fatalf("batches %+v", b)
	}
	byID := map[string]Order{}
	for _, o := range b[0] {
		byID[o.Ref.LegacyResourceID] = o
	}
	if o := byID["1"]; o.Ref.DisplayFulfillmentStatus != "FULFILLED" || o.Ref.UpdatedAt.Minute() != 3 || o.Always {
		t.Errorf("order 1 is %+v, want its latest update", o)
	}
	if o := byID["2"]; !o.Always || o.Ref.UpdatedAt.Minute() != 4 {
		t.Errorf("order 2 is %+v, want the refund's time, queued whatever its status", o)
	}
	if r := s.results[len(s.results)-1]; r != ResultDuplicate {
		t.Errorf("replay: %s", r)
	}
}

func TestCancellationsAreAlwaysQueued(t *testing.T) {
	o, err := parseOrder(TopicOrdersCancelled, []byte(`{"id": 5, "updated_at": "2026-01-01T00:00:00Z", "cancelled_at": "2026-01-01T00:00:00Z"}`))
	if err != nil || !o.Always || o.Ref.CancelledAt == nil || o.Ref.ID != "gid://shopify/Order/5" {
		t.Fatalf("%+v %v", o, err)
	}
}

func TestAFailedBatchIsHandedOverAgain(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{})
	s.mu.Lock()
	s.failEnqueue = 2
	s.mu.Unlock()
	if got := post(t, srv, Path("ns", "shop"), "", delivery(TopicOrdersCreate, "w", orderBody), []byte(orderBody)); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	waitFor(t, func() bool { return len(s.got()) == 1 })
	if b := s.got(); len(b[0]) != 1 || b[0][0].Ref.LegacyResourceID != "42" {
		t.Fatalf("%+v", b)
	}
}

func TestBackPressure(t *testing.T) {
	s := &sink{failLookup: nil}
	srv := start(t, s, Options{MaxPending: 1})
	s.mu.Lock()
	s.failEnqueue = 1 << 30 // the API server stays away: orders pile up
	s.mu.Unlock()
	path := Path("ns", "shop")
	if got := post(t, srv, path, "", delivery(TopicOrdersCreate, "w1", orderBody), []byte(orderBody)); got != http.StatusOK {
		t.Fatalf("first: %d", got)
	}
	other := strings.Replace(orderBody, "42", "43", 1)
	if got := post(t, srv, path, "", delivery(TopicOrdersCreate, "w2", other), []byte(other)); got != http.StatusServiceUnavailable {
		t.Fatalf("over the limit: %d", got)
	}
	// Refused deliveries are not remembered: Shopify's retry is taken once there is room.
	s.mu.Lock()
	s.failEnqueue = 0
	s.mu.Unlock()
	waitFor(t, func() bool { return len(s.got()) == 1 })
	if got := post(t, srv, path, "", delivery(TopicOrdersCreate, "w2", other), []byte(other)); got != http.StatusOK {
		t.Fatalf("retry: %d", got)
	}
	waitFor(t, func() bool { return len(s.got()) == 2 })
}

func TestUnreadableInstanceIsRetriedByShopify(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{})
	s.failLookup = errors.New("API server away")
	if got := post(t, srv, Path("ns", "shop"), "", delivery(TopicOrdersCreate, "w", orderBody), []byte(orderBody)); got != http.StatusServiceUnavailable {
		t.Fatalf("status %d", got)
	}
}

func TestUninstalled(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{})
	body := `{"id": 1, "myshopify_domain": "test-shop.myshopify.com"}`
	for range 2 {
		if got := post(t, srv, Path("ns", "shop"), "", delivery(TopicAppUninstalled, "u", body), []byte(body)); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
	}
	if s.uninstalled != 1 {
		t.Fatalf("recorded %d times", s.uninstalled)
	}
}

// The topic header is not signed: a signed order body replayed as
// app/uninstalled is acted on only when the shop says the app is gone.
func TestAReplayedUninstallTheShopDeniesIsIgnored(t *testing.T) {
	s := &sink{installed: true}
	srv := start(t, s, Options{})
	if got := post(t, srv, Path("ns", "shop"), "", delivery(TopicAppUninstalled, "replay", orderBody), []byte(orderBody)); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	if s.uninstalled != 0 || s.results[len(s.results)-1] != ResultUnconfirmed {
		t.Fatalf("recorded %d times, result %s", s.uninstalled, s.results[len(s.results)-1])
	}
}

// A body of unknown length (chunked, as a proxy may pass it on) is read up
// to the limit: a signed one is accepted, a longer one refused.
func TestABodyWithoutLengthIsReadToTheLimit(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{MaxBody: int64(len(orderBody))})
	for _, c := range []struct {
		body string
		want int
	}{{orderBody, http.StatusOK}, {orderBody + " ", http.StatusRequestEntityTooLarge}} {
		req, err := http.NewRequest(http.MethodPost, srv.URL+Path("ns", "shop"), struct{ io.Reader }{strings.NewReader(c.body)})
		if err != nil {
			t.Fatal(err)
		}
		req.Header = delivery(TopicOrdersCreate, "chunked-"+strconv.Itoa(len(c.body)), c.body)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Fatalf("%d bytes: status %d, want %d", len(c.body), resp.StatusCode, c.want)
		}
	}
}

func TestStopHandsOverWhatWaits(t *testing.T) {
	s := &sink{}
	r := NewReceiver(Options{Lookup: s.lookup, Enqueue: s.enqueue, Log: logr.Discard(), Window: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.Run(ctx)
		close(done)
	}()
	waitFor(t, func() bool { return r.batch.add(known, order("7", 0)) })
	cancel()
	<-done
	if b := s.got(); len(b) != 1 || b[0][0].Ref.LegacyResourceID != "7" {
		t.Fatalf("%+v", b)
	}
	if r.batch.add(known, order("8", 0)) {
		t.Fatal("a stopped receiver took an order")
	}
}

func TestSeenIsBounded(t *testing.T) {
	s := newSeen(2, time.Hour)
	now := time.Now()
	for _, id := range []string{"a", "b", "c"} {
		if !s.add(id, now) {
			t.Fatalf("%s is new", id)
		}
	}
	if len(s.slots) != 2 || !s.add("a", now) {
		t.Fatal("the oldest id was not forgotten")
	}
	if s.add("c", now) || !s.add("c", now.Add(2*time.Hour)) {
		t.Fatal("an id is remembered for its time only")
	}
}

// A merchant action's deliveries share its event id, one per topic: a
// second delivery of a topic and event is a duplicate, whatever its
// webhook id, and another topic of the event is not.
func TestDuplicatesAreTheirEventAgain(t *testing.T) {
	s := &sink{}
	srv := start(t, s, Options{})
	send := func(topic, webhookID, body string) string {
		h := delivery(topic, webhookID, body)
		h.Set(shopify.HeaderEventID, "event-1")
		if got := post(t, srv, Path("ns", "shop"), "", h, []byte(body)); got != http.StatusOK {
			t.Fatalf("%s: status %d", topic, got)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.results[len(s.results)-1]
	}
	cancelled := `{"id": 7, "updated_at": "2026-01-01T00:05:00Z", "cancelled_at": "2026-01-01T00:05:00Z", "fulfillment_status": null}`
	if r := send(TopicOrdersUpdated, "w1", orderBody); r != ResultAccepted {
		t.Fatalf("first delivery: %s", r)
	}
	if r := send(TopicOrdersUpdated, "w2", orderBody); r != ResultDuplicate {
		t.Fatalf("the event again, another webhook id: %s", r)
	}
	if r := send(TopicOrdersCancelled, "w3", cancelled); r != ResultAccepted {
		t.Fatalf("another topic of the event: %s", r)
	}
}

// A refund and a cancellation of one order in one batch keep what each
// says: the refund's later time, the cancellation and its fulfilment
// status, in whichever order they come.
func TestARefundKeepsTheCancellationOfItsBatch(t *testing.T) {
	cancelled := `{"id": 7, "updated_at": "2026-01-01T00:05:00Z", "cancelled_at": "2026-01-01T00:05:00Z", "fulfillment_status": "fulfilled"}`
	refund := `{"id": 70, "order_id": 7, "created_at": "2026-01-01T00:05:01Z"}`
	for _, first := range []bool{true, false} {
		s := &sink{}
		srv := start(t, s, Options{})
		deliveries := [][2]string{{TopicOrdersCancelled, cancelled}, {TopicRefundsCreate, refund}}
		if !first {
			deliveries[0], deliveries[1] = deliveries[1], deliveries[0]
		}
		for i, d := range deliveries {
			if got := post(t, srv, Path("ns", "shop"), "", delivery(d[0], fmt.Sprint(i), d[1]), []byte(d[1])); got != http.StatusOK {
				t.Fatalf("%s: status %d", d[0], got)
			}
		}
		waitFor(t, func() bool { return len(s.got()) > 0 })
		b := s.got()
		if len(b) != 1 || len(b[0]) != 1 {
			t.Fatalf("batches %+v", b)
		}
		o := b[0][0]
		if !o.Always || o.Ref.CancelledAt == nil || o.Ref.DisplayFulfillmentStatus != "FULFILLED" || o.Ref.UpdatedAt.Second() != 1 {
			t.Errorf("cancellation first %v: %+v", first, o.Ref)
		}
	}
}

func TestSigningSecret(t *testing.T) {
	for _, c := range []struct {
		credentials map[string][]byte
		want        string
	}{
		{map[string][]byte{"accessToken": []byte("shpat"), "webhookSecret": []byte("whsec")}, "whsec"},
		// A Dev Dashboard app: its API subscriptions are signed with its client secret.
		{map[string][]byte{"clientId": []byte("id"), "clientSecret": []byte("cs")}, "cs"},
		{map[string][]byte{"clientId": []byte("id"), "clientSecret": []byte("cs"), "webhookSecret": []byte("whsec")}, "whsec"},
		{map[string][]byte{"accessToken": []byte("shpat")}, ""},
	} {
		if got := string(SigningSecret(c.credentials)); got != c.want {
			t.Errorf("%v: %q, want %q", c.credentials, got, c.want)
		}
	}
}
