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
		c, n, d := importOnce(b, mix, orders, batch)
		calls, imported, spent = calls+c, imported+n, spent+d
	}
	b.ReportMetric(float64(imported)/spent.Seconds(), "orders/s")
	b.ReportMetric(float64(calls)/float64(imported), "odoo-calls/order")
}

// BenchmarkAgainstOneAtATime imports the same 200 typical orders in queues
// of 50 and one order per call into fresh Odoos, in the same run, and
// reports how many times faster and with how many times fewer Odoo calls
// the queues are.
func BenchmarkAgainstOneAtATime(b *testing.B) {
	var queued, naive [2]float64 // calls, seconds
	for range b.N {
		c, _, d := importOnce(b, "typical", 50, 50)
		queued[0], queued[1] = queued[0]+float64(c), queued[1]+d.Seconds()
		c, _, d = importOnce(b, "typical", 50, 1)
		naive[0], naive[1] = naive[0]+float64(c), naive[1]+d.Seconds()
	}
	b.ReportMetric(naive[1]/queued[1], "times-faster")
	b.ReportMetric(naive[0]/queued[0], "times-fewer-calls")
}

// importOnce imports orders*4 orders of the mix into a fresh Odoo, batch
// orders per call, and returns the Odoo calls, the orders and the time.
func importOnce(b *testing.B, mix string, orders, batch int) (int, int, time.Duration) {
	b.StopTimer()
	defer b.StartTimer()
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
	spent := time.Since(start)
	b.StopTimer()
	return e.odoo.Calls("", ""), len(ids), spent
}
