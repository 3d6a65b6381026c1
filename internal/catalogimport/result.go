// Package catalogimport brings a shop's products and customers into Odoo,
// without Kubernetes: products become templates with attributes and
// variants matched by SKU then barcode, customers become contacts with their
// addresses as child contacts, matched like the order import matches them.
// Running an import again changes nothing that has not changed.
package catalogimport

import v1 "github.com/shopify-odoo/connector/api/v1alpha1"

// Result is what became of one product or customer.
type Result struct {
	ID     string // the Shopify numeric id
	Name   string
	State  v1.LineState
	OdooID int64 // product.template or res.partner
	// Message is a short log line: what changed, or why the line failed.
	Message string
	// Retry: the failure may pass on its own.
	Retry bool
}
