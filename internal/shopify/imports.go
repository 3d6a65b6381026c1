package shopify

import (
	"context"
	"time"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
)

// Record is a product or customer as a listing names it.
type Record struct {
	LegacyResourceID string    `json:"legacyResourceId"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

// UpdatedQuery is the search of records updated in [from, to); zero ends
// are left open.
func UpdatedQuery(from, to time.Time) string { return keys.Between(keys.UpdatedAt, from, to) }

// ProductRefs calls fn on every product matching query, oldest update first.
func (c *Client) ProductRefs(ctx context.Context, query string, fn func(Record) error) error {
	return pages(ctx, c, "ProductRefs", map[string]any{"first": 250, "query": query}, fn)
}

// CustomerRefs calls fn on every customer matching query, oldest update first.
func (c *Client) CustomerRefs(ctx context.Context, query string, fn func(Record) error) error {
	return pages(ctx, c, "CustomerRefs", map[string]any{"first": 250, "query": query}, fn)
}

// ImportVariant is a variant as the product import reads it.
type ImportVariant struct {
	LegacyResourceID string             `json:"legacyResourceId"`
	SKU              string             `json:"sku"`
	Barcode          string             `json:"barcode"`
	Price            decimal.Decimal    `json:"price"`
	SelectedOptions  []SelectedOption   `json:"selectedOptions"`
	Media            Conn[MediaPreview] `json:"media"`
}

// ImageURL is the variant's own image, empty when it has none.
func (v ImportVariant) ImageURL() string {
	if len(v.Media.Nodes) == 0 {
		return ""
	}
	return v.Media.Nodes[0].url()
}

// MediaPreview is a media item as its preview image.
type MediaPreview struct {
	Preview struct {
		Image *struct {
			URL string `json:"url"`
		} `json:"image"`
	} `json:"preview"`
}

func (m *MediaPreview) url() string {
	if m == nil || m.Preview.Image == nil {
		return ""
	}
	return m.Preview.Image.URL
}

// ImportProduct is a product as the product import reads it.
type ImportProduct struct {
	ID               string              `json:"id"`
	LegacyResourceID string              `json:"legacyResourceId"`
	Title            string              `json:"title"`
	DescriptionHTML  string              `json:"descriptionHtml"`
	UpdatedAt        time.Time           `json:"updatedAt"`
	FeaturedMedia    *MediaPreview       `json:"featuredMedia"`
	Variants         Conn[ImportVariant] `json:"variants"`
}

// ImageURL is the product's featured image, empty when it has none.
func (p ImportProduct) ImageURL() string { return p.FeaturedMedia.url() }

// ImportCustomer is a customer as the customer import reads it.
type ImportCustomer struct {
	Customer
	Tags           []string `json:"tags"`
	DefaultAddress *Ref     `json:"defaultAddress"`
	Addresses      Conn[struct {
		ID string `json:"id"`
		Address
	}] `json:"addressesV2"`
}

// Subscribed reports whether the customer agreed to email marketing.
func (c ImportCustomer) Subscribed() bool {
	return c.DefaultEmailAddress != nil && c.DefaultEmailAddress.MarketingState == "SUBSCRIBED"
}

// Page sizes of the import reads, within the query cost limit: a product
// costs about 200 points with its variants, a customer about 16.
const (
	productsPerRead  = 4
	customersPerRead = 50
)

// ProductsByIDs returns the products with the given GIDs; unknown ids are
// left out.
func (c *Client) ProductsByIDs(ctx context.Context, ids []string) ([]ImportProduct, error) {
	return byIDs[ImportProduct](ctx, c, "ProductsByIDs", ids, productsPerRead, func(p ImportProduct) string { return p.ID })
}

// CustomersByIDs returns the customers with the given GIDs; unknown ids are
// left out.
func (c *Client) CustomersByIDs(ctx context.Context, ids []string) ([]ImportCustomer, error) {
	return byIDs[ImportCustomer](ctx, c, "CustomersByIDs", ids, customersPerRead, func(c ImportCustomer) string { return c.ID })
}

// byIDs reads nodes by GID in batches of per.
func byIDs[T any](ctx context.Context, c *Client, name string, ids []string, per int, id func(T) string) ([]T, error) {
	var out []T
	for start := 0; start < len(ids); start += per {
		var data struct {
			Nodes []*T `json:"nodes"`
		}
		if err := c.do(ctx, doc(name), map[string]any{"ids": ids[start:min(start+per, len(ids))]}, &data); err != nil {
			return nil, err
		}
		for _, n := range data.Nodes {
			if n != nil && id(*n) != "" {
				out = append(out, *n)
			}
		}
	}
	return out, nil
}
