package shopifysim

import (
	"fmt"
	"slices"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifyschema"
)

// ordersWindow is how far back an app without read_all_orders sees orders.
const ordersWindow = 60 * 24 * time.Hour

// defaultScopes are every scope the connector's features need, and
// read_all_orders, as the generated orders are older than 60 days.
func defaultScopes() []string {
	out := []string{shopify.ScopeAllOrders}
	for _, f := range shopify.Features {
		out = append(out, f.Scopes()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (s *Sim) hasScope(scope string) bool { return shopify.HasScope(s.opts.Scopes, scope) }

// denied answers a field the app may not read as Shopify does: null, and an
// error at its path. A field is checked before it is resolved, so that a
// denied mutation changes nothing.
func (e *exec) denied(parent string, f *ast.Field) bool {
	r := e.s.access.Field(e.s.schema, parent, f.Definition)
	switch {
	case !r.Allows(e.s.hasScope):
		e.denyScope(f, r)
	case r.Protected != nil && slices.Contains(e.s.opts.Withheld, r.Protected.Content):
		// Worded as shopify.dev's example of a field the app is not approved for.
		e.fail(&gqlerror.Error{
			Message: fmt.Sprintf("This app is not approved to access the %s object. "+
				"See https://partners.shopify.com/1/apps/1/customer_data for more details.", parent),
			Locations:  locations(f),
			Extensions: map[string]any{"code": "ACCESS_DENIED"},
		})
	default:
		return false
	}
	return true
}

// deniedType checks an object reached through an interface, such as an
// Order among nodes, against what its type needs.
func (e *exec) deniedType(name string, f *ast.Field) bool {
	r := e.s.access.Type(name)
	if r.Allows(e.s.hasScope) {
		return false
	}
	e.denyScope(f, r)
	return true
}

// denyScope records an error worded as Shopify's captured ones.
func (e *exec) denyScope(f *ast.Field, r shopifyschema.Requirement) {
	e.fail(&gqlerror.Error{
		Message:   fmt.Sprintf("Access denied for %s field. Required access: %s", f.Name, r.Text),
		Locations: locations(f),
		Extensions: map[string]any{"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes",
			"requiredAccess": r.Text},
	})
}

func locations(f *ast.Field) []gqlerror.Location {
	return []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
}

// visible hides an order created more than 60 days ago from an app without
// read_all_orders, as Shopify does: listings leave it out and reads by id
// find nothing.
func (e *exec) visible(o Obj) bool {
	if o == nil || o["__typename"] != "Order" || e.s.hasScope(shopify.ScopeAllOrders) {
		return o != nil
	}
	created, err := time.Parse(time.RFC3339, o["createdAt"].(string))
	return err == nil && time.Since(created) < ordersWindow
}
