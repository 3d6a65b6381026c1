package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/schedule"
)

func stockInterval(inst *v1.ShopifyInstance) time.Duration {
	return schedule.Every(inst.Spec.Stock.Interval, schedule.DefaultStockInterval)
}

// exportStock sends Odoo quantities to Shopify.
func (r *ShopifyInstanceReconciler) exportStock(ctx context.Context, inst *v1.ShopifyInstance, conn *instance.Conn) (string, error) {
	st := &inst.Status
	now := metav1.Now()
	if st.Stock == nil {
		st.Stock = &v1.StockStatus{}
	}
	st.Stock.LastAttemptTime = &now
	res, err := export.ExportStock(ctx, conn.Odoo, conn.Shopify, inst.Spec.Stock)
	name := metrics.Instance(inst.Namespace, inst.Name)
	metrics.StockUpdatesExported(name, "sent", res.Sent)
	metrics.StockUpdatesExported(name, "activated", res.Activated)
	if err != nil {
		metrics.StockUpdatesExported(name, "failed", 1)
		return "", fmt.Errorf("stock export failed: %w", err)
	}
	st.Stock = &v1.StockStatus{LastAttemptTime: &now, LastExportTime: &now, Items: int32(res.Items), Sent: int32(res.Sent),
		Activated: int32(res.Activated), Unchanged: int32(res.Unchanged)}
	return fmt.Sprintf("%d items: %d quantities sent, %d items stocked at a new location, %d unchanged; every %s",
		res.Items, res.Sent, res.Activated, res.Unchanged, stockInterval(inst)), nil
}
