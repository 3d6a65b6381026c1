package controllers

import (
	"context"
	"fmt"

	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/instance"
)

// reviewRisky moves the counters by what people did in Odoo with the risky
// quotations since the last listing. It writes them with optimistic
// locking, as finishing queues write theirs, so that neither loses the
// other's.
func (r *ShopifyInstanceReconciler) reviewRisky(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) error {
	now, err := importer.Reviewed(ctx, conn.Odoo, importer.Settings{Shop: inst.Spec.Shopify.Shop, Orders: inst.Spec.Orders})
	if err != nil {
		return fmt.Errorf("reading the risky quotations back from Odoo: %w", err)
	}
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		var live v1.ShopifyInstance
		if err := r.Get(ctx, client.ObjectKeyFromObject(inst), &live); err != nil {
			return err
		}
		before := ptr.Deref(live.Status.RiskyReviewed, v1.RiskyReviewed{})
		if before == now {
			return nil
		}
		base := live.DeepCopy()
		importer.MoveCounters(&live.Status.Counters, now, before)
		live.Status.RiskyReviewed = &now
		return r.Status().Patch(ctx, &live, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	})
}
