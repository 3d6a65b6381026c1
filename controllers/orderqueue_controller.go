package controllers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/metrics"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// orderWorker imports the orders of an OrderQueue into Odoo.
type orderWorker struct {
	bulk time.Duration // how long a bulk operation listing a window may run
}

func (orderWorker) object() *v1.OrderQueue     { return &v1.OrderQueue{} }
func (orderWorker) objects() client.ObjectList { return &v1.OrderQueueList{} }
func (orderWorker) settings(i *v1.ShopifyInstance) v1.QueueSettings {
	return i.Spec.Orders.QueueSettings
}

func (orderWorker) parts(q *v1.OrderQueue) queueParts {
	return queueParts{status: &q.Status.QueueStatus, lines: queue.Bases(q.Status.Lines), instance: q.Spec.InstanceRef.Name,
		suspend: q.Spec.Suspend, feature: shopify.FeatureOrders, noun: "orders"}
}

// ids resolves a window into the orders updated within it, in an order a
// repeated listing keeps.
func (o orderWorker) ids(ctx context.Context, q *v1.OrderQueue, conn *instance.Conn) ([]string, bool, error) {
	w := q.Spec.Window
	if w == nil {
		return q.Spec.OrderIDs, false, nil
	}
	f := shopify.OrderFilter{UpdatedAtMin: w.From.Time, UpdatedAtMax: w.To.Time}
	refs, done, err := listOrders(ctx, conn.Shopify, f, &q.Status.WindowListing, o.bulk)
	switch {
	case err != nil:
		return nil, true, fmt.Errorf("listing the orders of the window: %w", err)
	case !done:
		return nil, true, fmt.Errorf("%w the orders of the window in Shopify bulk operation %s", errListing, q.Status.WindowListing.ID)
	}
	schedule.Sort(refs)
	ids := make([]string, len(refs))
	for i, o := range refs {
		ids[i] = o.LegacyResourceID
	}
	return ids, true, nil
}

func (orderWorker) child(q *v1.OrderQueue, name string, ids []string) *v1.OrderQueue {
	return &v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: q.Namespace},
		Spec: v1.OrderQueueSpec{InstanceRef: q.Spec.InstanceRef, Type: q.Spec.Type, Source: v1.SourceManual, OrderIDs: ids}}
}

func (orderWorker) draft(q *v1.OrderQueue, ids []string) {
	q.Status.Lines = queue.Draft[v1.OrderLine](ids)
}

func (orderWorker) work(ctx context.Context, q *v1.OrderQueue, inst *v1.ShopifyInstance, conn *instance.Conn, ids []string) {
	settings := importer.Settings{Shop: inst.Spec.Shopify.Shop, Odoo: inst.Spec.Odoo, Orders: inst.Spec.Orders}
	im := importer.Importer{Shopify: conn.Shopify, Odoo: conn.Odoo, Cache: conn.Cache, Settings: settings,
		Products: &catalogimport.Importer{Shopify: conn.Shopify, Odoo: conn.Odoo, Cache: conn.Cache, Settings: settings,
			ProductSettings: inst.Spec.Products.Import},
		AllOrders: shopify.HasScope(conn.Shop.AccessScopes, shopify.ScopeAllOrders)}
	results, err := im.Import(ctx, ids)
	queue.Record(q.Status.Lines, ids, results, err, func(r importer.Result) v1.LineStatus {
		return v1.LineStatus{ID: r.ID, Name: r.Name, State: r.State, Retry: r.Retry, Message: r.Message}
	}, func(l *v1.OrderLine, r importer.Result) {
		l.Outcome, l.Delivered = r.Outcome, r.Delivered
		l.SaleOrderID, l.SaleOrder = cmp.Or(r.SaleOrderID, l.SaleOrderID), cmp.Or(r.SaleOrder, l.SaleOrder)
	})
	tried := slices.DeleteFunc(slices.Clone(q.Status.Lines), func(l v1.OrderLine) bool { return !slices.Contains(ids, l.ID) })
	metrics.QueueLines(metrics.Instance(q.Namespace, inst.Name), tried)
}

func (orderWorker) count(q *v1.OrderQueue, c v1.LineCounts) v1.Counters {
	q.Status.Counts = queue.OrderCounts(q.Status.Lines, c)
	return queue.OrderTotals(q.Status.Counts)
}

func (orderWorker) completed(_ *v1.OrderQueue, c v1.LineCounts) string {
	return fmt.Sprintf("%d orders: %d imported, %d cancelled, %d skipped", c.Total, c.Done, c.Cancelled, c.Skipped)
}
