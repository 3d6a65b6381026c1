// Package catalogimport brings a shop's products, customers and stock into
// Odoo, without Kubernetes: products become templates with attributes and
// variants matched by SKU then barcode, customers become contacts with their
// addresses as child contacts, matched like the order import matches them,
// and variants' available quantities become applied inventory counts.
// Running an import again changes nothing that has not changed.
package catalogimport

import v1 "github.com/shopify-odoo/connector/api/v1alpha1"

// Result is what became of one product, customer or variant's stock.
type Result struct {
	ID     string // the Shopify numeric id
	Name   string
	State  v1.LineState
	OdooID int64 // product.template, res.partner or (stock) product.product
	// Message is a short log line: what changed, or why the line failed.
	Message string
	// Retry: the failure may pass on its own.
	Retry bool
}
