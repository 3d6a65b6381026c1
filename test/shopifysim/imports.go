package shopifysim

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/test/catalog"
)

// importEpoch is when the generated products and customers were last
// updated, one minute apart, so that windows of updated dates select some.
var importEpoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func minute(i int) string {
	return importEpoch.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
}

// addImportData adds the Options.Products products of catalog.Large, each
// with an image, and the Options.Customers customers with addresses, tags
// and marketing consent.
func (st *Store) addImportData() {
	for i, p := range catalog.Large(st.sim.opts.Products) {
		st.addProduct(p, false)
		prod := st.products[len(st.products)-1]
		prod["updatedAt"] = minute(i)
		prod["media"] = []Obj{st.add("MediaImage", Obj{"alt": p.Title, "status": "READY", "mediaContentType": "IMAGE",
			"image": Obj{"url": "/images/" + p.Handle + "-1.png", "altText": p.Title}})}
	}
	for i := range st.sim.opts.Customers {
		pl := places[i%len(places)]
		first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
		addr := func(street string) Obj {
			return st.add("MailingAddress", Obj{"name": first + " " + last, "firstName": first, "lastName": last,
				"address1": street, "city": pl.city, "zip": pl.zip, "province": nilIfEmpty(pl.province),
				"provinceCode": nilIfEmpty(pl.provinceCode), "country": pl.country, "countryCodeV2": pl.code})
		}
		addrs := []Obj{addr(pl.street)}
		if i%3 == 0 {
			addrs = append(addrs, addr(fmt.Sprintf("%d Warehouse Lane", i)))
		}
		tags := []string{}
		if i%4 == 0 {
			tags = []string{"VIP", "wholesale"}[:1+i%8/4]
		}
		consent := "NOT_SUBSCRIBED"
		if i%2 == 0 {
			consent = "SUBSCRIBED"
		}
		st.customers = append(st.customers, st.add("Customer", Obj{
			"firstName": first, "lastName": last, "displayName": first + " " + last,
			"email": fmt.Sprintf("buyer%04d@example.net", i), "phone": fmt.Sprintf("+33 7 00 00 %02d %02d", i/100, i%100),
			"place": pl, "addresses": addrs, "tags": tags, "marketingState": consent, "updatedAt": minute(i),
		}))
	}
}

// UpdateProduct changes a product as an edit in the Shopify admin would.
func (st *Store) UpdateProduct(id string, fn func(Obj)) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.typed(id, "Product")
	if p == nil {
		return fmt.Errorf("no product %s", id)
	}
	fn(p)
	p["updatedAt"] = st.stamp()
	return nil
}

// ProductIDs are the GIDs of the products, in creation order.
func (st *Store) ProductIDs() []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []string
	for _, p := range st.products {
		out = append(out, p["id"].(string))
	}
	return out
}

// serveImage answers an image URL with a small PNG whose colour follows
// the file name, so that another name is another image.
func serveImage(w http.ResponseWriter, r *http.Request) {
	h := fnv.New32a()
	h.Write([]byte(r.PathValue("file")))
	c := h.Sum32()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := range 4 {
		for y := range 4 {
			img.Set(x, y, color.RGBA{uint8(c), uint8(c >> 8), uint8(c >> 16), 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(b.Bytes())
}

func init() {
	or := func(v any, def any) any {
		if v == nil {
			return def
		}
		return v
	}
	field := func(name string, def any) resolver {
		return func(_ *exec, o Obj, _ map[string]any) (any, error) { return or(o[name], def), nil }
	}
	resolvers["Product.updatedAt"] = field("updatedAt", epoch.Format(time.RFC3339))
	resolvers["Customer.updatedAt"] = field("updatedAt", epoch.Format(time.RFC3339))
	resolvers["Customer.tags"] = field("tags", []string{})
	resolvers["Customer.addressesV2"] = field("addresses", []Obj{})
	resolvers["Product.featuredMedia"] = func(_ *exec, p Obj, _ map[string]any) (any, error) {
		if media, _ := p["media"].([]Obj); len(media) > 0 {
			return media[0], nil
		}
		return nil, nil
	}
	// Generated images are stored by path: the address is known once the
	// simulator listens.
	resolvers["Image.url"] = func(e *exec, img Obj, _ map[string]any) (any, error) {
		if u, _ := img["url"].(string); strings.HasPrefix(u, "/") {
			return e.s.URL() + u, nil
		}
		return img["url"], nil
	}
	resolvers["MediaImage.preview"] = func(_ *exec, m Obj, _ map[string]any) (any, error) {
		return Obj{"image": m["image"], "status": m["status"]}, nil
	}
	resolvers["Customer.defaultAddress"] = func(_ *exec, c Obj, _ map[string]any) (any, error) {
		if addrs, _ := c["addresses"].([]Obj); len(addrs) > 0 {
			return addrs[0], nil
		}
		return nil, nil
	}
	resolvers["Customer.defaultEmailAddress"] = func(_ *exec, c Obj, _ map[string]any) (any, error) {
		if c["email"] == nil {
			return nil, nil
		}
		return Obj{"emailAddress": c["email"], "marketingState": or(c["marketingState"], "NOT_SUBSCRIBED")}, nil
	}
	resolvers["Customer.defaultPhoneNumber"] = func(_ *exec, c Obj, _ map[string]any) (any, error) {
		if c["phone"] == nil {
			return nil, nil
		}
		return Obj{"phoneNumber": c["phone"], "marketingState": "NOT_SUBSCRIBED"}, nil
	}
}

// recordTerm maps product and customer search fields to values.
func recordTerm(o Obj, f string) any {
	switch f {
	case "updated_at":
		return cmp.Or(o["updatedAt"], any(epoch.Format(time.RFC3339)))
	case "id":
		return o["legacyResourceId"]
	case "tag":
		return o["tags"]
	}
	return o[f]
}
