// Package export publishes Odoo products, prices, images and stock in
// Shopify and keeps them in step with Odoo.
package export

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// pageSize bounds the templates held in memory at once.
const pageSize = 50

// maxFailures is how many failures a Result keeps, like the status does.
const maxFailures = 50

// hashKey is the product metafield holding the hash of what was last sent,
// so that Shopify itself tells which products are up to date.
const hashNamespace, hashKey = "connector", "hash"

// altPrefix marks media the export uploaded; the rest of the alt text is the
// image's content hash.
const altPrefix = "odoo:"

// Products says which Odoo templates to export and how.
type Products struct {
	Selector         v1.ProductSelector
	Sync             []v1.SyncField // empty: everything
	Status           v1.ProductStatus
	Pricelist        string // prices; empty: the variants' sales prices
	ComparePricelist string // compare-at prices; empty: none
	// VendorField is a product.template field (char or many2one) sent as
	// the vendor; empty sends none.
	VendorField string
	// RemoveUnknownVariants deletes Shopify variants whose SKU the Odoo
	// template does not have; by default they are kept.
	RemoveUnknownVariants bool
	// Publications are the names of the publications products are
	// published on; empty publishes on none.
	Publications []string
}

func (p Products) syncs(f v1.SyncField) bool { return len(p.Sync) == 0 || slices.Contains(p.Sync, f) }

// State is what a pass leaves for the next one.
type State struct {
	// Watermark is the Odoo write_date from which templates are read again.
	Watermark string `json:"watermark,omitempty"`
	// Key changes with the export's settings and the pricelists' rules; a
	// change reads every template.
	Key string `json:"key,omitempty"`
	// Publications are those products are published on, and those left
	// to unpublish them from.
	Publications []v1.PublicationRef `json:"publications,omitempty"`
}

// settingsKey identifies the export's settings.
func settingsKey(p Products) string { return hashOf(fmt.Sprintf("%+v", p)) }

// SettingsChanged tells whether p differs from the settings of the pass
// that left prev, so that a pass is due at once.
func SettingsChanged(prev State, p Products) bool {
	return !strings.HasPrefix(prev.Key, settingsKey(p)+".")
}

// SettingsError is a selector or pricelist that does not resolve in Odoo:
// a person has to change the spec or Odoo.
type SettingsError struct{ msg string }

func (e *SettingsError) Error() string { return e.msg }

func settingsErrorf(format string, args ...any) error {
	return &SettingsError{fmt.Sprintf(format, args...)}
}

// Result is the outcome of a pass.
type Result struct {
	State    State
	Counts   v1.ExportCounts
	Failures []v1.ProductFailure // the most recent first, at most 50
}

type template struct {
	ID          int64         `json:"id"`
	Name        odoo.Text     `json:"name"`
	Description odoo.Text     `json:"description_sale"`
	Category    odoo.Many2One `json:"categ_id"`
	TagIDs      []int64       `json:"product_tag_ids"`
	HSCode      odoo.Text     `json:"hs_code"`
	Origin      odoo.Many2One `json:"country_of_origin"`
	WriteDate   odoo.Text     `json:"write_date"`
	Vendor      json.RawMessage
	variants    []variant
	changed     string // newest write_date of the template and its variants
	image       string // hash of image_1920, empty without one
}

type variant struct {
	odoo.Product
	WriteDate odoo.Text `json:"write_date"`
	image     string    // hash of image_variant_1920
}

// exporter is one pass.
type exporter struct {
	o      *odoo.Client
	s      *shopify.Client
	p      Products
	prices []int64 // pricelist, compare pricelist
	pubs   publishing
	res    Result
	failed string // oldest write_date among failed templates
}

// ExportProducts runs one pass: after the first, only templates changed
// since prev (or every one, when the pricelists changed) are read, and only
// those whose content differs from what Shopify holds are sent.
func ExportProducts(ctx context.Context, o *odoo.Client, s *shopify.Client, p Products, prev State) (Result, error) {
	e := &exporter{o: o, s: s, p: p}
	sel, err := selectorDomain(ctx, o, p.Selector)
	if err != nil {
		return Result{}, err
	}
	compare := ""
	if p.syncs(v1.SyncField("compareAtPrice")) {
		compare = p.ComparePricelist
	}
	var key string
	if e.prices, key, err = pricelists(ctx, o, p.Pricelist, compare); err != nil {
		return Result{}, err
	}
	key = settingsKey(p) + "." + key
	if e.pubs, err = resolvePublications(ctx, s, p, prev); err != nil {
		return Result{}, err
	}
	selected, err := o.CountTemplates(ctx, sel)
	if err != nil {
		return Result{}, err
	}
	domain := sel
	if prev.Watermark != "" && prev.Key == key {
		wm := prev.Watermark
		domain = append(slices.Clone(sel), "|", "|", odoo.Cond("write_date", ">=", wm),
			odoo.Cond("product_variant_ids.write_date", ">=", wm),
			odoo.Cond("attribute_line_ids.product_template_value_ids.write_date", ">=", wm))
	}
	e.res.State = State{Watermark: prev.Watermark, Key: key}
	fields := []string{"name", "description_sale", "categ_id", "product_tag_ids", "write_date"}
	if p.syncs(v1.SyncField("hsCode")) {
		customs := o.Adapter().CustomsFields
		if !slices.Contains(customs, "hs_code") && slices.Contains(p.Sync, v1.SyncField("hsCode")) {
			return Result{}, settingsErrorf("spec.sync names hsCode, but Odoo's products have no hs_code field: install the Odoo module stock_delivery, or leave hsCode out")
		}
		fields = append(fields, customs...)
	}
	if p.VendorField != "" {
		fields = append(fields, p.VendorField)
	}
	for last := int64(0); ; {
		page, err := o.TemplatesAfter(ctx, domain, last, fields, pageSize)
		if err != nil {
			return Result{}, err
		}
		if len(page) == 0 {
			break
		}
		ts := make([]*template, len(page))
		for i, raw := range page {
			b, _ := json.Marshal(raw)
			ts[i] = &template{Vendor: raw[p.VendorField]}
			if err := json.Unmarshal(b, ts[i]); err != nil {
				return Result{}, err
			}
			last = ts[i].ID
		}
		if err := e.page(ctx, ts); err != nil {
			return Result{}, err
		}
	}
	if e.failed != "" && e.failed < e.res.State.Watermark {
		e.res.State.Watermark = e.failed // failed templates are tried again
	}
	c := &e.res.Counts
	e.res.State.Publications = e.pubs.remembered(c.Failed > 0)
	c.Selected = int32(selected)
	c.UpToDate = max(0, c.Selected-c.Exported-c.Updated-c.Failed)
	slices.Reverse(e.res.Failures)
	e.res.Failures = e.res.Failures[:min(len(e.res.Failures), maxFailures)]
	return e.res, nil
}

func (e *exporter) fail(t *template, sku, reason string) {
	e.res.Counts.Failed++
	e.res.Failures = append(e.res.Failures, v1.ProductFailure{Product: fmt.Sprintf("%s (%d)", t.Name, t.ID), SKU: sku, Reason: reason})
	if e.failed == "" || t.changed < e.failed {
		e.failed = t.changed
	}
}

// page exports one page of templates.
func (e *exporter) page(ctx context.Context, ts []*template) error {
	in, err := e.inputs(ctx, ts)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.changed > e.res.State.Watermark {
			e.res.State.Watermark = t.changed
		}
	}
	matches, err := e.match(ctx, ts, in)
	if err != nil {
		return err
	}
	have := map[string][]string{}
	if e.pubs.on() {
		var ids []string
		for _, m := range matches {
			ids = append(ids, m.ProductID)
		}
		if have, err = e.s.PublishedOn(ctx, ids); err != nil {
			return err
		}
	}
	for _, t := range ts {
		pi, ok := in[t.ID]
		if !ok {
			continue
		}
		m := matches[t.ID]
		id, changed := m.ProductID, false
		if hash := contentHash(pi, e.p.RemoveUnknownVariants); id == "" || m.Hash != hash {
			pi.Metafields = []shopify.Metafield{{Namespace: hashNamespace, Key: hashKey, Value: hash}}
			id, err = e.send(ctx, t, &pi, m.ProductID)
			if msg, ok := refused(err); ok {
				e.fail(t, "", msg)
				continue
			} else if err != nil {
				return err
			}
			changed = true
		}
		if e.pubs.on() {
			published, msg, err := e.publish(ctx, id, have[id])
			switch {
			case err != nil:
				return err
			case msg != "":
				e.fail(t, "", msg)
				continue
			}
			changed = changed || published
		}
		switch {
		case !changed:
		case m.ProductID == "":
			e.res.Counts.Exported++
		default:
			e.res.Counts.Updated++
		}
	}
	return nil
}

// refused joins the messages of Shopify's user errors, when err has them.
func refused(err error) (string, bool) {
	var se *shopify.Error
	if !errors.As(err, &se) || se.Kind != shopify.KindUserErrors {
		return "", false
	}
	msgs := make([]string, len(se.UserErrors))
	for i, u := range se.UserErrors {
		msgs[i] = u.Message
	}
	return strings.Join(msgs, "; "), true
}

// send uploads changed images and sets the product, keeping the Shopify
// variants and media Odoo does not know. It returns the product's id.
func (e *exporter) send(ctx context.Context, t *template, pi *shopify.ProductInput, productID string) (string, error) {
	var existing shopify.ProductDetail
	if productID != "" {
		var err error
		if existing, err = e.s.ProductDetail(ctx, productID); err != nil {
			return "", err
		}
		pi.ID = productID
	}
	known := map[string]bool{}
	for _, v := range pi.Variants {
		known[v.SKU] = true
	}
	for _, v := range existing.Variants.Nodes {
		if known[v.SKU] {
			e.keepPrices(pi, v)
			continue
		}
		if e.p.RemoveUnknownVariants {
			continue
		}
		kept := shopify.VariantInput{ID: v.ID, SKU: v.SKU, Barcode: v.Barcode, Price: v.Price, CompareAtPrice: v.CompareAtPrice}
		for _, o := range pi.Options {
			for _, so := range v.SelectedOptions {
				if so.Name == o {
					kept.OptionValues = append(kept.OptionValues, so.Value)
				}
			}
		}
		pi.Variants = append(pi.Variants, kept)
	}
	if e.p.syncs(v1.SyncField("images")) {
		if err := e.images(ctx, t, pi, existing.Media.Nodes); err != nil {
			return "", err
		}
	}
	p, err := e.s.ProductSet(ctx, *pi)
	return p.ID, err
}

// keepPrices leaves the prices Shopify has of an existing variant when the
// export does not sync them.
func (e *exporter) keepPrices(pi *shopify.ProductInput, v shopify.ProductVariant) {
	for i := range pi.Variants {
		if pi.Variants[i].SKU != v.SKU {
			continue
		}
		if !e.p.syncs(v1.SyncField("price")) {
			pi.Variants[i].Price = v.Price
		}
		if !e.p.syncs(v1.SyncField("compareAtPrice")) {
			pi.Variants[i].CompareAtPrice = v.CompareAtPrice
		}
	}
}

// images turns the alt-text hashes placed by inputs into files: media
// already in Shopify with that hash by ID, others uploaded once.
func (e *exporter) images(ctx context.Context, t *template, pi *shopify.ProductInput, media []shopify.Media) error {
	files := []shopify.FileInput{}
	byAlt := map[string]*shopify.FileInput{}
	for _, m := range media {
		if !strings.HasPrefix(m.Alt, altPrefix) {
			files = append(files, shopify.FileInput{ID: m.ID, Alt: m.Alt}) // not ours: kept
		}
	}
	sources := map[string]imageSource{altPrefix + t.image: {"product.template", t.ID}}
	for _, v := range t.variants {
		if _, ok := sources[altPrefix+v.image]; !ok {
			sources[altPrefix+v.image] = imageSource{"product.product", v.ID}
		}
	}
	resolve := func(f *shopify.FileInput) error {
		if f == nil || byAlt[f.Alt] != nil {
			return nil
		}
		for _, m := range media {
			if m.Alt == f.Alt {
				*f = shopify.FileInput{ID: m.ID, Alt: m.Alt}
			}
		}
		if f.ID == "" {
			data, err := e.image(ctx, sources[f.Alt])
			if err != nil {
				return fmt.Errorf("image of %s: %w", t.Name, err)
			}
			if f.Source, err = e.s.UploadImage(ctx, strings.TrimPrefix(f.Alt, altPrefix)+".png", sniff(data), data); err != nil {
				return err
			}
		}
		byAlt[f.Alt] = f
		files = append(files, *f)
		return nil
	}
	for i := range pi.Files {
		if err := resolve(&pi.Files[i]); err != nil {
			return err
		}
	}
	for i, v := range pi.Variants {
		if err := resolve(v.File); err != nil {
			return err
		}
		if v.File != nil {
			pi.Variants[i].File = byAlt[v.File.Alt]
		}
	}
	pi.Files = files
	return nil
}

// imageSource is the record an image is read from.
type imageSource struct {
	model string
	id    int64
}

// imageHashes sets the hash of each template's and variant's image.
func (e *exporter) imageHashes(ctx context.Context, ts []*template) error {
	tmpls := map[int64]*template{}
	vars := map[int64]*variant{}
	for _, t := range ts {
		tmpls[t.ID] = t
		for i := range t.variants {
			vars[t.variants[i].ID] = &t.variants[i]
		}
	}
	hash := func(img string) string {
		if img != "" {
			return hashOf(img)
		}
		return ""
	}
	err := e.o.Images(ctx, "product.template", slices.Collect(maps.Keys(tmpls)), func(id int64, img string) { tmpls[id].image = hash(img) })
	if err != nil {
		return err
	}
	return e.o.Images(ctx, "product.product", slices.Collect(maps.Keys(vars)), func(id int64, img string) { vars[id].image = hash(img) })
}

// image reads one record's image for upload.
func (e *exporter) image(ctx context.Context, src imageSource) ([]byte, error) {
	var data []byte
	var err error
	rerr := e.o.Images(ctx, src.model, []int64{src.id}, func(_ int64, img string) {
		data, err = base64.StdEncoding.DecodeString(img)
	})
	return data, cmp.Or(rerr, err)
}

func sniff(b []byte) string {
	if len(b) > 3 && b[0] == 0xff && b[1] == 0xd8 {
		return "image/jpeg"
	}
	return "image/png"
}

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// contentHash covers everything a productSet sends, images by their hash.
func contentHash(pi shopify.ProductInput, remove bool) string {
	b, _ := json.Marshal(struct {
		P      shopify.ProductInput
		Remove bool
	}{pi, remove})
	return hashOf(string(b))
}

// match finds each template's Shopify product by SKU: the first SKU of
// each, then all SKUs of those not found, so a full pass over a synced shop
// costs about one variant read per product.
func (e *exporter) match(ctx context.Context, ts []*template, in map[int64]shopify.ProductInput) (map[int64]shopify.SKUMatch, error) {
	owner := map[string]int64{}
	var first []string
	for _, t := range ts {
		if pi, ok := in[t.ID]; ok {
			for _, v := range pi.Variants {
				owner[v.SKU] = t.ID
			}
			first = append(first, pi.Variants[0].SKU)
		}
	}
	out := map[int64]shopify.SKUMatch{}
	found, err := e.s.MatchSKUs(ctx, first)
	if err != nil {
		return nil, err
	}
	for _, m := range found {
		if _, ok := out[owner[m.SKU]]; !ok {
			out[owner[m.SKU]] = m
		}
	}
	var rest []string
	for _, t := range ts {
		if _, ok := out[t.ID]; !ok {
			for _, v := range in[t.ID].Variants[min(1, len(in[t.ID].Variants)):] {
				rest = append(rest, v.SKU)
			}
		}
	}
	if found, err = e.s.MatchSKUs(ctx, rest); err != nil {
		return nil, err
	}
	for _, m := range found {
		if _, ok := out[owner[m.SKU]]; !ok {
			out[owner[m.SKU]] = m
		}
	}
	return out, nil
}

// inputs reads the page's variants, attribute values, prices, tags and
// countries and builds a ProductInput per template that can be exported;
// the others are recorded as failures.
func (e *exporter) inputs(ctx context.Context, ts []*template) (map[int64]shopify.ProductInput, error) {
	ids := make([]int64, len(ts))
	byID := map[int64]*template{}
	for i, t := range ts {
		ids[i], byID[t.ID] = t.ID, t
		t.changed = string(t.WriteDate)
	}
	fields := append(e.o.Adapter().ProductFields(), "write_date")
	var vs []variant
	if err := e.o.VariantsOf(ctx, ids, fields, &vs); err != nil {
		return nil, err
	}
	var ptav []int64
	var skus []string
	var products []odoo.Product
	for _, v := range vs {
		t := byID[v.Template.ID]
		t.variants = append(t.variants, v)
		t.changed = max(t.changed, string(v.WriteDate))
		ptav = append(ptav, v.AttributeValueIDs...)
		skus = append(skus, string(v.Code))
		products = append(products, v.Product)
	}
	if e.p.syncs(v1.SyncField("images")) {
		if err := e.imageHashes(ctx, ts); err != nil {
			return nil, err
		}
	}
	values, err := e.o.AttributeValues(ctx, ptav)
	if err != nil {
		return nil, err
	}
	dups, err := e.duplicates(ctx, skus)
	if err != nil {
		return nil, err
	}
	prices := make([]map[int64]float64, len(e.prices))
	for i, pl := range e.prices {
		if pl != 0 {
			if prices[i], err = e.o.PricelistPrices(ctx, pl, products, 1); err != nil {
				return nil, err
			}
		}
	}
	names, err := e.names(ctx, ts)
	if err != nil {
		return nil, err
	}
	out := map[int64]shopify.ProductInput{}
	for _, t := range ts {
		if pi, ok := e.input(t, values, dups, prices, names); ok {
			out[t.ID] = pi
		}
	}
	return out, nil
}

// duplicates returns the SKUs more than one active Odoo variant has.
func (e *exporter) duplicates(ctx context.Context, skus []string) (map[string]bool, error) {
	counts, err := e.o.CodeCounts(ctx, skus)
	dup := map[string]bool{}
	for code, n := range counts {
		dup[code] = n > 1
	}
	return dup, err
}

// names reads the tag names and country codes the page's templates refer to.
func (e *exporter) names(ctx context.Context, ts []*template) (map[string]string, error) {
	var tags, countries []int64
	for _, t := range ts {
		tags = append(tags, t.TagIDs...)
		if t.Origin.ID != 0 {
			countries = append(countries, t.Origin.ID)
		}
	}
	out := map[string]string{}
	for _, q := range []struct {
		prefix string
		read   func(context.Context, []int64) (map[int64]string, error)
		ids    []int64
	}{{"tag/", e.o.TagNames, tags}, {"country/", e.o.CountryCodes, countries}} {
		found, err := q.read(ctx, q.ids)
		if err != nil {
			return nil, err
		}
		for id, name := range found {
			out[fmt.Sprint(q.prefix, id)] = name
		}
	}
	return out, nil
}

// input builds the product of one template, or records why it cannot be.
func (e *exporter) input(t *template, values map[int64]odoo.AttributeValue, dups map[string]bool, prices []map[int64]float64, names map[string]string) (shopify.ProductInput, bool) {
	if len(t.variants) == 0 {
		e.fail(t, "", "the template has no active variant")
		return shopify.ProductInput{}, false
	}
	for _, v := range t.variants {
		switch {
		case v.Code == "":
			e.fail(t, "", fmt.Sprintf("variant %s has no internal reference (SKU)", v.Name))
			return shopify.ProductInput{}, false
		case dups[string(v.Code)]:
			e.fail(t, string(v.Code), fmt.Sprintf("SKU %s is the internal reference of more than one Odoo variant", v.Code))
			return shopify.ProductInput{}, false
		}
	}
	status := "DRAFT"
	if e.p.Status == v1.ProductStatus("Active") {
		status = "ACTIVE"
	}
	pi := shopify.ProductInput{Handle: handle(string(t.Name), t.ID), Status: status}
	if e.p.syncs(v1.SyncField("details")) {
		pi.Title = string(t.Name)
		pi.DescriptionHTML = paragraphs(string(t.Description))
		pi.ProductType = lastSegment(t.Category.Name)
		pi.Vendor = vendor(t.Vendor)
		pi.Tags = []string{}
		for _, id := range t.TagIDs {
			pi.Tags = append(pi.Tags, names[fmt.Sprint("tag/", id)])
		}
	}
	for _, id := range t.variants[0].AttributeValueIDs {
		pi.Options = append(pi.Options, values[id].Attribute.Name)
	}
	if len(pi.Options) == 0 {
		pi.Options = []string{"Title"}
	}
	if t.image != "" {
		pi.Files = []shopify.FileInput{{Alt: altPrefix + t.image}}
	}
	for _, v := range t.variants {
		vi := shopify.VariantInput{SKU: string(v.Code), Barcode: string(v.Barcode), Price: decimal.Money(v.Price), WeightKg: v.Weight,
			Tracked: e.p.syncs(v1.SyncField("stock"))}
		if prices[0] != nil {
			vi.Price = decimal.Money(prices[0][v.ID])
		}
		if len(prices) > 1 && prices[1] != nil {
			c := decimal.Money(prices[1][v.ID])
			vi.CompareAtPrice = &c
		}
		if e.p.syncs(v1.SyncField("hsCode")) {
			vi.HSCode = string(t.HSCode)
			vi.CountryOfOrigin = names[fmt.Sprint("country/", t.Origin.ID)]
		}
		for _, id := range v.AttributeValueIDs {
			vi.OptionValues = append(vi.OptionValues, string(values[id].Name))
		}
		if len(v.AttributeValueIDs) == 0 {
			vi.OptionValues = []string{"Default Title"}
		}
		if v.image != "" && v.image != t.image {
			vi.File = &shopify.FileInput{Alt: altPrefix + v.image}
		}
		pi.Variants = append(pi.Variants, vi)
	}
	return pi, true
}

func vendor(raw json.RawMessage) string {
	var m odoo.Many2One
	if json.Unmarshal(raw, &m) == nil && m.Name != "" {
		return m.Name
	}
	var t odoo.Text
	json.Unmarshal(raw, &t)
	return string(t)
}

func lastSegment(s string) string {
	parts := strings.Split(s, " / ")
	return parts[len(parts)-1]
}

func paragraphs(s string) string {
	if s == "" {
		return ""
	}
	return "<p>" + strings.ReplaceAll(html.EscapeString(s), "\n", "<br>") + "</p>"
}

// handle derives a stable handle for products the export creates; the
// template id keeps two templates of the same name apart.
func handle(name string, id int64) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return fmt.Sprintf("%s-%d", strings.Trim(b.String(), "-"), id)
}
