package controllers

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/internal/webhook"
)

// secretReads counts the manager's requests for Secrets at the API server:
// reads, and the watches that fill its cache.
var secretReads counter

type counter struct{ reads, watches atomic.Int64 }

func (c *counter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/secrets") {
			if req.URL.Query().Get("watch") == "true" {
				c.watches.Add(1)
			} else {
				c.reads.Add(1)
			}
		}
		return rt.RoundTrip(req)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// A Secret that does not exist, one without the credentials label and one
// that lacks a key read the same in the status: someone who cannot read
// Secrets learns nothing of them from an instance.
func TestUnusableSecretsReadTheSame(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.create(secret("shop", goodShopify()))
	unlabelled := secret("unlabelled", goodOdoo())
	unlabelled.Labels = nil
	f.create(unlabelled)
	f.create(secret("keyless", map[string]string{"username": "admin"}))
	messages := map[string]string{}
	for _, ref := range []string{"missing", "unlabelled", "keyless"} {
		f.instanceNamed(ref, func(s *v1.ShopifyInstanceSpec) { s.Odoo.CredentialsSecretRef.Name = ref })
		var si v1.ShopifyInstance
		c := f.condition(&si, ref, v1.ConditionOdooConnected, metav1.ConditionFalse, instance.ReasonCredentialsUnusable)
		f.condition(&si, ref, v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonCredentialsUnusable)
		messages[ref] = strings.Replace(c.Message, fmt.Sprintf("%q", ref), `"X"`, 1)
	}
	if messages["missing"] != messages["unlabelled"] || messages["missing"] != messages["keyless"] {
		t.Errorf("the messages differ: %q", messages)
	}
	f.noSecrets()
}

// The webhook port reads instances and their signing secrets from the
// manager's cache: deliveries cost the API server nothing. An unknown
// instance is answered as a forged delivery is.
func TestWebhooksReadNoSecretFromTheAPIServer(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(false)
	body := []byte(`{"id": 1}`)
	path := webhook.Path(f.ns, "shop")
	const shop = "test-shop.myshopify.com"
	if secretReads.watches.Load() == 0 {
		t.Fatal("the counter saw no request for Secrets, not even the cache's watch")
	}
	before := secretReads.reads.Load()
	for i := range 300 {
		req, err := http.NewRequest(http.MethodPost, webhookURL+path, strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		// A topic the receiver does not act on: verified, then ignored.
		req.Header = delivery(shop, "products/update", fmt.Sprint("w", i), webhookSecret, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, resp.StatusCode)
		}
	}
	if n := secretReads.reads.Load() - before; n != 0 {
		t.Errorf("300 deliveries read Secrets %d times at the API server", n)
	}
	forged := f.send(path, shop, "forged", "guessed", body)
	unknown := f.send(webhook.Path(f.ns, "nobody"), shop, "unknown", webhookSecret, body)
	if forged != http.StatusUnauthorized || unknown != forged {
		t.Errorf("forged %d, unknown instance %d: want the same 401", forged, unknown)
	}
}

// delivery is the headers of a webhook of topic, signed with secret.
func delivery(shop, topic, id, secret string, body []byte) http.Header {
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, shop)
	h.Set(shopify.HeaderWebhookID, id)
	h.Set(shopify.HeaderHmac, shopify.Sign([]byte(secret), body))
	return h
}

// The topic header is not signed: a signed order body replayed as
// app/uninstalled does not stall an instance whose shop still accepts the
// app's credentials.
func TestAReplayedUninstallDoesNotStallTheInstance(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(false)
	body := []byte(`{"id": 1, "updated_at": "2026-01-01T00:00:00Z"}`)
	req, err := http.NewRequest(http.MethodPost, webhookURL+webhook.Path(f.ns, "shop"), strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = delivery("test-shop.myshopify.com", webhook.TopicAppUninstalled, "replayed", webhookSecret, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// What the receiver records it records before it answers.
	var si v1.ShopifyInstance
	if err := f.get("shop", &si); err != nil {
		t.Fatal(err)
	}
	if w := si.Status.Webhooks; w != nil && w.AppUninstalledAt != nil || !meta.IsStatusConditionTrue(si.Status.Conditions, v1.ConditionReady) {
		t.Errorf("the replay stalled the instance: %+v %+v", si.Status.Webhooks, si.Status.Conditions)
	}
}
