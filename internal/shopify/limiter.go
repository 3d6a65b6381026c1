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
			now := time.Now()
			l.avail = min(l.max, l.avail+now.Sub(l.at).Seconds()*l.rate)
			l.at = now
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

// release returns a reservation and, when the reply carried extensions.cost,
// resynchronises with Shopify's view of the bucket.
func (l *limiter) release(op string, reserved float64, c *cost) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight -= reserved
	l.probing = false
	if c != nil && c.ThrottleStatus.RestoreRate > 0 {
		l.known = true
		l.max, l.rate = c.ThrottleStatus.MaximumAvailable, c.ThrottleStatus.RestoreRate
		// Requests still in flight may not have been charged yet; counting
		// them again errs on the side of never being throttled.
		l.avail = c.ThrottleStatus.CurrentlyAvailable - l.inflight
		l.at = time.Now()
		if c.RequestedQueryCost > 0 {
			l.costs[op] = c.RequestedQueryCost
		}
	} else if l.known {
		l.avail += reserved
	}
	close(l.changed)
	l.changed = make(chan struct{})
}
