package shopify_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const token = "shpat_test_token"

func startSim(t testing.TB, opts shopifysim.Options) *shopifysim.Sim {
	t.Helper()
	if opts.AccessToken == "" {
		opts.AccessToken = token
	}
	sim, err := shopifysim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

func newClient(t testing.TB, sim *shopifysim.Sim, edit ...func(*shopify.Config)) *shopify.Client {
	t.Helper()
	cfg := shopify.Config{Shop: "sim-shop.myshopify.com", Endpoint: sim.URL(), AccessToken: token, Timeout: 10 * time.Second}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := shopify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
