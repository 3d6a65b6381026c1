package export_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// costMeter sums the cost Shopify reports.
type costMeter struct {
	mu     sync.Mutex
	points float64
}

func (m *costMeter) QueryCost(_ string, _, actual float64) {
	m.mu.Lock()
	m.points += actual
	m.mu.Unlock()
}
func (m *costMeter) Waited(string, time.Duration, bool) {}
func (m *costMeter) Retried(string, error)              {}

// plus is a Shopify Plus store's GraphQL rate: 1,000 points a second.
var plus = shopifysim.Options{RestoreRate: 1000, MaxCost: 10000}

func meteredShop(b *testing.B, e *env, opts shopifysim.Options) *costMeter {
	b.Helper()
	opts.AccessToken = token
	ss, err := shopifysim.Start(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ss.Close)
	m := &costMeter{}
	if e.shop, err = shopify.New(shopify.Config{Endpoint: ss.URL(), AccessToken: token, Timeout: 10 * time.Second, Observer: m}); err != nil {
		b.Fatal(err)
	}
	e.shopSim = ss
	return m
}

// heapGrowth samples the live heap until stop is closed and returns how far
// it grew: what a pass holds, beside the simulators' records.
func heapGrowth(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	go func() {
		peak := base
		for {
			runtime.GC() // live memory, not garbage waiting for collection
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak - base
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return out
}

// BenchmarkExportProducts exports 637 templates (10,120 variants) into an
// empty Plus store. Cost per variant gives the rate of any other plan: a
// standard store restores 100 points a second. The heap figure is the
// growth during a second pass over the whole catalogue, read in pages.
func BenchmarkExportProducts(b *testing.B) {
	e := start(b, shopifysim.Options{EmptyCatalog: true})
	e.odooSim.AddProducts(catalog.Large(625))
	variants := 120 + 625*16
	var spent time.Duration
	var points float64
	var peak uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		opts := plus
		opts.EmptyCatalog = true
		m := meteredShop(b, &e, opts)
		b.StartTimer()
		t0 := time.Now()
		r := e.export(b, saleable(), export.State{})
		spent += time.Since(t0)
		b.StopTimer()
		if r.Counts.Exported != 637 || e.shopSim.Stats().Throttled != 0 {
			b.Fatalf("%+v, %d throttled", r.Counts, e.shopSim.Stats().Throttled)
		}
		points += m.points
		// A pass that reads every template again, all up to date: the
		// simulated store does not grow, so the heap's growth is the pass's.
		stop := make(chan struct{})
		heap := heapGrowth(stop)
		e.export(b, saleable(), export.State{})
		close(stop)
		peak = max(peak, <-heap)
		b.StartTimer()
	}
	n := float64(b.N * variants)
	b.ReportMetric(n/spent.Seconds(), "variants/s")
	b.ReportMetric(points/n, "cost/variant")
	b.ReportMetric(100/(points/n), "variants/s@100pts")
	b.ReportMetric(float64(peak)/(1<<20), "full-pass-heap-MB")
}

// BenchmarkExportStock sends a changed quantity for each of the 120 items
// at two locations, the steady state of a shop whose stock moves.
func BenchmarkExportStock(b *testing.B) {
	e := start(b, shopifysim.Options{})
	m := meteredShop(b, &e, plus)
	e.stock(b, mapping) // stocks every item at both locations
	var spent time.Duration
	var sent int
	m.points = 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		var ids []struct {
			ID int64 `json:"id"`
		}
		if err := e.odoo.SearchRead(ctx(b), "stock.quant", odoo.Domain{}, []string{"id"}, 0, "id", &ids); err != nil {
			b.Fatal(err)
		}
		all := make([]int64, len(ids))
		for j, q := range ids {
			all[j] = q.ID
		}
		e.write(b, "stock.quant", all, map[string]any{"quantity": float64(50 + i%40)})
		b.StartTimer()
		t0 := time.Now()
		r := e.stock(b, v1.StockSpec{Locations: mapping.Locations})
		spent += time.Since(t0)
		sent += r.Sent
	}
	b.ReportMetric(float64(sent)/spent.Seconds(), "updates/s")
	b.ReportMetric(m.points/float64(sent), "cost/update")
}
