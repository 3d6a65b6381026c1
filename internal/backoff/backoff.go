// Package backoff spaces the retries of calls to Shopify and Odoo.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Delay is the wait before retry number attempt (from 1): exponential from
// base, capped at limit, drawn from its upper half so that clients that failed
// together do not retry together.
func Delay(attempt int, base, limit time.Duration) time.Duration {
	d := limit
	if attempt < 32 {
		d = min(base<<(attempt-1), limit)
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
