package shopify

import (
	"context"
	"time"
)

// For the external tests, which use the simulator (itself importing this
// package for the scopes it grants by default).

// SetClock replaces the client's clock.
func SetClock(c *Client, now func() time.Time) { c.now = now }

// AccessToken returns the token the next request would carry.
func AccessToken(ctx context.Context, c *Client) (string, error) { return c.accessToken(ctx) }
