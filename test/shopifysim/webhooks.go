package shopifysim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Delivery is one webhook as the receiver was sent it.
type Delivery struct {
	URL       string
	Topic     string // e.g. "orders/updated"
	WebhookID string // this delivery's, the same on each of its attempts
	EventID   string // the merchant action's, the same on every delivery it caused
	Body      []byte
	Attempts  int
	Status    int // last HTTP status, 0 if the receiver was unreachable
}

// sender posts webhooks like Shopify: signed, with topic and id headers,
// retried with growing delays while the receiver answers non-2xx.
type sender struct {
	sim        *Sim
	client     *http.Client
	wg         sync.WaitGroup
	mu         sync.Mutex
	deliveries []Delivery
	// Attempts and Delay bound retries; Shopify spreads 8 tries over 4 hours,
	// tests want less.
	Attempts int
	Delay    time.Duration
}

func newSender(s *Sim) *sender {
	return &sender{sim: s, client: &http.Client{Timeout: 5 * time.Second}, Attempts: 5, Delay: 50 * time.Millisecond}
}

// SetWebhookRetry sets how many attempts a delivery gets and the first
// delay between them (doubling after each).
func (s *Sim) SetWebhookRetry(attempts int, delay time.Duration) {
	s.store.webhooks.mu.Lock()
	s.store.webhooks.Attempts, s.store.webhooks.Delay = attempts, delay
	s.store.webhooks.mu.Unlock()
}

// Deliver sends a webhook of an event of its own now and returns when it
// was accepted or the attempts ran out.
func (s *Sim) Deliver(ctx context.Context, url, topic string, body []byte) Delivery {
	return s.store.webhooks.deliver(ctx, url, topic, newID(), body)
}

// Deliveries returns the webhooks sent so far, after waiting for those in flight.
func (s *Sim) Deliveries() []Delivery {
	s.store.webhooks.wait()
	s.store.webhooks.mu.Lock()
	defer s.store.webhooks.mu.Unlock()
	return append([]Delivery(nil), s.store.webhooks.deliveries...)
}

func (w *sender) wait() { w.wg.Wait() }

func (w *sender) deliver(ctx context.Context, url, topic, event string, body []byte) Delivery {
	w.mu.Lock()
	attempts, delay := w.Attempts, w.Delay
	w.mu.Unlock()
	d := Delivery{URL: url, Topic: topic, WebhookID: newID(), EventID: event, Body: body}
	mac := hmac.New(sha256.New, []byte(w.sim.opts.WebhookSecret))
	mac.Write(body)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for d.Attempts < attempts {
		d.Attempts++
		d.Status = w.post(ctx, d, sig)
		if d.Status/100 == 2 {
			break
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			d.Attempts = attempts
		case <-t.C:
		}
		delay *= 2
	}
	w.mu.Lock()
	w.deliveries = append(w.deliveries, d)
	w.mu.Unlock()
	return d
}

func (w *sender) post(ctx context.Context, d Delivery, sig string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("X-Shopify-Topic", d.Topic)
	h.Set("X-Shopify-Hmac-Sha256", sig)
	h.Set("X-Shopify-Shop-Domain", w.sim.opts.Shop)
	h.Set("X-Shopify-Webhook-Id", d.WebhookID)
	h.Set("X-Shopify-Event-Id", d.EventID)
	h.Set("X-Shopify-API-Version", "2026-10")
	h.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func newID() string {
	return strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + randomHex()[:8]
}

// Uninstall removes the app as a merchant would: its tokens stop working,
// its subscriptions go, and those to APP_UNINSTALLED are sent the shop.
func (s *Sim) Uninstall() {
	s.mu.Lock()
	s.revoked = true
	s.mu.Unlock()
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	st.event = ""
	st.send("APP_UNINSTALLED", map[string]any{"id": 1, "name": st.shop["name"], "myshopify_domain": s.opts.Shop})
	for _, sub := range st.subs {
		delete(st.nodes, sub["id"].(string))
	}
	st.subs = nil
}

// Reinstall installs the app again: its tokens work again, with no subscriptions.
func (s *Sim) Reinstall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = false
}

// notify queues a webhook about an order to every subscription of topic,
// with the fields of Shopify's REST payload that matter here. Called with
// the store locked; delivery happens in the background.
func (st *Store) notify(topic string, o Obj) {
	body := map[string]any{
		"id": legacyID(o), "admin_graphql_api_id": o["id"], "name": o["name"], "updated_at": o["updatedAt"],
		"cancelled_at": o["cancelledAt"], "financial_status": strings.ToLower(o["displayFinancialStatus"].(string)),
		"fulfillment_status": restFulfillment[o["displayFulfillmentStatus"].(string)], "test": o["test"],
	}
	if topic == "REFUNDS_CREATE" {
		refunds := o["refunds"].([]Obj)
		r := refunds[len(refunds)-1]
		body = map[string]any{"id": legacyID(r), "admin_graphql_api_id": r["id"], "order_id": legacyID(o), "created_at": r["createdAt"]}
	}
	st.send(topic, body)
}

// restFulfillment is the REST fulfillment_status of a displayFulfillmentStatus; null when absent.
var restFulfillment = map[string]any{"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}

func legacyID(o Obj) int64 {
	n, _ := strconv.ParseInt(o["legacyResourceId"].(string), 10, 64)
	return n
}

// send delivers a payload to every subscription of topic in the background,
// as part of the merchant action under way: every delivery it causes bears
// its event id. Shopify may deliver a webhook twice (Faults.DuplicateWebhooks):
// two deliveries, each with its own webhook id, of one event.
func (st *Store) send(topic string, payload map[string]any) {
	var urls []string
	for _, s := range st.subs {
		if s["topic"] == topic {
			urls = append(urls, s["uri"].(string))
		}
	}
	if len(urls) == 0 {
		return
	}
	if st.event == "" {
		st.event = newID()
	}
	body, _ := json.Marshal(payload)
	restTopic := strings.Replace(strings.ToLower(topic), "_", "/", 1)
	for _, u := range urls {
		n := 1
		if st.sim.takeFault(restTopic, func(f *Faults) *int { return &f.DuplicateWebhooks }) {
			n = 2
		}
		for range n {
			st.webhooks.wg.Add(1)
			go func(event string) {
				defer st.webhooks.wg.Done()
				st.webhooks.deliver(background, u, restTopic, event, body)
			}(st.event)
		}
	}
}
