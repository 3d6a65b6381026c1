// Package keys spells every key the connector shares with Shopify and Odoo:
// the keys its Odoo records carry (shopify:<shop>/...), the external ids it
// records in Odoo, Shopify's global ids and Shopify's search strings. They
// are the contract with records made by earlier versions: change none.
package keys

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Prefix starts the keys of every record of shop: the orders' origins,
// refunds, customers and payouts.
func Prefix(shop string) string { return "shopify:" + shop + "/" }

// Order is the key of a Shopify order in its sale order's origin.
func Order(shop, legacyID string) string { return Prefix(shop) + legacyID }

// Refund is the key of a Shopify refund in its credit note's ref.
func Refund(shop, legacyID string) string { return Prefix(shop) + "refund/" + legacyID }

// CreditNote is the key of an Odoo credit note refunded in Shopify: the
// refund's idempotency key, and in its note, which tells the import that
// the refund came from Odoo.
func CreditNote(shop string, moveID int64) string {
	return fmt.Sprintf("%scredit-note/%d", Prefix(shop), moveID)
}

var creditNoteKey = regexp.MustCompile(`shopify:([^/\s]+)/credit-note/(\d+)`)

// CreditNoteOf is the Odoo credit note a refund's note names for shop; 0
// for none.
func CreditNoteOf(shop, note string) int64 {
	for _, m := range creditNoteKey.FindAllStringSubmatch(note, -1) {
		if m[1] == shop {
			id, _ := strconv.ParseInt(m[2], 10, 64)
			return id
		}
	}
	return 0
}

// Customer is the key of a Shopify customer in its contact's ref.
func Customer(shop, legacyID string) string { return Prefix(shop) + "customer/" + legacyID }

// Payout is the key of a Shopify payout in its bank statement's reference.
func Payout(shop, payoutID string) string { return Prefix(shop) + "payout/" + payoutID }

// OrderOf is the numeric id of the Shopify order an order key names.
func OrderOf(shop, key string) string { return strings.TrimPrefix(key, Prefix(shop)) }

// External id modules of the records the connector marks in Odoo.
const (
	ModuleCustomer    = "shopify_customer"    // imported customers, by ExternalName
	ModuleProduct     = "shopify_product"     // imported products, by ExternalName
	ModuleImage       = "shopify_image"       // imported products' images, by ExternalName and a hash
	ModuleFulfillment = "shopify_fulfillment" // deliveries sent to Shopify, by Mark
	ModuleCancel      = "shopify_cancel"      // orders cancelled in Shopify, by Mark
	ModuleRefund      = "shopify_refund"      // credit notes refunded in Shopify, by Mark
)

// ExternalName is the external id name of an imported Shopify record: the
// shop's handle and the record's numeric id.
func ExternalName(shop, legacyID string) string {
	return strings.TrimSuffix(shop, ".myshopify.com") + "_" + legacyID
}

// ImageName is the external id name of an imported product's images, which
// changes with their URLs' hash.
func ImageName(shop, legacyID string, hash uint64) string {
	return fmt.Sprintf("%s_%x", ExternalName(shop, legacyID), hash)
}

// Mark is the external id name of a record a one-time job handled.
func Mark(model string, id int64) string {
	return fmt.Sprintf("%s_%d", strings.ReplaceAll(model, ".", "_"), id)
}

// Shopify global id types.
const (
	TypeOrder          = "Order"
	TypeProduct        = "Product"
	TypeCustomer       = "Customer"
	TypeProductVariant = "ProductVariant"
)

// GID is the Shopify global id of a record of typ; id may be one already.
func GID(typ, id string) string { return "gid://shopify/" + typ + "/" + LegacyID(id) }

var gidPrefix = regexp.MustCompile(`^gid://shopify/\w+/`)

// LegacyID is the numeric id of a Shopify global id; a numeric id is itself.
func LegacyID(id string) string { return gidPrefix.ReplaceAllString(id, "") }

// Since is the Shopify search term of records whose field (created_at,
// updated_at) is at or after t.
func Since(field string, t time.Time) string {
	return field + ":>='" + t.UTC().Format(time.RFC3339) + "'"
}

// Before is the Shopify search term of records whose field is before t.
func Before(field string, t time.Time) string {
	return field + ":<'" + t.UTC().Format(time.RFC3339) + "'"
}

// Shopify search fields.
const (
	CreatedAt = "created_at"
	UpdatedAt = "updated_at"
)

// Between is the search of records whose field is in [from, to); zero
// ends are left open.
func Between(field string, from, to time.Time) string {
	var parts []string
	if !from.IsZero() {
		parts = append(parts, Since(field, from))
	}
	if !to.IsZero() {
		parts = append(parts, Before(field, to))
	}
	return And(parts...)
}

// And joins search terms; empty ones are left out.
func And(terms ...string) string {
	var out []string
	for _, t := range terms {
		if t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, " AND ")
}
