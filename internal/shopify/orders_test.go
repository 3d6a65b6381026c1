package shopify_test

import (
	"errors"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

func TestOrdersPaginationOver1000(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 1000, Seed: 1, RestoreRate: 1e6})
	c := newClient(t, sim)
	want := map[string]bool{}
	for _, id := range sim.Store().OrderIDs() {
		want[id] = true
	}
	got := map[string]bool{}
	var last time.Time
	err := c.Orders(ctx(t), shopify.OrderFilter{}, func(o shopify.Order) error {
		if got[o.ID] {
			return fmt.Errorf("order %s twice", o.ID)
		}
		if o.UpdatedAt.Before(last) {
			return fmt.Errorf("order %s out of updatedAt order", o.ID)
		}
		got[o.ID], last = true, o.UpdatedAt
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 || len(want) != 1000 {
		t.Fatalf("got %d orders, store has %d", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("order %s missing", id)
		}
	}
	refs := 0
	if err := c.OrderRefs(ctx(t), shopify.OrderFilter{}, func(shopify.OrderRef) error { refs++; return nil }); err != nil {
		t.Fatal(err)
	}
	st := sim.Stats()
	if refs != 1000 || st.ByOperation["OrderRefs"] != 4 {
		t.Fatalf("refs: %d orders in %d pages, want 1000 in 4", refs, st.ByOperation["OrderRefs"])
	}
	if st.ByOperation["Orders"] != 4 {
		t.Fatalf("full orders came in %d pages, want 4 of 250", st.ByOperation["Orders"])
	}
}

func TestOrdersFilterAndByIDs(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 100, Seed: 2, RestoreRate: 1e6})
	c := newClient(t, sim)
	min := time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)
	max := min.Add(12 * time.Hour)
	var in []string
	err := c.OrderRefs(ctx(t), shopify.OrderFilter{UpdatedAtMin: min, UpdatedAtMax: max}, func(r shopify.OrderRef) error {
		if r.UpdatedAt.Before(min) || !r.UpdatedAt.Before(max) {
			return fmt.Errorf("%s updated %s outside the window", r.Name, r.UpdatedAt)
		}
		in = append(in, r.ID)
		return nil
	})
	if err != nil || len(in) == 0 {
		t.Fatalf("window: %d orders, %v", len(in), err)
	}
	cancelled := 0
	err = c.OrderRefs(ctx(t), shopify.OrderFilter{Status: "cancelled"}, func(r shopify.OrderRef) error {
		if r.CancelledAt == nil {
			return fmt.Errorf("%s is not cancelled", r.Name)
		}
		cancelled++
		return nil
	})
	if err != nil || cancelled == 0 {
		t.Fatalf("cancelled: %d, %v", cancelled, err)
	}
	// REST's status:any is no value of the GraphQL search: Shopify lists
	// nothing and warns, which the client reports instead of an empty listing.
	err = c.OrderRefs(ctx(t), shopify.OrderFilter{Status: "any"}, func(shopify.OrderRef) error { return nil })
	var se *shopify.Error
	if !errors.As(err, &se) || se.Kind != shopify.KindGraphQL || se.Code != "invalid_value" {
		t.Fatalf("status:any: %v", err)
	}
	ids := append(sim.Store().OrderIDs()[:7], "gid://shopify/Order/1")
	orders, err := c.OrdersByIDs(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 7 {
		t.Fatalf("got %d orders for 7 known ids", len(orders))
	}
	for i, o := range orders {
		if o.ID != ids[i] {
			t.Fatalf("order %d is %s, want %s", i, o.ID, ids[i])
		}
	}
}

func TestLongOrderLinesAreCompleted(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 5, RestoreRate: 1e6})
	c := newClient(t, sim)
	id := sim.Store().OrderIDs()[0]
	err := sim.Store().UpdateOrder(id, func(o shopifysim.Obj) {
		lines := o["lineItems"].([]shopifysim.Obj)
		for i := 0; len(lines) < 57; i++ {
			cp := shopifysim.Obj{}
			for k, v := range lines[0] {
				cp[k] = v
			}
			cp["id"] = fmt.Sprintf("gid://shopify/LineItem/9%05d", i)
			lines = append(lines, cp)
		}
		o["lineItems"] = lines
	})
	if err != nil {
		t.Fatal(err)
	}
	orders, err := c.OrdersByIDs(ctx(t), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(orders[0].LineItems.Nodes); n != 57 {
		t.Fatalf("%d lines, want 57", n)
	}
}

func TestBulkOrdersStreamsWithFlatMemory(t *testing.T) {
	const n = 10000
	sim := startSim(t, shopifysim.Options{Orders: n, Seed: 3})
	c := newClient(t, sim)
	lines, linesOf := 0, map[string]int{}
	sim.Store().Each(func(o shopifysim.Obj) {
		lines += len(o["lineItems"].([]shopifysim.Obj))
		linesOf[o["id"].(string)] = len(o["lineItems"].([]shopifysim.Obj))
	})

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	count, gotLines := 0, 0
	var sample []shopify.Order // to size what keeping every order would cost
	err := bulkOrders(t, c, shopify.OrderFilter{}, func(o shopify.Order) error {
		count++
		gotLines += len(o.LineItems.Nodes)
		// The result is not grouped: lines must be joined by their parent.
		if len(o.LineItems.Nodes) != linesOf[o.ID] {
			return fmt.Errorf("%s: %d lines, the store has %d", o.Name, len(o.LineItems.Nodes), linesOf[o.ID])
		}
		if len(sample) < 200 {
			sample = append(sample, o)
		}
		if count%1000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != n || gotLines != lines {
		t.Fatalf("streamed %d orders with %d lines, store has %d with %d", count, gotLines, n, lines)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	withSample := ms.HeapAlloc
	runtime.KeepAlive(sample)
	sample = nil
	runtime.GC()
	runtime.ReadMemStats(&ms)
	perOrder := (withSample - min(withSample, ms.HeapAlloc)) / 200
	growth := peak - min(peak, base)
	all := perOrder * n
	t.Logf("heap growth while streaming %d KiB; keeping all orders would take ~%d KiB (%d B/order)", growth>>10, all>>10, perOrder)
	if perOrder == 0 || growth > all/5 {
		t.Fatalf("heap grew %d KiB while streaming, keeping all orders would take ~%d KiB", growth>>10, all>>10)
	}
	if st := c.Stats(); st.CostPoints > 200 {
		t.Fatalf("bulk import cost %d points", st.CostPoints)
	}
}

// Five bulk queries may run at once; a sixth may be refused.
func TestBulkOperationsAtOnce(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 3000, RestoreRate: 1e6})
	c := newClient(t, sim)
	errs := make(chan error, 6)
	for range 6 {
		go func() { errs <- bulkOrders(t, c, shopify.OrderFilter{}, func(shopify.Order) error { return nil }) }()
	}
	failed := 0
	for range 6 {
		if err := <-errs; err != nil {
			if !shopify.IsKind(err, shopify.KindUserErrors) {
				t.Fatal(err)
			}
			failed++
		}
	}
	if failed > 1 {
		t.Fatalf("%d of 6 bulk operations refused", failed)
	}
	if err := bulkOrders(t, c, shopify.OrderFilter{Query: "financial_status:no_such_status"}, func(shopify.Order) error {
		return errors.New("no order expected")
	}); err != nil {
		t.Fatal(err)
	}
}

// bulkOrders runs a BulkOrders operation to its end, as the passes of a
// reconcile would.
func bulkOrders(t testing.TB, c *shopify.Client, f shopify.OrderFilter, fn func(shopify.Order) error) error {
	b, err := c.StartBulk(ctx(t), "BulkOrders", f)
	for wait := 10 * time.Millisecond; err == nil; wait = min(2*wait, time.Second) {
		url, done, perr := c.PollBulk(ctx(t), b)
		if done || perr != nil {
			if perr != nil {
				return perr
			}
			return c.BulkOrders(ctx(t), url, fn)
		}
		time.Sleep(wait)
	}
	return err
}

// backlog calls BacklogOrderRefs until it returns no pending operation, and
// says how many calls it took.
func backlog(t *testing.T, c *shopify.Client, f shopify.OrderFilter, timeout time.Duration, fn func(shopify.OrderRef) error) (int, error) {
	var pending *shopify.Bulk
	for calls := 1; ; calls++ {
		var err error
		if pending, err = c.BacklogOrderRefs(ctx(t), f, pending, timeout, fn); pending == nil || err != nil {
			return calls, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A listing longer than a page goes through one bulk operation, polled
// call after call; a short one stays one page.
func TestBacklogOrderRefs(t *testing.T) {
	for _, n := range []int{100, 600} {
		sim := startSim(t, shopifysim.Options{Orders: n, Seed: 2, RestoreRate: 1e6})
		c := newClient(t, sim)
		got := map[string]bool{}
		calls, err := backlog(t, c, shopify.OrderFilter{}, time.Hour, func(r shopify.OrderRef) error {
			if got[r.ID] || r.LegacyResourceID == "" || r.UpdatedAt.IsZero() {
				return fmt.Errorf("ref %+v twice or incomplete", r)
			}
			got[r.ID] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		st := sim.Stats()
		wantBulk, wantCalls := 0, 1
		if n > 250 {
			wantBulk, wantCalls = 1, 2
		}
		if len(got) != n || st.ByOperation["OrderRefs"] != 1 || st.ByOperation["BulkRun"] != wantBulk || calls < wantCalls {
			t.Errorf("%d orders: listed %d in %d calls, %d pages, %d bulk operations", n, len(got), calls,
				st.ByOperation["OrderRefs"], st.ByOperation["BulkRun"])
		}
	}
}

// A bulk operation that never ends is cancelled after the timeout with an
// error; the next listing starts another, which lists every order once
// Shopify runs it.
func TestBacklogOrderRefsStuckBulk(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 300, Seed: 2, RestoreRate: 1e6})
	c := newClient(t, sim)
	sim.HoldBulk(true)
	_, err := backlog(t, c, shopify.OrderFilter{}, 50*time.Millisecond, func(shopify.OrderRef) error { return nil })
	if !shopify.IsKind(err, shopify.KindBulk) || !strings.Contains(err.Error(), "still running after") {
		t.Fatalf("stuck bulk operation: %v", err)
	}
	if st := sim.Stats(); st.ByOperation["BulkCancel"] != 1 {
		t.Errorf("%d cancels", st.ByOperation["BulkCancel"])
	}
	sim.HoldBulk(false)
	n := 0
	if _, err := backlog(t, c, shopify.OrderFilter{}, time.Hour, func(shopify.OrderRef) error { n++; return nil }); err != nil || n != 300 {
		t.Fatalf("listed %d orders after the stuck operation: %v", n, err)
	}
}

// A pending operation of another search is cancelled and another started.
func TestBacklogOrderRefsSearchChanged(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 300, Seed: 2, RestoreRate: 1e6})
	c := newClient(t, sim)
	sim.HoldBulk(true)
	none := func(shopify.OrderRef) error { return nil }
	first, err := c.BacklogOrderRefs(ctx(t), shopify.OrderFilter{}, nil, time.Hour, none)
	if err != nil || first == nil {
		t.Fatalf("no bulk operation started: %v", err)
	}
	second, err := c.BacklogOrderRefs(ctx(t), shopify.OrderFilter{Status: "open"}, first, time.Hour, none)
	if err != nil || second == nil || second.ID == first.ID || second.Search == first.Search {
		t.Fatalf("another search kept %+v, got %+v: %v", first, second, err)
	}
	if st := sim.Stats(); st.ByOperation["BulkCancel"] != 1 {
		t.Errorf("%d cancels", st.ByOperation["BulkCancel"])
	}
}

// An order's fulfillment orders and their lines are read to the last page.
func TestOrderFulfillmentReadsEveryPage(t *testing.T) {
	sim := startSim(t, shopifysim.Options{Orders: 5, RestoreRate: 1e6})
	c := newClient(t, sim)
	var id string
	sim.Store().Each(func(o shopifysim.Obj) {
		if fos := o["fulfillmentOrders"].([]shopifysim.Obj); id == "" && len(fos) > 0 {
			id = o["id"].(string)
		}
	})
	err := sim.Store().UpdateOrder(id, func(o shopifysim.Obj) {
		fo := o["fulfillmentOrders"].([]shopifysim.Obj)[0]
		lines := fo["lineItems"].([]shopifysim.Obj)
		for i := 0; len(lines) < 300; i++ {
			l := maps.Clone(lines[0])
			l["id"] = fmt.Sprintf("gid://shopify/FulfillmentOrderLineItem/9%05d", i)
			lines = append(lines, l)
		}
		fo["lineItems"] = lines
		fos := []shopifysim.Obj{fo}
		for i := 0; len(fos) < 60; i++ {
			cp := maps.Clone(fo)
			cp["id"], cp["lineItems"] = fmt.Sprintf("gid://shopify/FulfillmentOrder/9%05d", i), lines[:1]
			fos = append(fos, cp)
		}
		o["fulfillmentOrders"] = fos
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.OrderFulfillment(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if fos := st.FulfillmentOrders.Nodes; len(fos) != 60 || len(fos[0].LineItems.Nodes) != 300 || len(fos[59].LineItems.Nodes) != 1 {
		t.Fatalf("%d fulfillment orders, the first with %d lines", len(fos), len(fos[0].LineItems.Nodes))
	}
}
