package shopify

import (
	"slices"
	"strings"
)

// Feature is a part of the connector an instance turns on; each needs its
// own access scopes, so that a scope missing for one stops only that one.
type Feature string

// The features, as conditions and messages name them.
const (
	FeatureOrders       Feature = "orders" // the import, its webhooks and the store check
	FeatureFulfillments Feature = "fulfillments"
	FeatureStock        Feature = "stock"
	FeatureProducts     Feature = "products" // export and import
	FeatureCustomers    Feature = "customers"
	FeaturePayouts      Feature = "payouts"
	FeaturePublishing   Feature = "publishing"   // a product export's publications
	FeatureStockImport  Feature = "stock import" // an ImportQueue of Stock
)

// Features lists every feature.
var Features = []Feature{FeatureOrders, FeatureFulfillments, FeatureStock, FeatureProducts, FeatureCustomers, FeaturePayouts, FeaturePublishing, FeatureStockImport}

// featureScopes are the access scopes each feature needs, a write scope
// standing for its read scope too. A test derives them from the documents
// each feature sends and Shopify's access metadata, so that a field added
// to a document cannot need a scope nobody asks for.
var featureScopes = map[Feature][]string{
	// Order.customer is a Customer, LineItem.variant a ProductVariant and
	// the fulfillment orders' assigned location a Location.
	FeatureOrders:       {"read_orders", "read_customers", "read_products"},
	FeatureFulfillments: {"write_orders", "read_locations", "write_merchant_managed_fulfillment_orders"},
	FeatureStock:        {"read_products", "read_locations", "write_inventory"},
	FeatureProducts:     {"write_products"},
	FeatureCustomers:    {"read_customers"},
	// An approval scope: Shopify grants it to apps it approved for payouts.
	FeaturePayouts: {"read_shopify_payments"},
	// Reading which channels a product is on finds it among nodes.
	FeaturePublishing: {"read_products", "write_publications"},
	// InventoryItem.inventoryLevels needs read_inventory; a Location either.
	FeatureStockImport: {"read_products", "read_inventory", "read_locations"},
}

// ScopeAllOrders lifts the 60-day window: without it Shopify shows an app
// only the orders created in the last 60 days.
const ScopeAllOrders = "read_all_orders"

// Scopes are the access scopes the feature needs.
func (f Feature) Scopes() []string { return slices.Clone(featureScopes[f]) }

// Missing are the feature's scopes that granted lacks.
func (f Feature) Missing(granted []string) []string {
	var out []string
	for _, s := range f.Scopes() {
		if !HasScope(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

// HasScope reports whether granted includes scope: itself or, for a read
// scope, its write scope, which grants reading too.
func HasScope(granted []string, scope string) bool {
	return slices.Contains(granted, scope) || slices.Contains(granted, "write_"+strings.TrimPrefix(scope, "read_"))
}
