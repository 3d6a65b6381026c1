package catalogimport

import (
	"context"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"html"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Bounds of an image download.
const (
	imageTimeout = 30 * time.Second
	maxImage     = 20 << 20
)

// template is a product.template as the product import reads it.
type template struct {
	ID          int64     `json:"id"`
	Name        odoo.Text `json:"name"`
	Description odoo.Text `json:"description_sale"`
	ListPrice   float64   `json:"list_price"`
}

// variant is a product.product as the product import reads it.
type variant struct {
	ID       int64         `json:"id"`
	Template odoo.Many2One `json:"product_tmpl_id"`
	Code     odoo.Text     `json:"default_code"`
	Barcode  odoo.Text     `json:"barcode"`
	Values   []int64       `json:"product_template_attribute_value_ids"`
}

// attributeLine is a product.template.attribute.line.
type attributeLine struct {
	ID        int64         `json:"id"`
	Template  odoo.Many2One `json:"product_tmpl_id"`
	Attribute odoo.Many2One `json:"attribute_id"`
	Values    []int64       `json:"value_ids"`
}

// ptav is a product.template.attribute.value: a template's value of one
// attribute, with its price extra.
type ptav struct {
	ID         int64         `json:"id"`
	Value      odoo.Many2One `json:"product_attribute_value_id"`
	PriceExtra float64       `json:"price_extra"`
}

// item is one product under import.
type item struct {
	p       shopify.ImportProduct
	r       *Result
	xid     string
	tmpl    int64
	isNew   bool
	options []string // attribute names, in Shopify's order
	image   string   // base64 image to write, when it changed
	mark    string   // the image's external id name
	vals    map[string]any
	changed []string
}

// Products imports the products with the given numeric ids. A product is
// found by its external id shopify_product.<shop>_<id>, then by a variant's
// SKU (default_code), then barcode; otherwise it becomes a new template
// with an attribute line per option. Variants are matched by SKU, barcode,
// then option values. A product found is updated in the fields Shopify
// owns; a new one takes them all.
func (im *Importer) Products(ctx context.Context, ids []string) ([]Result, error) {
	ps, err := im.Shopify.ProductsByIDs(ctx, gids(keys.TypeProduct, ids))
	if err != nil {
		return nil, err
	}
	defer im.Cache.LockProducts(ids)()
	byID := results(ids, ps, func(p shopify.ImportProduct) (string, string) { return p.LegacyResourceID, p.Title })
	var items []*item
	for _, p := range ps {
		r := byID[p.LegacyResourceID]
		if p.Variants.PageInfo.HasNextPage {
			r.State, r.Message = v1.LineFailed, "the product has more than 100 variants, more than the import reads"
			continue
		}
		items = append(items, &item{p: p, r: r, xid: keys.ExternalName(im.Settings.Shop, p.LegacyResourceID), vals: map[string]any{}})
	}
	if err := im.products(ctx, items); err != nil {
		failAll(byID, err)
	}
	return ordered(ids, byID), nil
}

func (im *Importer) products(ctx context.Context, items []*item) error {
	if len(items) == 0 {
		return nil
	}
	if err := im.findTemplates(ctx, items); err != nil {
		return err
	}
	values, err := im.attributeValues(ctx, items)
	if err != nil {
		return err
	}
	if items, err = im.images(ctx, items); err != nil {
		return err
	}
	if err := im.createTemplates(ctx, items, values); err != nil {
		return err
	}
	if err := im.extendTemplates(ctx, items, values); err != nil {
		return err
	}
	return im.syncVariants(ctx, items, values)
}

// findTemplates links each product to its template: by external id, then
// by a variant's SKU, then barcode.
func (im *Importer) findTemplates(ctx context.Context, items []*item) error {
	var names, codes, barcodes []string
	for _, it := range items {
		names = append(names, it.xid)
	}
	xids, err := im.Odoo.ExternalIDs(ctx, keys.ModuleProduct, "product.template", names)
	if err != nil {
		return err
	}
	for _, it := range items {
		for _, v := range it.p.Variants.Nodes {
			if xids[it.xid] == 0 && v.SKU != "" {
				codes = append(codes, v.SKU)
			}
			if xids[it.xid] == 0 && v.Barcode != "" {
				barcodes = append(barcodes, v.Barcode)
			}
		}
	}
	codes, barcodes = slices.Compact(slices.Sorted(slices.Values(codes))), slices.Compact(slices.Sorted(slices.Values(barcodes)))
	byCode, byBarcode := map[string]odoo.Product{}, map[string]odoo.Product{}
	if len(codes) > 0 {
		if byCode, err = im.Odoo.ProductsByCode(ctx, codes); err != nil {
			return err
		}
	}
	if len(barcodes) > 0 {
		if byBarcode, err = im.Odoo.ProductsByBarcode(ctx, barcodes); err != nil {
			return err
		}
	}
	var marks []odoo.ExternalID
	for _, it := range items {
		if it.tmpl = xids[it.xid]; it.tmpl != 0 {
			continue
		}
		for _, v := range it.p.Variants.Nodes {
			if it.tmpl == 0 && v.SKU != "" {
				it.tmpl = byCode[v.SKU].Template.ID
			}
		}
		for _, v := range it.p.Variants.Nodes {
			if it.tmpl == 0 && v.Barcode != "" {
				it.tmpl = byBarcode[v.Barcode].Template.ID
			}
		}
		if it.tmpl != 0 {
			marks = append(marks, odoo.ExternalID{Name: it.xid, Model: "product.template", ResID: it.tmpl})
			it.changed = append(it.changed, "linked to an existing product")
		}
	}
	if len(marks) == 0 {
		return nil
	}
	return im.Odoo.CreateExternalIDs(ctx, keys.ModuleProduct, marks)
}

func appendSet(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// valueKey names an attribute value by its attribute's name and its own.
type valueKey struct{ attribute, value string }

// options are the product's attributes and each variant's values; none
// for a product with only Shopify's default variant.
func options(p shopify.ImportProduct) []string {
	var names []string
	for _, v := range p.Variants.Nodes {
		for _, o := range v.SelectedOptions {
			if o.Name != "Title" || o.Value != "Default Title" {
				names = appendSet(names, o.Name)
			}
		}
	}
	return names
}

// attributeValues finds or creates the attributes and values the products'
// options name, in two searches and at most two creates. The attributes'
// ids are under their name and an empty value.
func (im *Importer) attributeValues(ctx context.Context, items []*item) (map[valueKey]int64, error) {
	var names []string
	var keys []valueKey
	for _, it := range items {
		it.options = options(it.p)
		for _, v := range it.p.Variants.Nodes {
			for _, o := range v.SelectedOptions {
				if slices.Contains(it.options, o.Name) {
					names = appendSet(names, o.Name)
					if k := (valueKey{o.Name, o.Value}); !slices.Contains(keys, k) {
						keys = append(keys, k)
					}
				}
			}
		}
	}
	out := map[valueKey]int64{}
	if len(names) == 0 {
		return out, nil
	}
	attrs, err := im.Odoo.Attributes(ctx, names)
	if err != nil {
		return nil, err
	}
	var attrIDs []int64
	for _, id := range attrs {
		attrIDs = append(attrIDs, id)
	}
	rows, err := im.Odoo.ValuesOf(ctx, attrIDs)
	if err != nil {
		return nil, err
	}
	byAttr := map[int64]string{}
	for name, id := range attrs {
		byAttr[id] = name
		out[valueKey{attribute: name}] = id // the attribute itself
	}
	for _, r := range rows {
		if k := (valueKey{byAttr[r.Attribute.ID], string(r.Name)}); out[k] == 0 {
			out[k] = r.ID
		}
	}
	var missing []valueKey
	var vals []map[string]any
	for _, k := range keys {
		if out[k] == 0 {
			missing = append(missing, k)
			vals = append(vals, map[string]any{"name": k.value, "attribute_id": attrs[k.attribute]})
		}
	}
	if len(vals) > 0 {
		ids, err := im.Odoo.CreateValues(ctx, vals)
		if err != nil {
			return nil, err
		}
		for i, k := range missing {
			out[k] = ids[i]
		}
	}
	return out, nil
}

// owns says whether the import writes a field of an existing product.
func owns(o v1.Owner) bool { return o == v1.OwnerShopify }

// images downloads the images that changed since the last import, for new
// products and those whose images Shopify owns. A downloaded image is
// remembered by an external id naming its URL. It returns the items to go
// on with: a product whose image cannot be downloaded fails, to be retried.
func (im *Importer) images(ctx context.Context, items []*item) ([]*item, error) {
	var marks []string
	for _, it := range items {
		if u := it.p.ImageURL(); u != "" && (it.tmpl == 0 || owns(im.ProductSettings.FieldOwnership.Images)) {
			it.mark = im.imageMark(it.p.LegacyResourceID, u)
			marks = append(marks, it.mark)
		}
	}
	if len(marks) == 0 {
		return items, nil
	}
	known, err := im.Odoo.ExternalIDs(ctx, keys.ModuleImage, "product.template", marks)
	if err != nil {
		return nil, err
	}
	var out []*item
	for _, it := range items {
		if it.mark != "" && known[it.mark] == 0 {
			b, err := im.download(ctx, it.p.ImageURL())
			if err != nil {
				it.r.State, it.r.Retry, it.r.Message = v1.LineFailed, true, "downloading the image: "+err.Error()
				continue
			}
			it.image = base64.StdEncoding.EncodeToString(b)
		} else {
			it.mark = ""
		}
		out = append(out, it)
	}
	return out, nil
}

// imageMark is the external id name that records an image at url as
// imported for the Shopify record legacyID.
func (im *Importer) imageMark(legacyID, url string) string {
	h := fnv.New64a()
	h.Write([]byte(url))
	return keys.ImageName(im.Settings.Shop, legacyID, h.Sum64())
}

// ownImage is the image of the item's i-th Shopify variant that the import
// writes on its Odoo variant, with its mark: empty when the variant shows
// the featured image (the template's) or none, or when Odoo owns images.
func (im *Importer) ownImage(it *item, i int) (url, mark string) {
	sv := it.p.Variants.Nodes[i]
	u := sv.ImageURL()
	if u == "" || u == it.p.ImageURL() || !it.isNew && !owns(im.ProductSettings.FieldOwnership.Images) {
		return "", ""
	}
	return u, im.imageMark(sv.LegacyResourceID, u)
}

// variantImageMarks finds which of the variants' own images were imported.
func (im *Importer) variantImageMarks(ctx context.Context, items []*item) (map[string]int64, error) {
	var marks []string
	for _, it := range items {
		for i := range it.p.Variants.Nodes {
			if _, mark := im.ownImage(it, i); mark != "" {
				marks = append(marks, mark)
			}
		}
	}
	if len(marks) == 0 {
		return nil, nil
	}
	return im.Odoo.ExternalIDs(ctx, keys.ModuleImage, "product.product", marks)
}

// variantImages writes the variants' own images not imported yet: each
// image is downloaded once and written to every variant showing it, then
// recorded, so that the next import leaves it. It returns how many
// variants it wrote; a download that fails fails the item, to be retried.
func (im *Importer) variantImages(ctx context.Context, it *item, pairs map[int]variant, known map[string]int64) (int, error) {
	byURL := map[string][]odoo.ExternalID{}
	for _, i := range slices.Sorted(maps.Keys(pairs)) {
		if u, mark := im.ownImage(it, i); mark != "" && known[mark] == 0 {
			byURL[u] = append(byURL[u], odoo.ExternalID{Name: mark, Model: "product.product", ResID: pairs[i].ID})
		}
	}
	n := 0
	for _, u := range slices.Sorted(maps.Keys(byURL)) {
		b, err := im.download(ctx, u)
		if err != nil {
			it.r.State, it.r.Retry, it.r.Message = v1.LineFailed, true, "downloading a variant's image: "+err.Error()
			return n, nil
		}
		var ids []int64
		for _, x := range byURL[u] {
			ids = append(ids, x.ResID)
		}
		if err := im.Odoo.SetVariantImage(ctx, ids, base64.StdEncoding.EncodeToString(b)); err != nil {
			return n, err
		}
		if err := im.Odoo.CreateExternalIDs(ctx, keys.ModuleImage, byURL[u]); err != nil {
			return n, err
		}
		n += len(ids)
	}
	return n, nil
}

// download reads an image by the file rules: from Shopify's hosts (or the
// shop's), public addresses only, at most maxImage bytes. A failure says
// its class, never what the other side answered.
func (im *Importer) download(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, imageTimeout)
	defer cancel()
	return im.Shopify.Download(ctx, url, maxImage)
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plainText is an HTML description as Odoo's sales description (text).
func plainText(h string) string {
	return strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(h, " ")))
}

func cents(f float64) int64 { return int64(math.Round(f * 100)) }

// basePrice is the lowest variant price, in cents.
func basePrice(p shopify.ImportProduct) int64 {
	var low int64 = -1
	for _, v := range p.Variants.Nodes {
		c, _ := v.Price.Round(2).MulInt(100).Int64()
		if low < 0 || c < low {
			low = c
		}
	}
	return max(low, 0)
}

// createTemplates creates the new products in one call, each with an
// attribute line per option: Odoo makes a variant per combination.
func (im *Importer) createTemplates(ctx context.Context, items []*item, values map[valueKey]int64) error {
	orphans, err := im.orphans(ctx, items)
	if err != nil {
		return err
	}
	var news []*item
	var vals []map[string]any
	for _, it := range items {
		if it.tmpl != 0 {
			continue
		}
		if ids := orphans[it.p.Title]; len(ids) > 0 {
			it.tmpl, orphans[it.p.Title] = ids[0], ids[1:]
			news = append(news, it)
			continue
		}
		v := im.Odoo.Adapter().ProductTypeVals(string(im.ProductSettings.ProductType))
		if im.newVals != nil {
			maps.Copy(v, im.newVals(it.p.LegacyResourceID))
		}
		v["name"] = it.p.Title
		v["description_sale"] = plainText(it.p.DescriptionHTML)
		v["list_price"] = float64(basePrice(it.p)) / 100
		if it.image != "" {
			v["image_1920"] = it.image
		}
		var lines []any
		for _, name := range it.options {
			lines = append(lines, []any{0, 0, map[string]any{"attribute_id": values[valueKey{name, ""}], "value_ids": []any{[]any{6, 0, it.valueIDs(name, values)}}}})
		}
		if lines != nil {
			v["attribute_line_ids"] = lines
		}
		news = append(news, it)
		vals = append(vals, v)
	}
	var ids []int64
	if len(vals) > 0 {
		if ids, err = im.Odoo.CreateTemplates(ctx, vals); err != nil {
			return err
		}
	}
	var marks []odoo.ExternalID
	for _, it := range news {
		if it.tmpl == 0 {
			it.tmpl, ids = ids[0], ids[1:]
		}
		it.isNew = true
		marks = append(marks, odoo.ExternalID{Name: it.xid, Model: "product.template", ResID: it.tmpl})
	}
	if len(marks) == 0 {
		return nil
	}
	return im.Odoo.CreateExternalIDs(ctx, keys.ModuleProduct, marks)
}

// orphans are the templates, by name, that the connector's user created
// and that carry no external id: a create whose reply was lost, or whose
// external ids were not written. They are taken over, not made again.
func (im *Importer) orphans(ctx context.Context, items []*item) (map[string][]int64, error) {
	var names []string
	for _, it := range items {
		if it.tmpl == 0 {
			names = append(names, it.p.Title)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	rows, err := im.Odoo.OwnTemplates(ctx, names)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	out := map[string][]int64{}
	for _, r := range rows {
		out[string(r.Name)] = append(out[string(r.Name)], r.ID)
	}
	return out, nil
}

// valueIDs are the attribute value ids of the product's values of attribute name.
func (it *item) valueIDs(name string, values map[valueKey]int64) []int64 {
	var out []int64
	for _, v := range it.p.Variants.Nodes {
		for _, o := range v.SelectedOptions {
			if id := values[valueKey{o.Name, o.Value}]; o.Name == name && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// extendTemplates adds to the attribute lines of the products found the
// values Shopify has and they lack (Odoo then makes the variants), and
// notes the fields Shopify owns that differ.
func (im *Importer) extendTemplates(ctx context.Context, items []*item, values map[valueKey]int64) error {
	var found []int64
	for _, it := range items {
		if !it.isNew {
			found = append(found, it.tmpl)
		}
	}
	if len(found) == 0 {
		return nil
	}
	var tmpls []template
	if err := im.Odoo.TemplateTexts(ctx, found, &tmpls); err != nil {
		return err
	}
	var lines []attributeLine
	if err := im.Odoo.AttributeLinesOf(ctx, found, &lines); err != nil {
		return err
	}
	byID := map[int64]template{}
	for _, t := range tmpls {
		byID[t.ID] = t
	}
	own := im.ProductSettings.FieldOwnership
	for _, it := range items {
		if it.isNew {
			continue
		}
		t := byID[it.tmpl]
		if owns(own.Title) && string(t.Name) != it.p.Title {
			it.vals["name"] = it.p.Title
			it.changed = append(it.changed, "title")
		}
		if d := plainText(it.p.DescriptionHTML); owns(own.Description) && string(t.Description) != d {
			it.vals["description_sale"] = d
			it.changed = append(it.changed, "description")
		}
		if p := basePrice(it.p); owns(own.Price) && cents(t.ListPrice) != p {
			it.vals["list_price"] = float64(p) / 100
			it.changed = append(it.changed, "price")
		}
		var cmds []any
		for _, name := range it.options {
			at := slices.IndexFunc(lines, func(l attributeLine) bool {
				return l.Template.ID == it.tmpl && l.Attribute.ID == values[valueKey{attribute: name}]
			})
			if at < 0 {
				it.changed = append(it.changed, "option "+name+" left out: the Odoo product has no such attribute")
				continue
			}
			var add []any
			for _, id := range it.valueIDs(name, values) {
				if !slices.Contains(lines[at].Values, id) {
					add = append(add, []any{4, id})
				}
			}
			if add != nil {
				cmds = append(cmds, []any{1, lines[at].ID, map[string]any{"value_ids": add}})
			}
		}
		if cmds != nil {
			if err := im.Odoo.WriteTemplate(ctx, it.tmpl, map[string]any{"attribute_line_ids": cmds}); err != nil {
				return err
			}
			it.changed = append(it.changed, "option values")
		}
	}
	return nil
}

// syncVariants matches each Shopify variant to an Odoo variant of its
// template (SKU, barcode, then option values) and writes, per template, what
// differs: codes, barcodes, price extras and the fields noted before. The
// variants Odoo made for combinations Shopify does not sell are archived on
// new templates.
func (im *Importer) syncVariants(ctx context.Context, items []*item, values map[valueKey]int64) error {
	var tids []int64
	for _, it := range items {
		tids = append(tids, it.tmpl)
	}
	var vs []variant
	if err := im.Odoo.VariantKeysOf(ctx, tids, &vs); err != nil {
		return err
	}
	var ptavIDs []int64
	byTmpl := map[int64][]variant{}
	for _, v := range vs {
		byTmpl[v.Template.ID] = append(byTmpl[v.Template.ID], v)
		ptavIDs = append(ptavIDs, v.Values...)
	}
	ptavs := map[int64]ptav{}
	if len(ptavIDs) > 0 {
		var rows []ptav
		if err := im.Odoo.TemplateValues(ctx, slices.Compact(slices.Sorted(slices.Values(ptavIDs))), &rows); err != nil {
			return err
		}
		for _, p := range rows {
			ptavs[p.ID] = p
		}
	}
	known, err := im.variantImageMarks(ctx, items)
	if err != nil {
		return err
	}
	extras := map[int64]map[string]any{}
	var marks []odoo.ExternalID
	for _, it := range items {
		pairs := it.match(byTmpl[it.tmpl], ptavs, values)
		var cmds []any
		for _, i := range slices.Sorted(maps.Keys(pairs)) {
			sv, ov := it.p.Variants.Nodes[i], pairs[i]
			set := map[string]any{}
			if sv.SKU != "" && string(ov.Code) != sv.SKU {
				set["default_code"] = sv.SKU
			}
			if sv.Barcode != "" && string(ov.Barcode) != sv.Barcode {
				set["barcode"] = sv.Barcode
			}
			if len(set) > 0 {
				cmds = append(cmds, []any{1, ov.ID, set})
			}
		}
		if it.isNew {
			matched := map[int64]bool{}
			for _, ov := range pairs {
				matched[ov.ID] = true
			}
			for _, ov := range byTmpl[it.tmpl] {
				if !matched[ov.ID] {
					cmds = append(cmds, []any{1, ov.ID, map[string]any{"active": false}})
				}
			}
		}
		if len(cmds) > 0 && !it.isNew {
			it.changed = append(it.changed, count(len(cmds), "variant", "variants"))
		}
		if cmds != nil {
			it.vals["product_variant_ids"] = cmds
		}
		if it.isNew || owns(im.ProductSettings.FieldOwnership.Price) {
			if n := it.priceExtras(pairs, ptavs, values, extras); n > 0 && !it.isNew {
				it.changed = append(it.changed, "price extras")
			}
		}
		if it.image != "" && !it.isNew {
			it.vals["image_1920"] = it.image
			it.changed = append(it.changed, "image")
		}
		if it.mark != "" {
			marks = append(marks, odoo.ExternalID{Name: it.mark, Model: "product.template", ResID: it.tmpl})
		}
		if len(it.vals) > 0 {
			if err := im.Odoo.WriteTemplate(ctx, it.tmpl, it.vals); err != nil {
				return err
			}
		}
		n, err := im.variantImages(ctx, it, pairs, known)
		switch {
		case err != nil:
			return err
		case it.r.State == v1.LineFailed:
			continue
		case n > 0 && !it.isNew:
			it.changed = append(it.changed, count(n, "variant image", "variant images"))
		}
		it.r.OdooID = it.tmpl
		switch {
		case it.isNew:
			it.r.Message = "created with " + count(len(pairs), "variant", "variants")
		case len(it.changed) > 0:
			it.r.Message = "updated: " + strings.Join(it.changed, ", ")
		default:
			it.r.Message = "unchanged"
		}
		if missing := len(it.p.Variants.Nodes) - len(pairs); missing > 0 {
			it.r.Message += "; " + count(missing, "variant", "variants") + " not found in Odoo"
		}
	}
	if err := im.Odoo.SetTemplateValues(ctx, extras); err != nil {
		return err
	}
	if len(marks) == 0 {
		return nil
	}
	return im.Odoo.CreateExternalIDs(ctx, keys.ModuleImage, marks)
}

// match pairs the Shopify variants with the template's Odoo variants: by
// SKU, then barcode, then the same attribute values.
func (it *item) match(odooVariants []variant, ptavs map[int64]ptav, values map[valueKey]int64) map[int]variant {
	combo := func(ids []int64) string {
		var vals []int64
		for _, id := range ids {
			vals = append(vals, ptavs[id].Value.ID)
		}
		return fmt.Sprint(slices.Sorted(slices.Values(vals)))
	}
	out := map[int]variant{}
	used := map[int64]bool{}
	for i, sv := range it.p.Variants.Nodes {
		var want []int64
		for _, o := range sv.SelectedOptions {
			if id := values[valueKey{o.Name, o.Value}]; id != 0 && slices.Contains(it.options, o.Name) {
				want = append(want, id)
			}
		}
		key := fmt.Sprint(slices.Sorted(slices.Values(want)))
		for _, same := range []func(variant) bool{
			func(v variant) bool { return sv.SKU != "" && string(v.Code) == sv.SKU },
			func(v variant) bool { return sv.Barcode != "" && string(v.Barcode) == sv.Barcode },
			func(v variant) bool { return combo(v.Values) == key },
		} {
			if at := slices.IndexFunc(odooVariants, func(v variant) bool { return !used[v.ID] && same(v) }); at >= 0 {
				out[i] = odooVariants[at]
				used[odooVariants[at].ID] = true
				break
			}
		}
	}
	return out
}

// priceExtras sets on the template's attribute values the extras that give
// each variant its Shopify price over the lowest, attribute by attribute in
// Shopify's order, adding to extras the writes needed; it returns their number.
func (it *item) priceExtras(pairs map[int]variant, ptavs map[int64]ptav, values map[valueKey]int64, extras map[int64]map[string]any) int {
	base := basePrice(it.p)
	attrOf := map[int64]string{}
	for k, id := range values {
		if k.value != "" {
			attrOf[id] = k.attribute
		}
	}
	set := map[int64]int64{} // ptav -> extra, in cents
	for _, name := range it.options {
		low := map[int64]int64{}
		for i, ov := range pairs {
			c, _ := it.p.Variants.Nodes[i].Price.Round(2).MulInt(100).Int64()
			rest, mine := c-base, int64(0)
			for _, id := range ov.Values {
				if attrOf[ptavs[id].Value.ID] == name {
					mine = id
				} else {
					rest -= set[id]
				}
			}
			if cur, ok := low[mine]; mine != 0 && (!ok || rest < cur) {
				low[mine] = rest
			}
		}
		maps.Copy(set, low)
	}
	n := 0
	for id, c := range set {
		if cents(ptavs[id].PriceExtra) != c {
			extras[id] = map[string]any{"price_extra": float64(c) / 100}
			n++
		}
	}
	return n
}
