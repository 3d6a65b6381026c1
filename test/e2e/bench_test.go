package e2e

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/controlplane"
)

// BenchmarkManagerMemory starts a manager over 1,000 and 10,000 finished
// queues of 50 orders each, as a shop that has run for a while has, and
// reports the heap the manager holds once it has seen them all, and how
// long a reconcile takes.
func BenchmarkManagerMemory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n)+"-queues", func(b *testing.B) { benchMemory(b, n) })
	}
}

func benchMemory(b *testing.B, n int) {
	ctrl.SetLogger(logr.Discard())
	cp := controlplane.ForTest(b)
	shop, o := simsOf(b, 0, 0)
	deploy(b, cp, "mem", spec(shop.URL(), o.URL()))
	createQueues(b, cp, "mem", n)
	b.ResetTimer()
	var heap, queueLatency, instLatency float64
	for range b.N {
		base := heapInUse()
		before := reconcileTime(b, "orderqueue")
		stop := run(b, newManager(b, cp))
		waitFor(b, 5*time.Minute, "every queue reconciled", func() bool { return reconcileTime(b, "orderqueue").count-before.count >= float64(n) })
		heap = max(heap, float64(heapInUse()-base))
		q, i := reconcileTime(b, "orderqueue").since(before), reconcileTime(b, "shopifyinstance")
		queueLatency, instLatency = q, i.since(histogram{})
		stop()
	}
	b.ReportMetric(heap/(1<<20), "manager-heap-MB")
	b.ReportMetric(queueLatency*1000, "queue-reconcile-ms")
	b.ReportMetric(instLatency*1000, "instance-reconcile-ms")
}

// BenchmarkOperatorImport imports a store through the manager in scheduled
// queues of 1, 50 and 250 orders, and reports orders per second from the
// instance's creation to the last queue finished, Odoo calls per order, and
// reconciles per queue.
func BenchmarkOperatorImport(b *testing.B) {
	const n = 525 // 25 of each kind the simulator generates
	for _, size := range []int32{1, 50, 250} {
		b.Run(fmt.Sprintf("queue=%d", size), func(b *testing.B) {
			ctrl.SetLogger(logr.Discard())
			cp := controlplane.ForTest(b)
			var took time.Duration
			var calls, queues, reconciles float64
			for i := range b.N {
				shop, o := simsOf(b, n, 0)
				s := spec(shop.URL(), o.URL())
				s.Orders.QueueSize, s.Fulfillment.Enabled = size, false
				ns := fmt.Sprintf("queue-%d-%d", size, i)
				stop := run(b, newManager(b, cp))
				before, start := reconcileTime(b, "orderqueue").count, time.Now()
				deploy(b, cp, ns, s)
				queues += float64(len(finished(b, cp, ns, n, 10*time.Minute)))
				took += time.Since(start)
				calls += float64(o.Calls("", ""))
				reconciles += reconcileTime(b, "orderqueue").count - before
				stop()
			}
			b.ReportMetric(float64(n*b.N)/took.Seconds(), "orders/s")
			b.ReportMetric(calls/float64(n*b.N), "odoo-calls/order")
			b.ReportMetric(reconciles/queues, "reconciles/queue")
		})
	}
}

// createQueues creates n finished queues of 50 imported orders.
func createQueues(b *testing.B, cp *controlplane.ControlPlane, ns string, n int) {
	ctx := context.Background()
	now := metav1.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				q := &v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("shop-done-%05d", i), Namespace: ns},
					Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, Source: v1.SourceScheduled}}
				for j := range 50 {
					q.Spec.OrderIDs = append(q.Spec.OrderIDs, strconv.Itoa(1e6+i*50+j))
				}
				if err := cp.Client.Create(ctx, q); err != nil {
					errs <- err
					return
				}
				q.Status = v1.OrderQueueStatus{QueueStatus: v1.QueueStatus{Phase: v1.PhaseCompleted, LastAttemptTime: &now},
					Counts: v1.OrderCounts{LineCounts: v1.LineCounts{Total: 50, Done: 50}, SalesOrders: 50}}
				for j, id := range q.Spec.OrderIDs {
					q.Status.Lines = append(q.Status.Lines, v1.OrderLine{LineStatus: v1.LineStatus{ID: id, Name: fmt.Sprintf("#%d", 1001+j), State: v1.LineDone, Attempts: 1},
						SaleOrderID: int64(i*50 + j + 1), SaleOrder: fmt.Sprintf("SHOP-#%d", 1001+j), Outcome: v1.OutcomePaid})
				}
				if err := cp.Client.Status().Update(ctx, q); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// heapInUse is the heap in use after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

type histogram struct{ count, sum float64 }

// since is the mean of the observations after h0.
func (h histogram) since(h0 histogram) float64 { return (h.sum - h0.sum) / max(1, h.count-h0.count) }

// reconcileTime reads controller-runtime's reconcile time histogram of a controller.
func reconcileTime(b testing.TB, controller string) histogram {
	var h histogram
	for _, m := range controllerMetrics(b, "controller_runtime_reconcile_time_seconds", controller) {
		h.count += float64(m.GetHistogram().GetSampleCount())
		h.sum += m.GetHistogram().GetSampleSum()
	}
	return h
}
