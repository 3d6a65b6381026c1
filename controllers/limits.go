package controllers

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Limits bound what one object may cost the manager: no pass holds a
// worker longer than a step's deadline, and nothing is waited for inside
// a pass.
type Limits struct {
	// Check bounds a check of both ends, run at once: an endpoint that
	// accepts and never answers costs this much; default 30s.
	Check time.Duration
	// Step bounds one step of a pass, e.g. a queue's batch; default 2m.
	Step time.Duration
	// Export bounds a ProductExport pass, which does not resume yet: a
	// first pass over a large catalogue takes minutes; default 30m.
	Export time.Duration
	// Bulk bounds a Shopify bulk operation, polled over passes: one still
	// running after it is cancelled and started again; default 1h.
	Bulk time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.Check <= 0 {
		l.Check = 30 * time.Second
	}
	if l.Step <= 0 {
		l.Step = 2 * time.Minute
	}
	if l.Export <= 0 {
		l.Export = 30 * time.Minute
	}
	if l.Bulk <= 0 {
		l.Bulk = time.Hour
	}
	return l
}

// passContext bounds a pass for the instance inst by d and by the
// instance's life: its deletion cancels the pass. Past d the pass gives its
// worker back and fails, to be retried with backoff.
func passContext(ctx context.Context, pool *instance.Pool, inst types.NamespacedName, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, unbind := pool.Bind(ctx, inst)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() {
		cancel()
		unbind()
	}
}

// bulkPoll is how often a running bulk operation is polled.
const bulkPoll = 5 * time.Second

// ReasonListing is the reason of a condition while a bulk operation lists.
const ReasonListing = "ListingOrders"

// listOrders lists the orders matching f over passes: a listing longer than
// a page runs as a bulk operation kept in *listing, polled once a pass. It
// returns the orders once they are listed, and done false while the
// operation runs.
func listOrders(ctx context.Context, c *shopify.Client, f shopify.OrderFilter, listing **v1.BulkOperationStatus,
	timeout time.Duration) (refs []shopify.OrderRef, done bool, err error) {
	var pending *shopify.Bulk
	if l := *listing; l != nil {
		pending = &shopify.Bulk{ID: l.ID, Search: l.Search, StartedAt: l.StartedAt.Time}
	}
	next, err := c.BacklogOrderRefs(ctx, f, pending, timeout, func(o shopify.OrderRef) error {
		refs = append(refs, o)
		return nil
	})
	*listing = nil
	if next != nil {
		*listing = &v1.BulkOperationStatus{ID: next.ID, Search: next.Search, StartedAt: metav1.Time{Time: next.StartedAt}}
	}
	return refs, next == nil && err == nil, err
}
