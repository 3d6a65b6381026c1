package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// Webhook request headers Shopify sets.
const (
	HeaderHmac        = "X-Shopify-Hmac-Sha256"
	HeaderTopic       = "X-Shopify-Topic"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderWebhookID   = "X-Shopify-Webhook-Id"
	HeaderEventID     = "X-Shopify-Event-Id"
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
	HeaderAPIVersion  = "X-Shopify-API-Version"
)

// Sign returns the X-Shopify-Hmac-Sha256 value for body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyWebhook reports whether signature (the header value) is the
// HMAC-SHA256 of the raw body under secret. The comparison takes constant time.
func VerifyWebhook(secret, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(secret) == 0 {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// WebhookMeta is what the headers of a webhook request say.
type WebhookMeta struct {
	Topic     string // e.g. "orders/updated"
	Shop      string
	WebhookID string // unique to each delivery
	// EventID is the merchant action's, shared by every delivery it caused,
	// to every topic: with the topic, it tells a duplicate delivery.
	EventID     string
	APIVersion  string
	TriggeredAt time.Time // zero if absent or malformed
}

// ParseWebhookHeaders reads the Shopify webhook headers.
func ParseWebhookHeaders(h http.Header) WebhookMeta {
	t, _ := time.Parse(time.RFC3339Nano, h.Get(HeaderTriggeredAt))
	return WebhookMeta{
		Topic: h.Get(HeaderTopic), Shop: h.Get(HeaderShopDomain), WebhookID: h.Get(HeaderWebhookID),
		EventID: h.Get(HeaderEventID), APIVersion: h.Get(HeaderAPIVersion), TriggeredAt: t,
	}
}
