package controllers

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=importqueues,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=importqueues/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=importqueues/finalizers,verbs=update

// importWorker imports the products, customers or stock of an ImportQueue into Odoo.
type importWorker struct{}

// importFeature is the feature whose access scopes an import needs.
var importFeature = map[v1.ImportResource]shopify.Feature{v1.ImportProducts: shopify.FeatureProducts, v1.ImportCustomers: shopify.FeatureCustomers,
	v1.ImportStock: shopify.FeatureStockImport}

func (importWorker) parts(q *v1.ImportQueue) queueParts {
	return queueParts{status: &q.Status.QueueStatus, lines: queue.Bases(q.Status.Lines), instance: q.Spec.InstanceRef.Name,
		suspend: q.Spec.Suspend, feature: importFeature[q.Spec.Resource], noun: importNoun(q.Spec.Resource)}
}

// importNoun is what the lines of an import hold: a Stock line is a variant.
func importNoun(r v1.ImportResource) string {
	if r == v1.ImportStock {
		return "variants"
	}
	return strings.ToLower(string(r))
}

func (importWorker) object() *v1.ImportQueue                         { return &v1.ImportQueue{} }
func (importWorker) objects() client.ObjectList                      { return &v1.ImportQueueList{} }
func (importWorker) settings(i *v1.ShopifyInstance) v1.QueueSettings { return i.Spec.Imports }

// ids resolves all and a window into the ids Shopify lists.
func (importWorker) ids(ctx context.Context, q *v1.ImportQueue, conn *instance.Conn) (ids []string, listed bool, err error) {
	if !q.Spec.All && q.Spec.Window == nil {
		return q.Spec.IDs, false, nil
	}
	var query string
	if w := q.Spec.Window; w != nil {
		query = shopify.UpdatedQuery(w.From.Time, w.To.Time)
	}
	list := conn.Shopify.ProductRefs
	switch q.Spec.Resource {
	case v1.ImportCustomers:
		list = conn.Shopify.CustomerRefs
	case v1.ImportStock:
		list = conn.Shopify.VariantRefs
	}
	if err = list(ctx, query, func(rec shopify.Record) error {
		ids = append(ids, rec.LegacyResourceID)
		return nil
	}); err != nil {
		return nil, true, fmt.Errorf("listing the %s to import: %w", importNoun(q.Spec.Resource), err)
	}
	return ids, true, nil
}

func (importWorker) child(q *v1.ImportQueue, name string, ids []string) *v1.ImportQueue {
	return &v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: q.Namespace},
		Spec: v1.ImportQueueSpec{InstanceRef: q.Spec.InstanceRef, Resource: q.Spec.Resource, Source: q.Spec.Source, IDs: ids}}
}

func (importWorker) draft(q *v1.ImportQueue, ids []string) {
	q.Status.Lines = queue.Draft[v1.ImportLine](ids)
}

func (importWorker) work(ctx context.Context, q *v1.ImportQueue, inst *v1.ShopifyInstance, conn *instance.Conn, ids []string) {
	im := catalogimport.Importer{Shopify: conn.Shopify, Odoo: conn.Odoo, Cache: conn.Cache,
		Settings:        importer.Settings{Shop: inst.Spec.Shopify.Shop, Odoo: inst.Spec.Odoo, Orders: inst.Spec.Orders},
		ProductSettings: inst.Spec.Products.Import, Locations: inst.Spec.Stock.Locations}
	run := map[v1.ImportResource]func(context.Context, []string) ([]catalogimport.Result, error){
		v1.ImportProducts: im.Products, v1.ImportCustomers: im.Customers, v1.ImportStock: im.Stock}[q.Spec.Resource]
	results, err := run(ctx, ids)
	queue.Record(q.Status.Lines, ids, results, err, func(r catalogimport.Result) v1.LineStatus {
		return v1.LineStatus{ID: r.ID, Name: r.Name, State: r.State, Retry: r.Retry, Message: r.Message}
	}, func(l *v1.ImportLine, r catalogimport.Result) { l.OdooID = cmp.Or(r.OdooID, l.OdooID) })
}

func (importWorker) count(q *v1.ImportQueue, c v1.LineCounts) v1.Counters {
	q.Status.Counts = c
	return queue.ImportTotals(q.Spec.Resource, c)
}

func (importWorker) completed(q *v1.ImportQueue, c v1.LineCounts) string {
	if q.Spec.Resource == v1.ImportStock {
		return fmt.Sprintf("%d variants: stock of %d imported, %d skipped (untracked in Shopify or no longer there)", c.Total, c.Done, c.Total-c.Done)
	}
	return fmt.Sprintf("%d %s: %d imported, %d no longer in Shopify", c.Total, strings.ToLower(string(q.Spec.Resource)), c.Done, c.Total-c.Done)
}
