package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/egress"
)

// FileInput is a product or variant image: an existing media by ID, or a
// staged upload's resource URL as Source.
type FileInput struct {
	ID     string `json:"id,omitempty"`
	Source string `json:"originalSource,omitempty"`
	Alt    string `json:"alt,omitempty"`
}

func (f *FileInput) input() map[string]any {
	if f.ID != "" {
		return map[string]any{"id": f.ID, "alt": f.Alt}
	}
	return map[string]any{"originalSource": f.Source, "alt": f.Alt, "contentType": "IMAGE"}
}

// Metafield is a product metafield value of type single_line_text_field.
type Metafield struct{ Namespace, Key, Value string }

// SKUMatch is a variant found by SKU, with its product and the product's
// connector/hash metafield.
type SKUMatch struct {
	SKU       string
	ProductID string
	Hash      string
}

// MatchSKUs finds variants by SKU. It asks only for what matching needs, so
// a search costs little when few SKUs exist.
func (c *Client) MatchSKUs(ctx context.Context, skus []string) ([]SKUMatch, error) {
	var out []SKUMatch
	const perQuery = 50 // keeps the search string short
	for start := 0; start < len(skus); start += perQuery {
		part := skus[start:min(start+perQuery, len(skus))]
		q := make([]string, len(part))
		for i, s := range part {
			quoted, _ := json.Marshal(s)
			q[i] = "sku:" + string(quoted)
		}
		type node struct {
			SKU     string `json:"sku"`
			Product struct {
				ID        string `json:"id"`
				Metafield *struct {
					Value string `json:"value"`
				} `json:"metafield"`
			} `json:"product"`
		}
		err := pages(ctx, c, "MatchVariants", map[string]any{"first": len(part), "query": strings.Join(q, " OR ")}, func(n node) error {
			m := SKUMatch{SKU: n.SKU, ProductID: n.Product.ID}
			if n.Product.Metafield != nil {
				m.Hash = n.Product.Metafield.Value
			}
			out = append(out, m)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SelectedOption is a variant's value of one product option.
type SelectedOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ProductVariant is a variant as ProductDetail reads it.
type ProductVariant struct {
	ID              string           `json:"id"`
	SKU             string           `json:"sku"`
	Barcode         string           `json:"barcode"`
	Price           decimal.Decimal  `json:"price"`
	CompareAtPrice  *decimal.Decimal `json:"compareAtPrice"`
	SelectedOptions []SelectedOption `json:"selectedOptions"`
}

// Media is a product's media item.
type Media struct {
	ID  string `json:"id"`
	Alt string `json:"alt"`
}

// ProductDetail is what an update must know of a product: its variants and media.
type ProductDetail struct {
	ID       string               `json:"id"`
	Handle   string               `json:"handle"`
	Variants Conn[ProductVariant] `json:"variants"`
	Media    Conn[Media]          `json:"media"`
}

// ProductDetail reads a product's variants (up to 250) and media (up to 50).
func (c *Client) ProductDetail(ctx context.Context, id string) (ProductDetail, error) {
	var data struct {
		Product *ProductDetail `json:"product"`
	}
	if err := c.do(ctx, doc("ProductDetail"), map[string]any{"id": id}, &data); err != nil {
		return ProductDetail{}, err
	}
	if data.Product == nil {
		return ProductDetail{}, &Error{Kind: KindNotFound, Op: "ProductDetail", Message: "no product " + id}
	}
	return *data.Product, nil
}

// StagedTarget is where to upload a file and how to refer to it afterwards.
type StagedTarget struct {
	URL         string `json:"url"`
	ResourceURL string `json:"resourceUrl"`
	Parameters  []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"parameters"`
}

// UploadImage stages an image and uploads its bytes; the returned resource
// URL is then given as a FileInput's Source.
func (c *Client) UploadImage(ctx context.Context, filename, mimeType string, data []byte) (string, error) {
	var p struct {
		Targets []StagedTarget `json:"stagedTargets"`
	}
	in := []map[string]any{{"resource": "IMAGE", "filename": filename, "mimeType": mimeType, "httpMethod": "POST", "fileSize": fmt.Sprint(len(data))}}
	if err := c.mutate(ctx, "StagedUploadsCreate", map[string]any{"input": in}, &p); err != nil {
		return "", err
	}
	if len(p.Targets) != 1 {
		return "", errorf("StagedUploadsCreate", KindGraphQL, "%d targets for one file", len(p.Targets))
	}
	t := p.Targets[0]
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, prm := range t.Parameters {
		w.WriteField(prm.Name, prm.Value)
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(data)
	w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, &body)
	if err != nil {
		return "", &Error{Kind: KindTransport, Op: "upload", Err: err}
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.files.Do(req)
	if err != nil {
		return "", &Error{Kind: KindTransport, Op: "upload", Err: egress.Wrap(err)}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		kind := KindGraphQL
		if resp.StatusCode >= 500 {
			kind = KindServer
		}
		return "", &Error{Kind: kind, Op: "upload", Status: resp.StatusCode}
	}
	return t.ResourceURL, nil
}

// ItemStock is an inventory item with its available quantity by location
// GID; a location missing from Available does not stock the item.
type ItemStock struct {
	SKU       string
	ItemID    string
	Tracked   bool
	Available map[string]int
}

type itemNode struct {
	ID      string `json:"id"`
	Tracked bool   `json:"tracked"`
	Levels  Conn[struct {
		Location   Ref `json:"location"`
		Quantities []struct {
			Quantity int `json:"quantity"`
		} `json:"quantities"`
	}] `json:"inventoryLevels"`
}

func (n itemNode) stock(sku string) ItemStock {
	s := ItemStock{SKU: sku, ItemID: n.ID, Tracked: n.Tracked, Available: map[string]int{}}
	for _, l := range n.Levels.Nodes {
		if len(l.Quantities) > 0 {
			s.Available[l.Location.ID] = l.Quantities[0].Quantity
		}
	}
	return s
}

// levelsPage is how many items fit a query under the cost limit when each
// lists up to locations levels.
func levelsPage(locations int) int {
	return min(pageSize, (maxQueryCost-2)/(4+3*locations))
}

// StockLevels calls fn with every variant's inventory item, a page at a
// time, with available quantities at up to locations locations.
func (c *Client) StockLevels(ctx context.Context, locations int, fn func([]ItemStock) error) error {
	vars := map[string]any{"first": levelsPage(locations), "locations": locations}
	for {
		var data struct {
			Variants Conn[struct {
				SKU  string    `json:"sku"`
				Item *itemNode `json:"inventoryItem"`
			}] `json:"productVariants"`
		}
		if err := c.do(ctx, doc("StockLevels"), vars, &data); err != nil {
			return err
		}
		var items []ItemStock
		for _, n := range data.Variants.Nodes {
			if n.Item != nil {
				items = append(items, n.Item.stock(n.SKU))
			}
		}
		if err := fn(items); err != nil {
			return err
		}
		if !data.Variants.PageInfo.HasNextPage {
			return nil
		}
		vars["after"] = data.Variants.PageInfo.EndCursor
	}
}

// ItemLevels re-reads inventory items' available quantities by location.
func (c *Client) ItemLevels(ctx context.Context, itemIDs []string, locations int) ([]ItemStock, error) {
	var out []ItemStock
	per := levelsPage(locations)
	for start := 0; start < len(itemIDs); start += per {
		var data struct {
			Nodes []*itemNode `json:"nodes"`
		}
		vars := map[string]any{"ids": itemIDs[start:min(start+per, len(itemIDs))], "locations": locations}
		if err := c.do(ctx, doc("ItemLevels"), vars, &data); err != nil {
			return nil, err
		}
		for _, n := range data.Nodes {
			if n != nil {
				out = append(out, n.stock(""))
			}
		}
	}
	return out, nil
}
