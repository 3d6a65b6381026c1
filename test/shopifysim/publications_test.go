package shopifysim_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const publishDoc = `mutation($id: ID!, $input: [PublicationInput!]!) {
  publishablePublish(id: $id, input: $input) { publishable { ... on Product { id } } userErrors { field message } }
}`

const unpublishDoc = `mutation($id: ID!, $input: [PublicationInput!]!) {
  publishableUnpublish(id: $id, input: $input) { publishable { ... on Product { id } } userErrors { field message } }
}`

func publicationIDs(t *testing.T, sim *shopifysim.Sim) map[string]string {
	t.Helper()
	_, r := post(t, sim, token, `{ publications(first: 10) { nodes { id name } } }`, nil)
	var data struct {
		Publications struct{ Nodes []struct{ ID, Name string } }
	}
	b, _ := json.Marshal(r.Data)
	json.Unmarshal(b, &data)
	out := map[string]string{}
	for _, n := range data.Publications.Nodes {
		out[n.Name] = n.ID
	}
	return out
}

func userErrorsOf(r reply, field string) []shopify.UserError {
	var p struct{ UserErrors []shopify.UserError }
	b, _ := json.Marshal(r.Data[field])
	json.Unmarshal(b, &p)
	return p.UserErrors
}

func input(ids ...string) []map[string]any {
	var out []map[string]any
	for _, id := range ids {
		out = append(out, map[string]any{"publicationId": id})
	}
	return out
}

// A product is published and unpublished per publication; the product's
// fields show it; bad input is refused with Shopify's captured user errors
// and changes nothing.
func TestPublishAndUnpublish(t *testing.T) {
	sim := start(t, shopifysim.Options{})
	pubs := publicationIDs(t, sim)
	online, pos := pubs["Online Store"], pubs["Point of Sale"]
	if online == "" || pos == "" {
		t.Fatalf("publications %v", pubs)
	}
	product := sim.Store().ProductIDs()[0]
	_, r := post(t, sim, token, publishDoc, map[string]any{"id": product, "input": input(online, pos)})
	if errs := userErrorsOf(r, "publishablePublish"); len(errs) != 0 || r.Errors != nil {
		t.Fatalf("publish: %v %s", errs, errorText(r))
	}
	if got := sim.Store().PublishedOn(product); !slices.Equal(got, []string{"Online Store", "Point of Sale"}) {
		t.Errorf("published on %v", got)
	}
	_, r = post(t, sim, token, unpublishDoc, map[string]any{"id": product, "input": input(pos)})
	if errs := userErrorsOf(r, "publishableUnpublish"); len(errs) != 0 {
		t.Fatalf("unpublish: %v", errs)
	}
	_, r = post(t, sim, token, `query($id: ID!, $on: ID!, $off: ID!) { product(id: $id) {
  on: publishedOnPublication(publicationId: $on) off: publishedOnPublication(publicationId: $off)
  resourcePublications(first: 5) { nodes { publication { id } } } } }`, map[string]any{"id": product, "on": online, "off": pos})
	b, _ := json.Marshal(r.Data["product"])
	if want := `{"off":false,"on":true,"resourcePublications":{"nodes":[{"publication":{"id":"` + online + `"}}]}}`; string(b) != want {
		t.Errorf("product %s, want %s", b, want)
	}

	for _, c := range []struct {
		doc, field string
		vars       map[string]any
		want       shopify.UserError
	}{
		{publishDoc, "publishablePublish", map[string]any{"id": product, "input": input(pos, "gid://shopify/Publication/999999999999")},
			shopify.UserError{Field: []string{"input", "1", "publicationId"}, Message: "Publication does not exist or is not publishable"}},
		{publishDoc, "publishablePublish", map[string]any{"id": product, "input": input(pos, pos)},
			shopify.UserError{Field: []string{"input", "1", "publicationId"}, Message: "The same publication was specified more than once"}},
		{unpublishDoc, "publishableUnpublish", map[string]any{"id": product, "input": []map[string]any{{}}},
			shopify.UserError{Field: []string{"input", "0", "publicationId"}, Message: "PublicationId cannot be empty"}},
		{unpublishDoc, "publishableUnpublish", map[string]any{"id": "gid://shopify/Product/999999999999", "input": input(online)},
			shopify.UserError{Field: []string{"id"}, Message: "Resource does not exist"}},
	} {
		_, r := post(t, sim, token, c.doc, c.vars)
		if errs := userErrorsOf(r, c.field); len(errs) != 1 || !slices.Equal(errs[0].Field, c.want.Field) || errs[0].Message != c.want.Message {
			t.Errorf("%v: %v", c.vars, errs)
		}
	}
	if got := sim.Store().PublishedOn(product); !slices.Equal(got, []string{"Online Store"}) {
		t.Errorf("refused input changed the publications: %v", got)
	}
}

// Without write_publications the mutation is denied and does nothing.
func TestPublishDeniedWithoutItsScope(t *testing.T) {
	sim := start(t, shopifysim.Options{Scopes: shopify.FeatureProducts.Scopes()})
	product := sim.Store().ProductIDs()[0]
	_, r := post(t, sim, token, publishDoc, map[string]any{"id": product, "input": input("gid://shopify/Publication/1")})
	errs := errorsOf(t, r)
	if len(errs) != 1 || errs[0].Extensions.Code != "ACCESS_DENIED" || r.Data["publishablePublish"] != nil ||
		errs[0].Message != "Access denied for publishablePublish field. Required access: `write_publications` access scope. Also: The user must have permission to create and edit products or create and edit catalogs." {
		t.Errorf("%v %s", r.Data, errorText(r))
	}
	if got := sim.Store().PublishedOn(product); len(got) != 0 {
		t.Errorf("published on %v", got)
	}
}
