package importer

import (
	"context"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
)

// Reviewed counts the shop's risky quotations, known by their tag, that
// people confirmed or cancelled in Odoo.
func Reviewed(ctx context.Context, c *odoo.Client, s Settings) (v1.RiskyReviewed, error) {
	var r v1.RiskyReviewed
	var err error
	prefix, tag := keys.Prefix(s.Shop), RiskTag(s.Orders)
	if r.Confirmed, err = c.CountTagged(ctx, prefix, tag, []string{"sale", "done"}); err != nil {
		return r, err
	}
	r.Cancelled, err = c.CountTagged(ctx, prefix, tag, []string{"cancel"})
	return r, err
}

// MoveCounters moves the counters by what people did with risky quotations
// between two reviews: a confirmed one is a sales order, a cancelled one
// neither.
func MoveCounters(c *v1.Counters, now, before v1.RiskyReviewed) {
	confirmed, cancelled := now.Confirmed-before.Confirmed, now.Cancelled-before.Cancelled
	c.RiskyQuotations -= confirmed + cancelled
	c.SalesOrders += confirmed
}
