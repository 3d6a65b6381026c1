package controllers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/internal/webhook"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// webhookWindow is how long the receiver under test gathers orders.
const webhookWindow = 200 * time.Millisecond

// webhookURL is where the manager under test receives webhooks.
var webhookURL string

func freeURL() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "http://" + l.Addr().String(), nil
}

// webhookInstance creates the instance "shop" with webhooks on and a
// schedule that does not come round during the test.
func (f *fixture) webhookInstance(enabled bool) {
	f.secrets(goodShopify(), goodOdoo())
	f.webhookSpec(enabled)
}

// webhookSpec is webhookInstance with the Secrets made already.
func (f *fixture) webhookSpec(enabled bool) {
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.ImportInterval = &metav1.Duration{Duration: 12 * time.Hour}
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped}
		s.Webhooks = v1.WebhooksSpec{Enabled: enabled, PublicBaseURL: webhookURL}
	})
	f.ready()
}

// callback is the URL of the instance's webhooks.
func (f *fixture) callback() string { return webhookURL + webhook.Path(f.ns, "shop") }

// subscriptions are the shop's subscriptions by topic.
func (f *fixture) subscriptions() map[string]string {
	f.t.Helper()
	subs, err := f.shopify().WebhookSubscriptions(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range subs {
		out[s.Topic] = s.URI
	}
	return out
}

// webhookLines waits until the orders have finished lines in webhook
// queues, and returns every such line by order id.
func (f *fixture) webhookLines(ids ...string) map[string][]v1.OrderLine {
	f.t.Helper()
	var lines map[string][]v1.OrderLine
	eventually(f.t, fmt.Sprintf("orders %v imported from webhooks", ids), func() error {
		lines = map[string][]v1.OrderLine{}
		for _, q := range f.queues() {
			if q.Spec.Source != v1.SourceWebhook {
				return fmt.Errorf("queue %s comes from %q", q.Name, q.Spec.Source)
			}
			for _, l := range q.Status.Lines {
				if l.State != v1.LineDraft {
					lines[l.ID] = append(lines[l.ID], l)
				}
			}
		}
		for _, id := range ids {
			if len(lines[id]) == 0 {
				return fmt.Errorf("no finished line of order %s", id)
			}
		}
		return nil
	})
	return lines
}

func legacy(gid string) string { return gid[strings.LastIndex(gid, "/")+1:] }

func TestWebhooksImportWithoutTheSchedule(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(true)
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	subs := f.subscriptions()
	if len(subs) != len(webhook.Subscriptions) || len(si.Status.Webhooks.Subscriptions) != len(subs) || !strings.Contains(c.Message, f.callback()) {
		t.Fatalf("subscriptions %v, status %+v, %s", subs, si.Status.Webhooks, c.Message)
	}
	for topic, uri := range subs {
		if uri != f.callback() {
			t.Errorf("%s goes to %s", topic, uri)
		}
	}
	lastImport := si.Status.LastImportTime

	// orders/create and orders/updated from the shop.
	var ids []string
	for _, gid := range f.shop.Store().AddOrders(3) {
		ids = append(ids, legacy(gid))
	}
	lines := f.webhookLines(ids...)
	for _, id := range ids {
		if l := lines[id][0]; l.State != v1.LineDone || l.SaleOrderID == 0 {
			t.Errorf("order %s: %s %q", id, l.State, l.Message)
		}
	}
	rows, err := f.odoo.SearchRead("sale.order", []any{})
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d sale orders in Odoo, %v", len(rows), err)
	}

	// orders/cancelled from the shop; orders/paid and refunds/create as Shopify sends them.
	if err := f.shop.Store().CancelOrder("gid://shopify/Order/"+ids[1], "CUSTOMER"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	later := time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
	for topic, body := range map[string]string{
		webhook.TopicOrdersPaid:    fmt.Sprintf(`{"id": %s, "updated_at": %q, "fulfillment_status": "fulfilled"}`, ids[0], later),
		webhook.TopicRefundsCreate: fmt.Sprintf(`{"id": 77, "order_id": %s, "created_at": %q}`, ids[2], later),
	} {
		if d := f.shop.Deliver(ctx, f.callback(), topic, []byte(body)); d.Status != http.StatusOK {
			t.Fatalf("%s: %+v", topic, d)
		}
	}
	eventually(t, "each order queued again", func() error {
		lines = f.webhookLines(ids...)
		for _, id := range ids {
			if len(lines[id]) < 2 {
				return fmt.Errorf("order %s: %d lines", id, len(lines[id]))
			}
		}
		return nil
	})
	if l := lines[ids[1]]; !slices.ContainsFunc(l, func(l v1.OrderLine) bool { return l.State == v1.LineCancelled }) {
		t.Errorf("the cancelled order: %+v", l)
	}
	if err := f.get("shop", &si); err != nil || !si.Status.LastImportTime.Equal(lastImport) {
		t.Errorf("the schedule ran: %v, %v", si.Status.LastImportTime, err)
	}
	f.noSecrets()

	// Turned off, the instance's subscriptions go.
	f.update(func(s *v1.ShopifyInstanceSpec) { s.Webhooks.Enabled = false })
	eventually(t, "subscriptions removed", func() error {
		if err := f.get("shop", &si); err != nil {
			return err
		}
		if n := len(f.subscriptions()); n != 0 || si.Status.Webhooks != nil {
			return fmt.Errorf("%d subscriptions; status %+v", n, si.Status.Webhooks)
		}
		return nil
	})
}

// A Dev Dashboard app has no webhook secret: Shopify signs the webhooks it
// subscribes to with its client secret.
func TestWebhooksOfAnAppWithClientCredentials(t *testing.T) {
	f := newFixtureWith(t, 18, shopifysim.Options{ClientID: "dev-app", ClientSecret: "dev-app-secret"})
	f.secrets(map[string]string{"clientId": "dev-app", "clientSecret": "dev-app-secret"}, goodOdoo())
	f.webhookSpec(true)
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	var ids []string
	for _, gid := range f.shop.Store().AddOrders(2) {
		ids = append(ids, legacy(gid))
	}
	lines := f.webhookLines(ids...)
	for _, id := range ids {
		if l := lines[id][0]; l.State != v1.LineDone {
			t.Errorf("order %s: %+v", id, l)
		}
	}
}

func TestAppUninstalled(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(true)
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	f.shop.Uninstall()
	f.condition(&si, "shop", v1.ConditionStalled, metav1.ConditionTrue, v1.ReasonAppUninstalled)
	eventually(t, "an AppUninstalled event", func() error {
		for _, e := range f.events() {
			if e.Reason == v1.ReasonAppUninstalled && e.Regarding.Name == "shop" {
				return nil
			}
		}
		return fmt.Errorf("none")
	})
	// Installed again, a check of the store clears it and subscribes again.
	f.shop.Reinstall()
	f.runNow("reinstalled")
	f.condition(&si, "shop", v1.ConditionReady, metav1.ConditionTrue, "Connected")
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	if si.Status.Webhooks.AppUninstalledAt != nil || len(f.subscriptions()) != len(webhook.Subscriptions) {
		t.Errorf("status %+v, subscriptions %v", si.Status.Webhooks, f.subscriptions())
	}
}

// send posts a webhook for the fixture's instance, signed with secret.
func (f *fixture) send(path, shop, id, secret string, body []byte) int {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, webhookURL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set(shopify.HeaderTopic, webhook.TopicOrdersUpdated)
	req.Header.Set(shopify.HeaderShopDomain, shop)
	req.Header.Set(shopify.HeaderWebhookID, id)
	req.Header.Set(shopify.HeaderEventID, id) // one event a delivery
	req.Header.Set(shopify.HeaderHmac, shopify.Sign([]byte(secret), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhooksRejected(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(false) // the deliveries come from the test
	var ids []string
	for _, gid := range f.shop.Store().AddOrders(3) {
		ids = append(ids, legacy(gid))
	}
	body := func(id, at string) []byte {
		return fmt.Appendf(nil, `{"id": %s, "updated_at": %q, "fulfillment_status": null}`, id, at)
	}
	const shop = "test-shop.myshopify.com"
	path := webhook.Path(f.ns, "shop")
	first := body(ids[0], "2026-01-01T00:00:00Z")
	huge := append(bytes.Repeat([]byte(" "), 5<<20), first...)
	for _, c := range []struct {
		name, path, shop, secret string
		body                     []byte
		status                   int
	}{
		{"forged", path, shop, "guessed", first, http.StatusUnauthorized},
		{"another shop", path, "other-shop.myshopify.com", webhookSecret, first, http.StatusUnauthorized},
		// As a forged one: the port does not tell which instances exist.
		{"unknown instance", webhook.Path(f.ns, "other"), shop, webhookSecret, first, http.StatusUnauthorized},
		{"5 MiB", path, shop, webhookSecret, huge, http.StatusRequestEntityTooLarge},
	} {
		if got := f.send(c.path, c.shop, "w-"+c.name, c.secret, c.body); got != c.status {
			t.Errorf("%s: %d, want %d", c.name, got, c.status)
		}
	}
	// A good delivery of another order: had a rejected one been taken, it
	// would be in this batch or an earlier one.
	if got := f.send(path, shop, "w-good", webhookSecret, body(ids[1], "2026-01-01T00:00:00Z")); got != http.StatusOK {
		t.Fatalf("good delivery: %d", got)
	}
	f.webhookLines(ids[1])
	for _, q := range f.queues() {
		if slices.Contains(q.Spec.OrderIDs, ids[0]) {
			t.Errorf("a rejected delivery made %s", q.Name)
		}
	}
	// A replay of an event, even with another body, makes nothing more.
	if got := f.send(path, shop, "w-first", webhookSecret, first); got != http.StatusOK {
		t.Fatalf("first: %d", got)
	}
	f.webhookLines(ids[0])
	if got := f.send(path, shop, "w-first", webhookSecret, body(ids[0], "2026-01-02T00:00:00Z")); got != http.StatusOK {
		t.Fatalf("replay: %d", got)
	}
	if got := f.send(path, shop, "w-last", webhookSecret, body(ids[2], "2026-01-01T00:00:00Z")); got != http.StatusOK {
		t.Fatalf("last: %d", got)
	}
	f.webhookLines(ids[2])
	if n := len(f.queues()); n != 3 {
		t.Errorf("%d queues; want one per good delivery", n)
	}
}

func TestScheduleImportsWhatWebhooksMissed(t *testing.T) {
	f := newFixture(t, 18, 0)
	// A rotated secret the operator was not given: every delivery is refused.
	f.secrets(map[string]string{"accessToken": shopToken, "webhookSecret": "before-rotation"}, goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.ImportInterval = &metav1.Duration{Duration: 12 * time.Hour}
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped}
		s.Webhooks = v1.WebhooksSpec{Enabled: true, PublicBaseURL: webhookURL}
	})
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	f.shop.SetWebhookRetry(1, 0)
	id := legacy(f.shop.Store().AddOrders(1)[0])
	d := f.shop.Deliveries()
	if len(d) == 0 || slices.ContainsFunc(d, func(d shopifysim.Delivery) bool { return d.Status != http.StatusUnauthorized }) {
		t.Fatalf("deliveries %+v", d)
	}
	f.runNow("after-lost-webhook")
	eventually(t, "the order queued by the schedule", func() error {
		for _, q := range f.queues() {
			if q.Spec.Source == v1.SourceScheduled && slices.Contains(q.Spec.OrderIDs, id) {
				return nil
			}
		}
		return fmt.Errorf("not queued")
	})
}

// BenchmarkWebhookToSaleOrder measures the time from the shop's orders/create
// to the order's sale order in Odoo, for a stream of orders, with the
// test's batch window (webhookWindow) rather than the default 2s.
func BenchmarkWebhookToSaleOrder(b *testing.B) {
	f := newFixture(b, 18, 0)
	f.webhookInstance(true)
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	var (
		mu      sync.Mutex
		sent    = map[string]time.Time{} // origin to when the order was created
		latency []time.Duration
	)
	done := make(chan struct{})
	defer close(done)
	go func() { // notes when each sale order appears
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			mu.Lock()
			var origins []any
			for o := range sent {
				origins = append(origins, o)
			}
			mu.Unlock()
			rows, err := f.odoo.SearchRead("sale.order", []any{[]any{"origin", "in", origins}}, "origin")
			if err != nil {
				b.Error(err)
				return
			}
			now := time.Now()
			mu.Lock()
			for _, r := range rows {
				o := r["origin"].(string)
				latency = append(latency, now.Sub(sent[o]))
				delete(sent, o)
			}
			mu.Unlock()
		}
	}()
	for b.Loop() {
		for range 20 {
			gid := f.shop.Store().AddOrders(1)[0]
			var name string
			f.shop.Store().View(gid, func(o map[string]any) { name = o["name"].(string) })
			switch shopifysim.Kinds[(number(name)-1001)%len(shopifysim.Kinds)] {
			case "test", "unknown-sku", "custom-line", "cancelled": // no sale order
			default:
				mu.Lock()
				sent[keys.Order("test-shop.myshopify.com", legacy(gid))] = time.Now()
				mu.Unlock()
			}
			time.Sleep(25 * time.Millisecond) // a stream, not one burst
		}
		eventually(b, "every sale order", func() error {
			mu.Lock()
			defer mu.Unlock()
			if len(sent) > 0 {
				return fmt.Errorf("%d orders waiting", len(sent))
			}
			return nil
		})
	}
	slices.Sort(latency)
	at := func(p float64) float64 { return float64(latency[int(p*float64(len(latency)-1))].Milliseconds()) }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
