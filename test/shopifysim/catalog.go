package shopifysim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/shopify-odoo/connector/test/catalog"
)

// Uploads counts the files received on staged upload URLs.
func (st *Store) Uploads() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.uploads
}

// ProductCount is the number of products.
func (st *Store) ProductCount() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return len(st.products)
}

// options builds a product's options from its option names and variants' values.
func options(names []string, variants []catalog.Variant) []Obj {
	if len(names) == 0 {
		return []Obj{{"name": "Title", "position": 1, "values": []string{"Default Title"}}}
	}
	out := make([]Obj, len(names))
	for i, n := range names {
		var vals []string
		for _, v := range variants {
			if !slices.Contains(vals, v.Options[i]) {
				vals = append(vals, v.Options[i])
			}
		}
		out[i] = Obj{"name": n, "position": i + 1, "values": vals}
	}
	return out
}

func selected(names, values []string) []Obj {
	if len(names) == 0 {
		return []Obj{{"name": "Title", "value": "Default Title"}}
	}
	out := make([]Obj, len(names))
	for i, n := range names {
		out[i] = Obj{"name": n, "value": values[i]}
	}
	return out
}

// serveUpload receives a staged upload as Shopify's storage does: a
// multipart POST with the target's parameters and the file last.
func (st *Store) serveUpload(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	f, _, err := r.FormFile("file")
	if err == nil {
		defer f.Close()
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.staged[token]; !ok || err != nil || r.FormValue("key") != token {
		http.Error(w, "<Error><Code>InvalidArgument</Code></Error>", http.StatusBadRequest)
		return
	}
	b, err := io.ReadAll(io.LimitReader(f, 20<<20))
	if err != nil || len(b) == 0 {
		http.Error(w, "<Error><Code>EntityTooSmall</Code></Error>", http.StatusBadRequest)
		return
	}
	st.staged[token] = b
	st.uploads++
	w.WriteHeader(http.StatusCreated)
}

func init() {
	resolvers["Mutation.stagedUploadsCreate"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		var targets []Obj
		for i, in := range listArg(a["input"]) {
			if str(in, "resource") != "IMAGE" && str(in, "resource") != "FILE" {
				return Obj{"stagedTargets": nil, "userErrors": []Obj{userError([]string{"input", fmt.Sprint(i), "resource"}, nil, "Resource is not supported by this simulator")}}, nil
			}
			token := randomHex()
			st.staged[token] = nil
			url := e.s.URL() + "/staged/" + token
			targets = append(targets, Obj{"url": url, "resourceUrl": url + "/" + str(in, "filename"),
				"parameters": []Obj{{"name": "key", "value": token}, {"name": "Content-Type", "value": str(in, "mimeType")}}})
		}
		return Obj{"stagedTargets": targets, "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.productSet"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		in, _ := a["input"].(map[string]any)
		ident, _ := a["identifier"].(map[string]any)
		p, uerr := e.s.store.productSet(in, ident)
		if uerr != nil {
			return Obj{"product": nil, "userErrors": []Obj{uerr}}, nil
		}
		return Obj{"product": p, "userErrors": []Obj{}}, nil
	}
	resolvers["ProductVariant.media"] = func(_ *exec, v Obj, _ map[string]any) (any, error) {
		if media, ok := v["media"].([]Obj); ok {
			return media, nil
		}
		return []Obj{}, nil
	}
	resolvers["Product.metafield"] = func(_ *exec, p Obj, a map[string]any) (any, error) {
		mf, _ := p["metafields"].(map[string]Obj)
		return mf[str(a, "namespace")+"."+str(a, "key")], nil
	}
}

func listArg(v any) []map[string]any { return list(map[string]any{"l": v}, "l") }

// productSet creates or replaces a product: variants and files not named
// are deleted, metafields named are set.
func (st *Store) productSet(in, ident map[string]any) (Obj, Obj) {
	fail := func(field []string, code, format string, args ...any) (Obj, Obj) {
		return nil, userError(field, code, format, args...)
	}
	handle := str(ident, "handle")
	if handle == "" {
		handle = str(in, "handle")
	}
	var p Obj
	if id := str(ident, "id"); id != "" {
		if p = st.typed(id, "Product"); p == nil {
			return fail([]string{"identifier", "id"}, "PRODUCT_DOES_NOT_EXIST", "Product does not exist")
		}
	}
	for _, x := range st.products {
		if p == nil && handle != "" && x["handle"] == handle {
			p = x
		}
	}
	if p == nil && str(in, "title") == "" {
		return fail([]string{"input", "title"}, "INVALID", "Title can't be blank")
	}
	opts := list(in, "productOptions")
	seen := map[string]bool{}
	byID := map[string]Obj{}
	if p != nil {
		for _, v := range p["variants"].([]Obj) {
			byID[v["id"].(string)] = v
		}
	}
	for i, vin := range list(in, "variants") {
		path := []string{"input", "variants", fmt.Sprint(i)}
		ov := list(vin, "optionValues")
		if len(opts) > 0 && len(ov) != len(opts) {
			return fail(append(path, "optionValues"), "INVALID_VARIANT", "Option values provided for %d unknown option(s)", abs(len(ov)-len(opts)))
		}
		var names []string
		for _, o := range ov {
			names = append(names, str(o, "name"))
		}
		combo := strings.Join(names, " / ")
		if seen[combo] {
			return fail(path, "DUPLICATE_VARIANT", "The variant '%s' already exists.", combo)
		}
		seen[combo] = true
		if id := str(vin, "id"); id != "" && byID[id] == nil {
			return fail(append(path, "id"), "PRODUCT_VARIANT_DOES_NOT_EXIST", "Product variant does not exist")
		}
	}
	media, uerr := st.files(p, in)
	if uerr != nil {
		return nil, uerr
	}
	if p == nil {
		p = st.add("Product", Obj{"handle": handle, "variants": []Obj{}, "isGiftCard": false, "status": "ACTIVE", "tags": []string{},
			"media": []Obj{}, "options": []Obj{}})
		st.products = append(st.products, p)
	}
	for _, k := range []string{"title", "vendor", "productType", "descriptionHtml", "status"} {
		if v, ok := in[k]; ok && v != nil {
			p[k] = v
		}
	}
	if tags, ok := in["tags"].([]any); ok {
		p["tags"] = stringsOf(tags)
	}
	if media != nil {
		p["media"] = media
	}
	if opts != nil {
		var stored []Obj
		for i, o := range opts {
			var vals []string
			for _, v := range list(o, "values") {
				vals = append(vals, str(v, "name"))
			}
			stored = append(stored, Obj{"name": str(o, "name"), "position": i + 1, "values": vals})
		}
		p["options"] = stored
	}
	mfs, _ := p["metafields"].(map[string]Obj)
	if mfs == nil {
		mfs = map[string]Obj{}
	}
	for _, m := range list(in, "metafields") {
		key := str(m, "namespace") + "." + str(m, "key")
		if mfs[key] == nil {
			mfs[key] = st.add("Metafield", Obj{"namespace": str(m, "namespace"), "key": str(m, "key"), "type": str(m, "type")})
		}
		mfs[key]["value"] = str(m, "value")
	}
	p["metafields"] = mfs
	if _, ok := in["variants"]; ok {
		st.setVariants(p, list(in, "variants"), byID)
	}
	return p, nil
}

// files resolves a productSet's files into the product's new media list;
// nil when files were not given.
func (st *Store) files(p Obj, in map[string]any) ([]Obj, Obj) {
	if _, ok := in["files"]; !ok {
		return nil, nil
	}
	out := []Obj{}
	for i, f := range list(in, "files") {
		path := []string{"input", "files", fmt.Sprint(i)}
		if id := str(f, "id"); id != "" {
			var m Obj
			if p != nil {
				for _, x := range p["media"].([]Obj) {
					if x["id"] == id {
						m = x
					}
				}
			}
			if m == nil {
				return nil, userError(append(path, "id"), "INVALID", "File does not exist")
			}
			if alt, ok := f["alt"].(string); ok {
				m["alt"] = alt
			}
			out = append(out, m)
			continue
		}
		m, err := st.stagedMedia(str(f, "originalSource"), str(f, "alt"))
		if err != nil {
			return nil, userError(append(path, "originalSource"), "INVALID", "%v", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// stagedMedia makes a MediaImage of a staged upload's resource URL.
func (st *Store) stagedMedia(src, alt string) (Obj, error) {
	prefix := st.sim.URL() + "/staged/"
	token, _, _ := strings.Cut(strings.TrimPrefix(src, prefix), "/")
	b, ok := st.staged[token]
	switch {
	case !strings.HasPrefix(src, prefix) || !ok:
		return nil, errors.New("Image URL is invalid")
	case b == nil:
		return nil, errors.New("Media failed to process because the staged upload was not received")
	}
	return st.add("MediaImage", Obj{"alt": alt, "status": "READY", "mediaContentType": "IMAGE",
		"image": Obj{"url": src, "altText": alt}, "size": len(b)}), nil
}

// setVariants replaces the product's variants: matched by id, then SKU;
// those not named are deleted.
func (st *Store) setVariants(p Obj, ins []map[string]any, byID map[string]Obj) {
	bySKU := map[string]Obj{}
	for _, v := range p["variants"].([]Obj) {
		bySKU[fmt.Sprint(v["sku"])] = v
	}
	var vs []Obj
	kept := map[string]bool{}
	for _, vin := range ins {
		v := byID[str(vin, "id")]
		if v == nil {
			v = bySKU[fmt.Sprint(vin["sku"])]
		}
		if v == nil || kept[v["id"].(string)] {
			item := st.add("InventoryItem", Obj{"tracked": true, "sku": vin["sku"], "requiresShipping": true})
			v = st.add("ProductVariant", Obj{"product": p, "inventoryItem": item, "taxable": true, "price": "0.00"})
			item["variant"] = v
			st.variants = append(st.variants, v)
		}
		kept[v["id"].(string)] = true
		item := v["inventoryItem"].(Obj)
		for _, k := range []string{"sku", "barcode"} {
			if x, ok := vin[k]; ok {
				v[k] = x
			}
		}
		if x, ok := vin["price"]; ok && x != nil {
			v["price"] = fmt.Sprint(x)
		}
		if x, ok := vin["compareAtPrice"]; ok {
			v["compareAtPrice"] = nil
			if x != nil {
				v["compareAtPrice"] = fmt.Sprint(x)
			}
		}
		item["sku"] = v["sku"]
		if ii, ok := vin["inventoryItem"].(map[string]any); ok {
			for _, k := range []string{"tracked", "harmonizedSystemCode", "countryCodeOfOrigin", "measurement"} {
				if x, ok := ii[k]; ok {
					item[k] = x
				}
			}
		}
		var sel []Obj
		var title []string
		for i, ov := range list(vin, "optionValues") {
			name := str(ov, "optionName")
			if opts := p["options"].([]Obj); name == "" && i < len(opts) {
				name = opts[i]["name"].(string)
			}
			sel = append(sel, Obj{"name": name, "value": str(ov, "name")})
			title = append(title, str(ov, "name"))
		}
		v["selectedOptions"], v["title"] = sel, strings.Join(title, " / ")
		if f, ok := vin["file"].(map[string]any); ok {
			if m, err := st.stagedMedia(str(f, "originalSource"), str(f, "alt")); err == nil {
				v["media"] = []Obj{m}
			}
		}
		vs = append(vs, v)
	}
	for _, old := range p["variants"].([]Obj) {
		if !kept[old["id"].(string)] {
			delete(st.nodes, old["id"].(string))
			st.variants = slices.DeleteFunc(st.variants, func(v Obj) bool { return v["id"] == old["id"] })
		}
	}
	p["variants"] = vs
}

func stringsOf(xs []any) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func abs(n int) int { return max(n, -n) }

// publications are the shop's sales channels' publications, named as on
// the shop Shopify's captures were taken from.
var publications = []struct{ id, name string }{
	{gid("Publication", 1), "Online Store"}, {gid("Publication", 2), "Point of Sale"}, {gid("Publication", 3), "Shop"},
}

// PublishedOn names the publications a product is published on.
func (st *Store) PublishedOn(productID string) []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []string
	for _, p := range publications {
		if slices.Contains(publishedOn(st.nodes[productID]), p.id) {
			out = append(out, p.name)
		}
	}
	return out
}

func publishedOn(p Obj) []string { ids, _ := p["publishedOn"].([]string); return ids }

func publicationObj(id string) Obj {
	for _, p := range publications {
		if p.id == id {
			return Obj{"__typename": "Publication", "id": p.id, "name": p.name, "autoPublish": false, "supportsFuturePublishing": p.name == "Online Store"}
		}
	}
	return nil
}

// publish runs publishablePublish (on) or publishableUnpublish as Shopify
// answers them: the whole input is checked first, and one bad publication
// changes nothing.
func (st *Store) publish(a map[string]any, on bool) Obj {
	p := st.nodes[str(a, "id")]
	if t := p["__typename"]; t != "Product" {
		return Obj{"publishable": nil, "userErrors": []Obj{{"field": []string{"id"}, "message": "Resource does not exist"}}}
	}
	var ids []string
	for i, in := range listArg(a["input"]) {
		id := str(in, "publicationId")
		field := []string{"input", fmt.Sprint(i), "publicationId"}
		msg := ""
		switch {
		case id == "":
			msg = "PublicationId cannot be empty"
		case slices.Contains(ids, id):
			msg = "The same publication was specified more than once"
		case publicationObj(id) == nil:
			msg = "Publication does not exist or is not publishable"
		case str(in, "publishDate") != "" && str(in, "publishDate") < "1970":
			field[2], msg = "publishDate", "Publish date must be a date after the year 1969"
		}
		if msg != "" {
			return Obj{"publishable": p, "userErrors": []Obj{{"field": field, "message": msg}}}
		}
		ids = append(ids, id)
	}
	have := slices.DeleteFunc(slices.Clone(publishedOn(p)), func(id string) bool { return slices.Contains(ids, id) })
	if on {
		have = append(have, ids...)
	}
	p["publishedOn"] = have
	return Obj{"publishable": p, "userErrors": []Obj{}}
}

func init() {
	resolvers["QueryRoot.publications"] = func(_ *exec, _ Obj, _ map[string]any) (any, error) {
		out := make([]Obj, len(publications))
		for i, p := range publications {
			out[i] = publicationObj(p.id)
		}
		return out, nil
	}
	resolvers["Mutation.publishablePublish"] = func(e *exec, _ Obj, a map[string]any) (any, error) { return e.s.store.publish(a, true), nil }
	resolvers["Mutation.publishableUnpublish"] = func(e *exec, _ Obj, a map[string]any) (any, error) { return e.s.store.publish(a, false), nil }
	resolvers["Product.publishedOnPublication"] = func(_ *exec, p Obj, a map[string]any) (any, error) {
		return slices.Contains(publishedOn(p), str(a, "publicationId")), nil
	}
	// Only published ones: the sim schedules nothing, so onlyPublished
	// changes no answer.
	resolvers["Product.resourcePublications"] = func(_ *exec, p Obj, _ map[string]any) (any, error) {
		var out []Obj
		for _, id := range publishedOn(p) {
			out = append(out, Obj{"__typename": "ResourcePublication", "publication": publicationObj(id), "publishable": p, "isPublished": true})
		}
		return out, nil
	}
}
