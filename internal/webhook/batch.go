package webhook

import (
	"cmp"
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// flushTimeout bounds handing over one batch.
const flushTimeout = 30 * time.Second

// EnqueueFunc queues a batch of an instance's orders for import.
type EnqueueFunc func(ctx context.Context, key types.NamespacedName, orders []Order) error

// batcher gathers the orders an instance's webhooks name during a window
// and hands them over as one batch, so that a burst of webhooks makes a few
// queues rather than one per order. A batch that cannot be handed over
// stays for the next window.
type batcher struct {
	window  time.Duration
	most    int // orders waiting per instance before deliveries are refused
	enqueue EnqueueFunc
	failed  func(key types.NamespacedName, err error)

	mu      sync.Mutex
	running bool
	pending map[types.NamespacedName]*pending
	wg      sync.WaitGroup
}

// pending are an instance's orders waiting for their window to end.
type pending struct {
	orders map[string]Order
	timer  *time.Timer
}

// add queues o for the instance; false when the instance has too many
// orders waiting or the receiver is stopping.
func (b *batcher) add(key types.NamespacedName, o Order) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running {
		return false
	}
	p := b.pending[key]
	if p == nil {
		p = &pending{orders: map[string]Order{}}
		b.pending[key] = p
		b.wg.Add(1)
		p.timer = time.AfterFunc(b.window, func() { b.flush(key) })
	}
	id := o.Ref.LegacyResourceID
	old, ok := p.orders[id]
	if !ok && len(p.orders) >= b.most {
		return false
	}
	if ok {
		o = merge(old, o)
	}
	p.orders[id] = o
	return true
}

// merge is what two webhooks of one order say together: the latest update,
// the cancellation either tells (a refund or an update sent before the
// cancellation completed knows none), and the fulfilment status of the
// latest webhook that knows it (a refund's does not).
func merge(a, b Order) Order {
	if a.Ref.UpdatedAt.After(b.Ref.UpdatedAt) {
		a, b = b, a
	}
	b.Ref.CancelledAt = cmp.Or(b.Ref.CancelledAt, a.Ref.CancelledAt)
	b.Ref.DisplayFulfillmentStatus = cmp.Or(b.Ref.DisplayFulfillmentStatus, a.Ref.DisplayFulfillmentStatus)
	b.Always = a.Always || b.Always
	return b
}

// flush hands over the instance's waiting orders; on failure they wait
// for the next window, merged with what arrived meanwhile.
func (b *batcher) flush(key types.NamespacedName) {
	defer b.wg.Done()
	b.mu.Lock()
	p := b.pending[key]
	delete(b.pending, key)
	b.mu.Unlock()
	// Not the manager's context: the last batches are handed over while it stops.
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	orders := make([]Order, 0, len(p.orders))
	for _, o := range p.orders {
		orders = append(orders, o)
	}
	err := b.enqueue(ctx, key, orders)
	if err == nil {
		return
	}
	b.failed(key, err)
	for _, o := range orders {
		b.add(key, o)
	}
}

// start lets orders in.
func (b *batcher) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.running = true
}

// stop refuses new orders, hands over those waiting and returns when done.
func (b *batcher) stop() {
	b.mu.Lock()
	b.running = false
	for key, p := range b.pending {
		if p.timer.Stop() {
			go b.flush(key)
		}
	}
	b.mu.Unlock()
	b.wg.Wait()
}
