package shopify_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestBurstIsPacedWithoutThrottling(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 1000, MaxCost: 100, RestoreRate: 500})
	c := newClient(t, sim)
	const listings = 12 // 12 × ~50 points against a 100-point bucket
	var wg sync.WaitGroup
	errs := make(chan error, listings)
	for range listings {
		wg.Go(func() {
			n := 0
			err := c.OrderRefs(ctx(t), shopify.OrderFilter{}, func(shopify.OrderRef) error { n++; return nil })
			if err == nil && n != 1000 {
				err = errors.New("short listing")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := sim.Stats(); st.Throttled != 0 || c.Stats().Throttled != 0 {
		t.Fatalf("%d THROTTLED replies", st.Throttled)
	}
	if c.Stats().CostPoints < 2*100 {
		t.Fatalf("burst cost only %d points, it does not test pacing", c.Stats().CostPoints)
	}
}

type observer struct {
	mu                sync.Mutex
	points            float64
	waits, throttleds int
	retries           int
}

func (o *observer) QueryCost(_ string, _, actual float64) {
	o.mu.Lock()
	o.points += actual
	o.mu.Unlock()
}
func (o *observer) Waited(_ string, _ time.Duration, throttled bool) {
	o.mu.Lock()
	o.waits++
	if throttled {
		o.throttleds++
	}
	o.mu.Unlock()
}
func (o *observer) Retried(string, error) { o.mu.Lock(); o.retries++; o.mu.Unlock() }

func TestThrottledByAnotherAppCompletes(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 300, RestoreRate: 1000})
	obs := &observer{}
	c := newClient(t, sim, func(cfg *shopify.Config) { cfg.Observer = obs })
	if _, err := c.ShopInfo(ctx(t)); err != nil { // learn the bucket
		t.Fatal(err)
	}
	sim.SetBucket(10) // someone else spent it
	n := 0
	if err := c.OrderRefs(ctx(t), shopify.OrderFilter{}, func(shopify.OrderRef) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Fatalf("%d orders", n)
	}
	if sim.Stats().Throttled == 0 || c.Stats().Throttled == 0 || obs.throttleds == 0 {
		t.Fatalf("expected the simulator to throttle once: %+v, %+v", sim.Stats(), c.Stats())
	}
	if obs.points == 0 || obs.points != float64(c.Stats().CostPoints) {
		t.Fatalf("observer saw %v points, stats %d", obs.points, c.Stats().CostPoints)
	}
}

func TestRetriesOnFaults(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 5})
	obs := &observer{}
	c := newClient(t, sim, func(cfg *shopify.Config) { cfg.Observer = obs })
	sim.SetFaults(shopifysim.Faults{ServerErrors: 2, Resets: 1})
	if _, err := c.ShopInfo(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if c.Stats().Retries != 3 || obs.retries != 3 {
		t.Fatalf("%d retries, want 3", c.Stats().Retries)
	}

	slow := newClient(t, sim, func(cfg *shopify.Config) { cfg.Timeout, cfg.MaxAttempts = 50*time.Millisecond, 2 })
	sim.SetFaults(shopifysim.Faults{Latency: time.Second})
	_, err := slow.ShopInfo(ctx(t))
	if !shopify.IsKind(err, shopify.KindTransport) || !shopify.IsRetryable(err) {
		t.Fatalf("slow shop: %v", err)
	}
	sim.SetFaults(shopifysim.Faults{ServerErrors: 10})
	_, err = newClient(t, sim, func(cfg *shopify.Config) { cfg.MaxAttempts = 2 }).ShopInfo(ctx(t))
	if !shopify.IsKind(err, shopify.KindServer) {
		t.Fatalf("attempts are not bounded: %v", err)
	}
}

func TestIdempotentMutationAppliedOnceAfterLostReply(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 1})
	c := newClient(t, sim)
	_, item, _ := sim.Store().VariantBySKU("SKU-01-M")
	loc := sim.Store().LocationIDs()[0]
	before, _ := sim.Store().Quantity(item, loc, "available")
	set := shopify.InventorySet{Name: "available", Reason: "correction", Quantities: []shopify.InventoryQuantity{
		{InventoryItemID: item, LocationID: loc, Quantity: before + 5, ChangeFrom: &before},
	}}
	sim.SetFaults(shopifysim.Faults{LostReplies: 1, Operation: "InventorySetQuantities"})
	if err := c.InventorySetQuantities(ctx(t), set, "sync-42"); err != nil {
		t.Fatal(err) // a second run would be refused as stale: the key replayed the first result
	}
	if q, _ := sim.Store().Quantity(item, loc, "available"); q != before+5 {
		t.Fatalf("quantity %d, want %d", q, before+5)
	}
	if n := sim.Stats().ByOperation["InventorySetQuantities"]; n != 2 {
		t.Fatalf("%d requests, want the lost one and its retry", n)
	}
	err := c.InventorySetQuantities(ctx(t), set, "sync-43")
	var e *shopify.Error
	if !errors.As(err, &e) || e.Kind != shopify.KindUserErrors || e.UserErrors[0].Code != "CHANGE_FROM_QUANTITY_STALE" {
		t.Fatalf("stale compare-and-swap: %v", err)
	}
}

func TestNonIdempotentMutationNotRetriedAfterLostReply(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 1})
	c := newClient(t, sim)
	st, err := c.OrderFulfillment(ctx(t), sim.Store().OrderIDs()[0])
	if err != nil {
		t.Fatal(err)
	}
	fo := st.FulfillmentOrders.Nodes[0]
	sim.SetFaults(shopifysim.Faults{LostReplies: 1})
	_, err = c.FulfillmentCreate(ctx(t), []shopify.FulfillmentLines{{FulfillmentOrderID: fo.ID}}, &shopify.Tracking{Company: "DHL", Number: "123"}, false)
	var e *shopify.Error
	if !errors.As(err, &e) || !e.MaybeApplied || shopify.IsRetryable(err) {
		t.Fatalf("lost reply: %v", err)
	}
	if n := sim.Stats().ByOperation["FulfillmentCreate"]; n != 1 {
		t.Fatalf("sent %d times", n)
	}
	orders, _ := c.OrdersByIDs(ctx(t), sim.Store().OrderIDs())
	if orders[0].DisplayFulfillmentStatus != "FULFILLED" {
		t.Fatalf("status %s: the mutation was applied once", orders[0].DisplayFulfillmentStatus)
	}
}

func TestClientCredentialsTokenRenewal(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 1, ClientID: "app-id", ClientSecret: "app-secret-123"})
	c := newClient(t, sim, func(cfg *shopify.Config) {
		cfg.AccessToken, cfg.ClientID, cfg.ClientSecret = "", "app-id", "app-secret-123"
	})
	for range 3 {
		if _, err := c.ShopInfo(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n := sim.Stats().ByOperation["token"]; n != 1 {
		t.Fatalf("%d token grants for 3 calls, want 1 (cached)", n)
	}
	sim.ExpireTokens()
	if _, err := c.ShopInfo(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := sim.Stats().ByOperation["token"]; n != 2 {
		t.Fatalf("%d token grants after revocation, want 2", n)
	}
	bad := newClient(t, sim, func(cfg *shopify.Config) {
		cfg.AccessToken, cfg.ClientID, cfg.ClientSecret = "", "app-id", "wrong-secret-xyz"
	})
	_, err := bad.ShopInfo(ctx(t))
	if !shopify.IsKind(err, shopify.KindUnauthorized) || strings.Contains(err.Error(), "wrong-secret-xyz") {
		t.Fatalf("bad secret: %v", err)
	}
	static := newClient(t, sim, func(cfg *shopify.Config) { cfg.AccessToken = "shpat_not_valid" })
	_, err = static.ShopInfo(ctx(t))
	if !shopify.IsKind(err, shopify.KindUnauthorized) || strings.Contains(err.Error(), "shpat_not_valid") {
		t.Fatalf("bad token: %v", err)
	}
}

func TestBare429HonoursRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0.01")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"data":{"shop":{"name":"x"}}}`))
	}))
	defer srv.Close()
	c, _ := shopify.New(shopify.Config{Endpoint: srv.URL, AccessToken: token})
	shop, err := c.ShopInfo(ctx(t))
	if err != nil || shop.Name != "x" || c.Stats().Throttled != 1 {
		t.Fatalf("%+v %v %+v", shop, err, c.Stats())
	}
}
