package importer

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"
)

// typical are the kinds most of a shop's orders are: paid in one
// transaction, some shipped, discounts and taxes of every sort.
var typical = []string{"multi-line", "line-discount", "order-discount", "taxes-included", "taxes-excluded-multi",
	"shipping-discount", "fulfilled", "multi-currency"}

// BenchmarkImport imports four queues through the full workflow (confirm,
// invoice, post, pay; deliver what shipped) into a fresh Odoo each time, in
// queues of the given size, and the same orders one per call for comparison.
// The first queue pays for looking up the records the spec names.
func BenchmarkImport(b *testing.B) {
	for _, mix := range []string{"typical", "every-kind"} {
		for _, size := range []int{1, 50, 250} {
			b.Run(mix+"/queue="+strconv.Itoa(size), func(b *testing.B) { benchImport(b, mix, size, size) })
		}
		b.Run(mix+"/one-at-a-time", func(b *testing.B) { benchImport(b, mix, 50, 1) })
	}
}

func benchImport(b *testing.B, mix string, orders, batch int) {
	var calls, imported int
	var spent time.Duration
	for range b.N {
		b.StopTimer()
		e := newEnv(b, 18, orders*12)
		var ids []string
		for _, id := range e.ids {
			if mix == "every-kind" || slices.Contains(typical, e.kinds[id]) {
				ids = append(ids, id)
			}
		}
		ids = ids[:orders*4]
		e.odoo.ResetCalls()
		b.StartTimer()
		start := time.Now()
		for i := 0; i < len(ids); i += batch {
			if _, err := e.im.Import(context.Background(), ids[i:min(i+batch, len(ids))]); err != nil {
				b.Fatal(err)
			}
		}
		spent += time.Since(start)
		calls += e.odoo.Calls("", "")
		imported += len(ids)
	}
	b.ReportMetric(float64(imported)/spent.Seconds(), "orders/s")
	b.ReportMetric(float64(calls)/float64(imported), "odoo-calls/order")
}
