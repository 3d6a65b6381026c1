package shopify

import (
	"context"
	"sync"
	"time"
)

// maxQueryCost is the most a single query may request; it is what an operation
// whose cost is not known yet reserves.
const maxQueryCost = 1000

// cost is Shopify's extensions.cost.
type cost struct {
	RequestedQueryCost float64  `json:"requestedQueryCost"`
	ActualQueryCost    *float64 `json:"actualQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// limiter mirrors one shop's leaky bucket so requests are sent only when the
// bucket can pay for them. It is shared by every client of the shop.
type limiter struct {
	mu       sync.Mutex
	known    bool // a reply has told us the bucket's state
	probing  bool // the first request is in flight; others wait for its reply
	max      float64
	rate     float64 // points per second
	avail    float64
	at       time.Time
	inflight float64 // reserved by requests not answered yet
	costs    map[string]float64
	changed  chan struct{}
}

var limiters sync.Map // shop key -> *limiter

func limiterFor(key string) *limiter {
	l, _ := limiters.LoadOrStore(key, &limiter{costs: map[string]float64{}, changed: make(chan struct{})})
	return l.(*limiter)
}

// acquire blocks until op can be paid for and reserves its expected cost.
// It returns the reservation, to be handed back to release, and the time spent waiting.
func (l *limiter) acquire(ctx context.Context, op string) (float64, time.Duration, error) {
	start := time.Now()
	for {
		l.mu.Lock()
		var wait time.Duration
		switch {
		case !l.known && !l.probing:
			l.probing = true
			l.mu.Unlock()
			return 0, time.Since(start), nil
		case l.known:
			l.refill()
			need, ok := l.costs[op]
			if !ok {
				need = maxQueryCost
			}
			need = min(need, l.max)
			if l.avail >= need {
				l.avail -= need
				l.inflight += need
				l.mu.Unlock()
				return need, time.Since(start), nil
			}
			wait = time.Duration((need - l.avail) / l.rate * float64(time.Second))
		}
		changed := l.changed
		l.mu.Unlock()
		var timer <-chan time.Time
		if wait > 0 {
			t := time.NewTimer(wait)
			timer = t.C
			defer t.Stop()
		}
		select {
		case <-ctx.Done():
			return 0, time.Since(start), ctx.Err()
		case <-changed:
		case <-timer:
		}
	}
}

func (l *limiter) refill() {
	now := time.Now()
	l.avail = min(l.max, l.avail+now.Sub(l.at).Seconds()*l.rate)
	l.at = now
}

// release settles a reservation. The bucket is tracked locally (reservations
// out, actual costs settled, restore rate in), and lowered to Shopify's view
// when a reply shows less, e.g. because another app of the shop spent points.
// Replies can arrive out of order, so Shopify's view never raises it.
func (l *limiter) release(op string, reserved float64, c *cost) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight -= reserved
	l.probing = false
	if l.known && c != nil { // without a reply Shopify may have charged it: keep it spent
		l.refill()
		l.avail += reserved
		if c.ActualQueryCost != nil {
			l.avail -= *c.ActualQueryCost
		}
	}
	if c != nil && c.ThrottleStatus.RestoreRate > 0 {
		// Requests in flight may not have been charged yet: count them.
		server := c.ThrottleStatus.CurrentlyAvailable - l.inflight
		if !l.known || server < l.avail {
			l.avail, l.at = server, time.Now()
		}
		l.known = true
		l.max, l.rate = c.ThrottleStatus.MaximumAvailable, c.ThrottleStatus.RestoreRate
		if c.RequestedQueryCost > 0 {
			l.costs[op] = c.RequestedQueryCost
		}
	}
	close(l.changed)
	l.changed = make(chan struct{})
}
