package shopify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/shopify-odoo/connector/internal/decimal"
)

// Shop describes the store and what the app may do in it.
type Shop struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Domain                string   `json:"myshopifyDomain"`
	Email                 string   `json:"email"`
	CurrencyCode          string   `json:"currencyCode"`
	Timezone              string   `json:"ianaTimezone"`
	TaxesIncluded         bool     `json:"taxesIncluded"`
	PresentmentCurrencies []string `json:"enabledPresentmentCurrencies"`
	Plan                  struct {
		DisplayName        string `json:"publicDisplayName"`
		PartnerDevelopment bool   `json:"partnerDevelopment"`
		ShopifyPlus        bool   `json:"shopifyPlus"`
	} `json:"plan"`
	AccessScopes []string `json:"-"`
}

// ShopInfo returns the shop and the access scopes granted to the app.
func (c *Client) ShopInfo(ctx context.Context) (Shop, error) {
	var data struct {
		Shop         Shop `json:"shop"`
		Installation struct {
			Scopes []struct{ Handle string } `json:"accessScopes"`
		} `json:"currentAppInstallation"`
	}
	if err := c.do(ctx, doc("ShopInfo"), map[string]any{}, &data); err != nil {
		return Shop{}, err
	}
	for _, s := range data.Installation.Scopes {
		data.Shop.AccessScopes = append(data.Shop.AccessScopes, s.Handle)
	}
	return data.Shop, nil
}

// Location is a place that stocks and ships goods.
type Location struct {
	ID                   string `json:"id"`
	LegacyResourceID     string `json:"legacyResourceId"`
	Name                 string `json:"name"`
	IsActive             bool   `json:"isActive"`
	FulfillsOnlineOrders bool   `json:"fulfillsOnlineOrders"`
	Address              struct {
		CountryCode string `json:"countryCode"`
		City        string `json:"city"`
	} `json:"address"`
}

// FindLocation is the location of locs a mapping names, by gid or name.
func FindLocation(locs []Location, ref string) (Location, bool) {
	for _, l := range locs {
		if l.ID == ref || l.Name == ref {
			return l, true
		}
	}
	return Location{}, false
}

// Locations returns the shop's active locations.
func (c *Client) Locations(ctx context.Context) ([]Location, error) {
	return all[Location](ctx, c, "Locations", map[string]any{"first": pageSize})
}

// VariantsBySKU returns the variants whose SKU is one of skus (several
// variants may share one).
func (c *Client) VariantsBySKU(ctx context.Context, skus []string) ([]Variant, error) {
	var out []Variant
	const perQuery = 50 // keeps the search string short
	for start := 0; start < len(skus); start += perQuery {
		q := ""
		for i, s := range skus[start:min(start+perQuery, len(skus))] {
			if i > 0 {
				q += " OR "
			}
			quoted, _ := json.Marshal(s)
			q += "sku:" + string(quoted)
		}
		vs, err := all[Variant](ctx, c, "Variants", map[string]any{"first": pageSize, "query": q})
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// ProductInput is a whole product for ProductSet. Variants and files left
// out are deleted by Shopify; metafields given are set, others kept.
type ProductInput struct {
	ID              string // identifies the product instead of Handle
	Handle          string
	Title           string
	Vendor          string
	ProductType     string
	DescriptionHTML string
	Status          string // ACTIVE, DRAFT, ARCHIVED; default ACTIVE
	Options         []string
	Variants        []VariantInput
	Tags            []string
	Files           []FileInput
	Metafields      []Metafield
}

// VariantInput is one variant; OptionValues follow ProductInput.Options.
type VariantInput struct {
	ID              string // an existing variant, matched by ID rather than SKU
	SKU             string
	Barcode         string
	Price           decimal.Decimal
	CompareAtPrice  *decimal.Decimal
	OptionValues    []string
	WeightKg        float64
	HSCode          string
	CountryOfOrigin string // ISO 3166-1 alpha-2
	File            *FileInput
	Tracked         bool // have Shopify track the inventory; false leaves tracking as it is
}

func (v VariantInput) input(ov []map[string]any) map[string]any {
	item := map[string]any{}
	if v.Tracked {
		item["tracked"] = true
	}
	if v.HSCode != "" {
		item["harmonizedSystemCode"] = v.HSCode
	}
	if v.CountryOfOrigin != "" {
		item["countryCodeOfOrigin"] = v.CountryOfOrigin
	}
	if v.WeightKg > 0 {
		item["measurement"] = map[string]any{"weight": map[string]any{"unit": "KILOGRAMS", "value": v.WeightKg}}
	}
	in := map[string]any{"sku": v.SKU, "barcode": v.Barcode, "price": v.Price, "optionValues": ov, "inventoryItem": item}
	if v.ID != "" {
		in["id"] = v.ID
	}
	if v.CompareAtPrice != nil {
		in["compareAtPrice"] = v.CompareAtPrice
	}
	if v.File != nil {
		in["file"] = v.File.input()
	}
	return in
}

// Product is what ProductSet returns.
type Product struct {
	ID       string
	Handle   string
	Variants []Variant
}

// ProductSet creates or replaces the product with p.Handle.
func (c *Client) ProductSet(ctx context.Context, p ProductInput) (Product, error) {
	status := p.Status
	if status == "" {
		status = "ACTIVE"
	}
	values := make([][]string, len(p.Options))
	seen := map[[2]string]bool{}
	var variants []map[string]any
	for _, v := range p.Variants {
		var ov []map[string]any
		for i, val := range v.OptionValues {
			if i < len(p.Options) && !seen[[2]string{p.Options[i], val}] {
				seen[[2]string{p.Options[i], val}] = true
				values[i] = append(values[i], val)
			}
			if i < len(p.Options) {
				ov = append(ov, map[string]any{"optionName": p.Options[i], "name": val})
			}
		}
		variants = append(variants, v.input(ov))
	}
	var options []map[string]any
	for i, name := range p.Options {
		var vals []map[string]any
		for _, v := range values[i] {
			vals = append(vals, map[string]any{"name": v})
		}
		options = append(options, map[string]any{"name": name, "position": i + 1, "values": vals})
	}
	input := map[string]any{
		"handle": p.Handle, "title": p.Title, "vendor": p.Vendor, "productType": p.ProductType,
		"descriptionHtml": p.DescriptionHTML, "status": status, "productOptions": options, "variants": variants,
	}
	if p.Tags != nil {
		input["tags"] = p.Tags
	}
	if p.Files != nil {
		files := make([]map[string]any, len(p.Files))
		for i := range p.Files {
			files[i] = p.Files[i].input()
		}
		input["files"] = files
	}
	if p.Metafields != nil {
		var mfs []map[string]any
		for _, m := range p.Metafields {
			mfs = append(mfs, map[string]any{"namespace": m.Namespace, "key": m.Key, "type": "single_line_text_field", "value": m.Value})
		}
		input["metafields"] = mfs
	}
	ident := map[string]any{"handle": p.Handle}
	if p.ID != "" {
		ident = map[string]any{"id": p.ID}
		delete(input, "handle")
	}
	var data struct {
		Set struct {
			Product *struct {
				ID       string        `json:"id"`
				Handle   string        `json:"handle"`
				Variants Conn[Variant] `json:"variants"`
			} `json:"product"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"productSet"`
	}
	vars := map[string]any{"input": input, "identifier": ident}
	if err := c.do(ctx, doc("ProductSet"), vars, &data); err != nil {
		return Product{}, err
	}
	if err := userErrors("ProductSet", data.Set.UserErrors); err != nil {
		return Product{}, err
	}
	if data.Set.Product == nil {
		return Product{}, errorf("ProductSet", KindGraphQL, "no product returned")
	}
	pr := data.Set.Product
	return Product{ID: pr.ID, Handle: pr.Handle, Variants: pr.Variants.Nodes}, nil
}

// NewIdempotencyKey returns a random key. A key names one attempt at an
// operation: the client's retries of a call reuse it, and a new operation,
// even with the same arguments, needs a new one. Callers that may crash
// between the attempts of one operation can keep a key in their own records
// instead, so that the restarted attempt reuses it.
func NewIdempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func keyOrNew(key string) string {
	if key == "" {
		return NewIdempotencyKey()
	}
	return key
}

// mutate runs a mutation, turns the payload's userErrors into an error and
// decodes the payload into payload.
func (c *Client) mutate(ctx context.Context, name string, vars map[string]any, payload any) error {
	var data map[string]json.RawMessage
	if err := c.do(ctx, doc(name), vars, &data); err != nil {
		return err
	}
	for _, raw := range data {
		var ue struct {
			UserErrors      []UserError `json:"userErrors"`
			OrderUserErrors []UserError `json:"orderCancelUserErrors"`
		}
		json.Unmarshal(raw, &ue)
		if err := userErrors(name, append(ue.UserErrors, ue.OrderUserErrors...)); err != nil {
			return err
		}
		if payload != nil {
			if err := json.Unmarshal(raw, payload); err != nil {
				return errorf(name, KindGraphQL, "cannot decode payload: %v", err)
			}
		}
	}
	return nil
}

// InventoryActivate stocks an inventory item at a location, optionally with
// an available quantity. key makes retries safe; empty picks a new one for
// this call, which its retries reuse.
func (c *Client) InventoryActivate(ctx context.Context, itemID, locationID string, available *int, key string) error {
	vars := map[string]any{"itemId": itemID, "locationId": locationID, "available": available, "idempotencyKey": keyOrNew(key)}
	return c.mutate(ctx, "InventoryActivate", vars, nil)
}

// InventoryQuantity is one quantity to set. ChangeFrom, when not nil, is the
// quantity the caller believes is current: Shopify refuses the change if it
// differs (compare and swap).
type InventoryQuantity struct {
	InventoryItemID string `json:"inventoryItemId"`
	LocationID      string `json:"locationId"`
	Quantity        int    `json:"quantity"`
	ChangeFrom      *int   `json:"changeFromQuantity"`
}

// InventorySet is an inventorySetQuantities input.
type InventorySet struct {
	Name                 string              `json:"name"`   // "available" or "on_hand"
	Reason               string              `json:"reason"` // e.g. "correction"
	ReferenceDocumentURI string              `json:"referenceDocumentUri,omitempty"`
	Quantities           []InventoryQuantity `json:"quantities"`
}

// InventorySetQuantities sets absolute quantities. key makes retries safe;
// empty picks a new one for this call, which its retries reuse.
func (c *Client) InventorySetQuantities(ctx context.Context, in InventorySet, key string) error {
	return c.mutate(ctx, "InventorySetQuantities", map[string]any{"input": in, "idempotencyKey": keyOrNew(key)}, nil)
}

// FulfillmentLines are the lines of one fulfillment order to ship; no Lines
// means all remaining.
type FulfillmentLines struct {
	FulfillmentOrderID string                 `json:"fulfillmentOrderId"`
	Lines              []FulfillmentOrderItem `json:"fulfillmentOrderLineItems,omitempty"`
}

// FulfillmentOrderItem is a fulfillment order line and the quantity shipped.
type FulfillmentOrderItem struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

// Tracking is a parcel's carrier information.
type Tracking struct {
	Company string `json:"company,omitempty"`
	Number  string `json:"number,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Fulfillment is a created shipment.
type Fulfillment struct {
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	Tracking []Tracking `json:"trackingInfo"`
}

// FulfillmentCreate ships lines of fulfillment orders. It has no idempotency
// key: after an ambiguous failure (Error.MaybeApplied) re-read the order.
func (c *Client) FulfillmentCreate(ctx context.Context, lines []FulfillmentLines, tracking *Tracking, notify bool) (Fulfillment, error) {
	in := map[string]any{"lineItemsByFulfillmentOrder": lines, "notifyCustomer": notify}
	if tracking != nil {
		in["trackingInfo"] = tracking
	}
	var p struct {
		Fulfillment Fulfillment `json:"fulfillment"`
	}
	err := c.mutate(ctx, "FulfillmentCreate", map[string]any{"fulfillment": in}, &p)
	return p.Fulfillment, err
}

// WebhookSubscription is a registered webhook.
type WebhookSubscription struct {
	ID     string `json:"id"`
	Topic  string `json:"topic"` // e.g. ORDERS_UPDATED
	URI    string `json:"uri"`
	Format string `json:"format"`
}

// WebhookSubscriptions lists the app's webhook subscriptions.
func (c *Client) WebhookSubscriptions(ctx context.Context) ([]WebhookSubscription, error) {
	return all[WebhookSubscription](ctx, c, "WebhookSubscriptions", map[string]any{"first": pageSize})
}

// CreateWebhookSubscription subscribes uri (https or a pubsub/eventbridge URI) to topic.
func (c *Client) CreateWebhookSubscription(ctx context.Context, topic, uri string) (WebhookSubscription, error) {
	var p struct {
		Sub WebhookSubscription `json:"webhookSubscription"`
	}
	vars := map[string]any{"topic": topic, "sub": map[string]any{"uri": uri, "format": "JSON"}}
	err := c.mutate(ctx, "WebhookSubscriptionCreate", vars, &p)
	return p.Sub, err
}

// DeleteWebhookSubscription removes a subscription.
func (c *Client) DeleteWebhookSubscription(ctx context.Context, id string) error {
	return c.mutate(ctx, "WebhookSubscriptionDelete", map[string]any{"id": id}, nil)
}

// Cancel says how to cancel an order.
type Cancel struct {
	Reason    string // CUSTOMER, DECLINED, FRAUD, INVENTORY, OTHER or STAFF
	Refund    bool   // to the original payment methods; authorisations are voided anyway
	Restock   bool
	Notify    bool
	StaffNote string
}

// OrderCancel cancels an order. Shopify completes it asynchronously; the
// order shows cancelledAt once done, and refuses to cancel it again.
func (c *Client) OrderCancel(ctx context.Context, orderID string, cc Cancel) error {
	vars := map[string]any{"orderId": orderID, "reason": cc.Reason, "restock": cc.Restock, "notifyCustomer": cc.Notify,
		"refundMethod": map[string]any{"originalPaymentMethodsRefund": cc.Refund}}
	if cc.StaffNote != "" {
		vars["staffNote"] = cc.StaffNote
	}
	return c.mutate(ctx, "OrderCancel", vars, nil)
}

// RefundLine is a line item quantity to refund.
type RefundLine struct {
	LineItemID  string `json:"lineItemId"`
	Quantity    int    `json:"quantity"`
	RestockType string `json:"restockType,omitempty"` // NO_RESTOCK, CANCEL, RETURN
	LocationID  string `json:"locationId,omitempty"`
}

// RefundTransaction is money to send back through a gateway.
type RefundTransaction struct {
	OrderID  string          `json:"orderId"`
	ParentID string          `json:"parentId,omitempty"`
	Gateway  string          `json:"gateway"`
	Kind     string          `json:"kind"` // REFUND
	Amount   decimal.Decimal `json:"amount"`
}

// RefundInput is a refundCreate input.
type RefundInput struct {
	OrderID      string              `json:"orderId"`
	Note         string              `json:"note,omitempty"`
	Notify       bool                `json:"notify"`
	Lines        []RefundLine        `json:"refundLineItems,omitempty"`
	Shipping     *RefundShipping     `json:"shipping,omitempty"`
	Transactions []RefundTransaction `json:"transactions,omitempty"`
}

// RefundShipping refunds shipping, all of it or an amount.
type RefundShipping struct {
	FullRefund bool             `json:"fullRefund,omitempty"`
	Amount     *decimal.Decimal `json:"amount,omitempty"`
}

// Refund is a created refund.
type Refund struct {
	ID            string   `json:"id"`
	TotalRefunded MoneyBag `json:"totalRefundedSet"`
}

// RefundCreate records a refund. key makes retries safe: keep it with the
// caller's own record of the refund so that a restarted attempt reuses it,
// never derive it from the amounts (a second refund of the same amounts is
// a new operation).
func (c *Client) RefundCreate(ctx context.Context, in RefundInput, key string) (Refund, error) {
	var p struct {
		Refund Refund `json:"refund"`
	}
	err := c.mutate(ctx, "RefundCreate", map[string]any{"input": in, "idempotencyKey": keyOrNew(key)}, &p)
	if previousAttemptFailed(err) {
		// That attempt applied nothing: a new key has Shopify say again why
		// it refuses, or refund now what it refused then.
		err = c.mutate(ctx, "RefundCreate", map[string]any{"input": in, "idempotencyKey": NewIdempotencyKey()}, &p)
	}
	return p.Refund, err
}

// previousAttemptFailed says whether Shopify refused a key because an
// earlier request with it failed.
func previousAttemptFailed(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindUserErrors && slices.ContainsFunc(e.UserErrors, func(u UserError) bool {
		return strings.HasPrefix(u.Message, "A previous request with this idempotency key failed.")
	})
}
