package shopify_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestVerifyWebhook(t *testing.T) {
	// HMAC-SHA256 of the body under the secret, base64, as Shopify documents;
	// the expected value was computed independently with openssl.
	secret := []byte("hush")
	body := []byte(`{"id":820982911946154508,"email":"jon@example.com","name":"#1001"}`)
	const sig = "ZwyWQv9FKGUwNskp9sBT4vygSUVzgavCMKmZXIHEqr0="
	if !shopify.VerifyWebhook(secret, body, sig) || shopify.Sign(secret, body) != sig {
		t.Fatal("the documented signature is rejected")
	}
	forged := []byte(`{"id":820982911946154508,"email":"jon@example.com","name":"#1002"}`)
	for _, c := range []struct {
		secret, body []byte
		sig          string
	}{{secret, forged, sig}, {[]byte("other"), body, sig}, {secret, body, "not base64!"}, {secret, body, ""}, {nil, body, sig}} {
		if shopify.VerifyWebhook(c.secret, c.body, c.sig) {
			t.Fatalf("accepted %s / %q", c.body, c.sig)
		}
	}
}

func TestWebhookDeliveryAndSubscriptions(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 3, ClientSecret: "whsec", ClientID: "id"})
	sim.SetWebhookRetry(3, 0)
	c := newClient(t, sim)
	var mu sync.Mutex
	var metas []shopify.WebhookMeta
	calls := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusInternalServerError) // Shopify must retry
			return
		}
		if !shopify.VerifyWebhook([]byte("whsec"), body, r.Header.Get(shopify.HeaderHmac)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		metas = append(metas, shopify.ParseWebhookHeaders(r.Header))
	}))
	defer recv.Close()
	sub, err := c.CreateWebhookSubscription(ctx(t), "ORDERS_UPDATED", recv.URL+"/hooks")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateWebhookSubscription(ctx(t), "ORDERS_UPDATED", recv.URL+"/hooks"); !shopify.IsKind(err, shopify.KindUserErrors) {
		t.Fatalf("duplicate subscription: %v", err)
	}
	subs, err := c.WebhookSubscriptions(ctx(t))
	if err != nil || len(subs) != 1 || subs[0].ID != sub.ID || subs[0].Topic != "ORDERS_UPDATED" {
		t.Fatalf("subscriptions %+v, %v", subs, err)
	}
	id := sim.Store().OrderIDs()[0]
	if err := sim.Store().UpdateOrder(id, func(o shopifysim.Obj) { o["note"] = "gift" }); err != nil {
		t.Fatal(err)
	}
	ds := sim.Deliveries()
	if len(ds) != 1 || ds[0].Attempts != 2 || ds[0].Status != 200 {
		t.Fatalf("deliveries %+v", ds)
	}
	mu.Lock()
	m := metas[0]
	mu.Unlock()
	if m.Topic != "orders/updated" || m.Shop != "sim-shop.myshopify.com" || m.WebhookID == "" || m.TriggeredAt.IsZero() {
		t.Fatalf("headers %+v", m)
	}
	if err := c.DeleteWebhookSubscription(ctx(t), sub.ID); err != nil {
		t.Fatal(err)
	}
	if subs, _ := c.WebhookSubscriptions(ctx(t)); len(subs) != 0 {
		t.Fatalf("%d subscriptions left", len(subs))
	}
}
