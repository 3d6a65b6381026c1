package catalogimport

import (
	"context"
	"fmt"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Importer imports the products, customers or stock of one instance.
type Importer struct {
	Shopify *shopify.Client
	Odoo    *odoo.Client
	// Cache is the instance's order import cache: customers are created
	// under its lock, so that an order import and a customer import do not
	// both create the same contact. Optional.
	Cache *importer.Cache
	// Settings: the shop, and spec.orders.customers for customers.
	Settings importer.Settings
	// ProductSettings is spec.products.import.
	ProductSettings v1.ProductsImport
	// newVals are more vals of the template a product becomes, when new.
	newVals func(productID string) map[string]any
	// Locations are spec.stock.locations, where stock is imported to.
	Locations []v1.LocationMapping
}

// CreateProducts imports the products orders name that Odoo lacks, as
// Products does: new ones of the type and in the category asked, without
// sales taxes when Shopify sold them untaxed, else with Odoo's defaults.
func (im *Importer) CreateProducts(ctx context.Context, p importer.NewProducts) (map[string]importer.ProductFailure, error) {
	c := *im
	c.ProductSettings.ProductType = p.Type
	c.newVals = func(id string) map[string]any {
		v := map[string]any{}
		if p.Category != 0 {
			v["categ_id"] = p.Category
		}
		if p.Untaxed[id] {
			v["taxes_id"] = []any{[]any{6, 0, []any{}}}
		}
		return v
	}
	results, err := c.Products(ctx, p.IDs)
	if err != nil {
		return nil, err
	}
	failed := map[string]importer.ProductFailure{}
	for _, r := range results {
		switch r.State {
		case v1.LineDone:
		case v1.LineSkipped:
			failed[r.ID] = importer.ProductFailure{Message: "the product is no longer in Shopify"}
		default:
			failed[r.ID] = importer.ProductFailure{Message: r.Message, Retry: r.Retry}
		}
	}
	return failed, nil
}

func gids(typ string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = keys.GID(typ, id)
	}
	return out
}

// results makes a result per id, named after the record Shopify returned
// (key gives its id and name), and skipped when Shopify returned none.
func results[T any](ids []string, recs []T, key func(T) (id, name string)) map[string]*Result {
	out := map[string]*Result{}
	for _, id := range ids {
		out[id] = &Result{ID: id, State: v1.LineSkipped, Message: "not in Shopify any more"}
	}
	for _, rec := range recs {
		id, name := key(rec)
		if r := out[id]; r != nil {
			r.Name, r.State, r.Message = name, v1.LineDone, ""
		}
	}
	return out
}

func ordered(ids []string, byID map[string]*Result) []Result {
	out := make([]Result, len(ids))
	for i, id := range ids {
		out[i] = *byID[id]
	}
	return out
}

// failAll fails every done result with err: a batch call failed, and
// whether it may pass on its own decides the retry.
func failAll(byID map[string]*Result, err error) {
	for _, r := range byID {
		if r.State == v1.LineDone {
			r.State, r.Message, r.Retry = v1.LineFailed, err.Error(), odoo.IsRetryable(err) || shopify.IsRetryable(err)
		}
	}
}

// linkIDs returns ids as x2many link commands.
func linkIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = []any{4, id}
	}
	return out
}

// count says n things, in the singular for one.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
