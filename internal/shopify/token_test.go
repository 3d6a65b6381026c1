package shopify_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	sim, err := shopifysim.Start(shopifysim.Options{ClientID: "id", ClientSecret: "secret", TokenTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c, err := shopify.New(shopify.Config{Endpoint: sim.URL(), ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	shopify.SetClock(c, func() time.Time { return clock })
	ctx := context.Background()
	first, err := shopify.AccessToken(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(50 * time.Minute)
	if tok, _ := shopify.AccessToken(ctx, c); tok != first {
		t.Fatal("renewed too early")
	}
	clock = clock.Add(5 * time.Minute) // past 90% of the hour
	if tok, _ := shopify.AccessToken(ctx, c); tok == first || tok == "" {
		t.Fatal("not renewed before expiry")
	}
	if n := sim.Stats().ByOperation["token"]; n != 2 {
		t.Fatalf("%d grants, want 2", n)
	}
}
