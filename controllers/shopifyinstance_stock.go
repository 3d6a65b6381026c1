package controllers

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/kstatus"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// exportStock sends Odoo quantities to Shopify when they are due and
// returns when they are next due. A failure shows in StockExported and
// an event but leaves Ready alone: orders keep being imported meanwhile.
func (r *ShopifyInstanceReconciler) exportStock(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn, requested bool) time.Time {
	spec, st, gen := inst.Spec.Stock, &inst.Status, inst.Generation
	if !spec.Enabled {
		st.Stock = nil
		meta.RemoveStatusCondition(&st.Conditions, v1.ConditionStockExported)
		return time.Time{}
	}
	if p := conn.Lacks(shopify.FeatureStock); p != nil {
		return r.stepBlocked(inst, v1.ConditionStockExported, "ExportStock", p)
	}
	interval := schedule.Every(spec.Interval, schedule.DefaultStockInterval)
	if st.Stock == nil {
		st.Stock = &v1.StockStatus{}
	}
	if next, due := stepDue(inst, v1.ConditionStockExported, st.Stock.LastAttemptTime, interval, requested); !due {
		return next
	}
	now := metav1.Now()
	st.Stock.LastAttemptTime = &now
	res, err := export.ExportStock(ctx, conn.Odoo, conn.Shopify, spec)
	name := metrics.Instance(inst.Namespace, inst.Name)
	metrics.StockUpdatesExported(name, "sent", res.Sent)
	metrics.StockUpdatesExported(name, "activated", res.Activated)
	if err != nil {
		metrics.StockUpdatesExported(name, "failed", 1)
		return r.stepFailed(inst, v1.ConditionStockExported, "StockExportFailed", "ExportStock", "stock export failed: "+err.Error())
	}
	st.Stock = &v1.StockStatus{LastAttemptTime: &now, LastExportTime: &now, Items: int32(res.Items), Sent: int32(res.Sent),
		Activated: int32(res.Activated), Unchanged: int32(res.Unchanged)}
	kstatus.Set(&st.Conditions, gen, v1.ConditionStockExported, metav1.ConditionTrue, "Exported", fmt.Sprintf(
		"%d items: %d quantities sent, %d items stocked at a new location, %d unchanged; every %s",
		res.Items, res.Sent, res.Activated, res.Unchanged, interval))
	return schedule.Next(&now, interval, string(inst.UID))
}
