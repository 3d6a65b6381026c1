package shopify

import (
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopify-odoo/connector/test/shopifyschema"
)

// featureDocuments are the documents each feature sends.
var featureDocuments = map[Feature][]string{
	FeatureOrders: {"ShopInfo", "OrderRefs", "BulkOrderRefs", "BulkRun", "BulkStatus", "BulkCancel", "Orders", "BulkOrders", "OrdersByIDs",
		"OrderLines", "OrderRefunds", "WebhookSubscriptions", "WebhookSubscriptionCreate", "WebhookSubscriptionDelete"},
	FeatureFulfillments: {"OrderFulfillment", "FulfillmentOrderLines", "FulfillmentCreate", "OrderCancel", "OrderPayments", "RefundCreate"},
	FeatureStock:        {"Locations", "StockLevels", "ItemLevels", "InventoryActivate", "InventorySetQuantities"},
	FeatureProducts:     {"ProductSet", "MatchVariants", "ProductDetail", "StagedUploadsCreate", "Variants", "ProductRefs", "ProductsByIDs"},
	FeatureCustomers:    {"CustomerRefs", "CustomersByIDs"},
	FeaturePayouts:      {"Payouts", "PayoutTransactions"},
	FeaturePublishing:   {"Publications", "ProductPublications", "PublishablePublish", "PublishableUnpublish"},
	FeatureStockImport:  {"Locations", "VariantRefs", "VariantLevels"},
}

// selection is a field a document selects, with what it needs.
type selection struct {
	path string
	shopifyschema.Requirement
}

// selections lists what a document selects: every field, and the objects
// its fragments expect behind an interface (an Order among nodes).
func selections(t *testing.T, name string) []selection {
	t.Helper()
	s, err := shopifyschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	access, err := shopifyschema.LoadAccess()
	if err != nil {
		t.Fatal(err)
	}
	text := documents[name].text
	if strings.Contains(text, `"QUERY"`) {
		text = bulkQuery(name, "")
	}
	q, errs := gqlparser.LoadQuery(s, text)
	if errs != nil {
		t.Fatalf("%s: %v", name, errs)
	}
	var out []selection
	var walk func(path string, set ast.SelectionSet)
	fragment := func(path, typ string, set ast.SelectionSet) {
		out = append(out, selection{path + " on " + typ, access.Type(typ)})
		walk(path, set)
	}
	walk = func(path string, set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.Definition == nil || sel.Name == "__typename" {
					continue
				}
				p := path + "." + sel.Name
				out = append(out, selection{p, access.Field(s, sel.ObjectDefinition.Name, sel.Definition)})
				walk(p, sel.SelectionSet)
			case *ast.InlineFragment:
				fragment(path, sel.TypeCondition, sel.SelectionSet)
			case *ast.FragmentSpread:
				fragment(path, sel.Definition.TypeCondition, sel.Definition.SelectionSet)
			}
		}
	}
	for _, op := range q.Operations {
		walk(name, op.SelectionSet)
	}
	return out
}

func TestFeatureScopesCoverTheirDocuments(t *testing.T) {
	var assigned []string
	for _, f := range Features {
		has := func(s string) bool { return HasScope(f.Scopes(), s) }
		used := map[string]bool{}
		for _, name := range featureDocuments[f] {
			assigned = append(assigned, name)
			for _, sel := range selections(t, name) {
				if !sel.Allows(has) {
					t.Errorf("%s: %s needs %s, which the %s scopes %v lack", name, sel.path, sel.Text, f, f.Scopes())
				}
				for _, group := range sel.Scopes {
					for _, s := range f.Scopes() {
						used[s] = used[s] || slices.ContainsFunc(group, func(g string) bool { return HasScope([]string{s}, g) })
					}
				}
			}
		}
		for _, s := range f.Scopes() {
			if !used[s] {
				t.Errorf("%s asks for %s, which none of its documents needs", f, s)
			}
		}
	}
	for name := range documents {
		if !slices.Contains(assigned, name) {
			t.Errorf("document %s belongs to no feature", name)
		}
	}
}

func TestHasScope(t *testing.T) {
	granted := []string{"read_orders", "write_inventory"}
	for scope, want := range map[string]bool{"read_orders": true, "write_orders": false, "read_inventory": true, "write_inventory": true, "read_products": false} {
		if HasScope(granted, scope) != want {
			t.Errorf("%s: %v", scope, !want)
		}
	}
	if got := FeatureStock.Missing(granted); !slices.Equal(got, []string{"read_products", "read_locations"}) {
		t.Errorf("stock lacks %v", got)
	}
}

// The fields the client goes on without are exactly the protected customer
// data the documents select, each by what it holds.
func TestOptionalFieldsAreTheProtectedOnes(t *testing.T) {
	selected := map[string]bool{}
	for name := range documents {
		for _, sel := range selections(t, name) {
			if sel.Protected == nil {
				continue
			}
			field := sel.path[strings.LastIndex(sel.path, ".")+1:]
			selected[field] = true
			if optional[field] != sel.Protected.Content {
				t.Errorf("%s holds the customer's %s, the client takes it for %q", sel.path, sel.Protected.Content, optional[field])
			}
		}
	}
	for field := range optional {
		if !selected[field] {
			t.Errorf("no document selects a protected %s", field)
		}
	}
}
