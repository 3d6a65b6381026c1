// Package instance checks both ends of a ShopifyInstance: the store, the Odoo
// database and everything the spec names in it.
package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Condition reasons a person acts on.
const (
	ReasonConnected      = "Connected"
	ReasonBadCredentials = "BadCredentials"
	ReasonUnreachable    = "Unreachable"
	ReasonMissingScope   = "MissingScope"
	ReasonNotFound       = "OdooObjectNotFound"
)

// Problem is a failed check. Stalled problems need someone to change the
// spec, a Secret or the other side; the others may pass on their own.
type Problem struct {
	Reason  string
	Message string
	Stalled bool
}

func (p *Problem) Error() string { return p.Message }

// CheckShopify reads the shop and its granted scopes. The scopes of the
// order import are checked here, as nothing works without them; each other
// feature checks its own with Lacks, so that only it stops.
func CheckShopify(ctx context.Context, c *shopify.Client) (shopify.Shop, *Problem) {
	shop, err := c.ShopInfo(ctx)
	switch {
	case shopify.IsKind(err, shopify.KindUnauthorized):
		return shop, &Problem{ReasonBadCredentials, "Shopify refused the credentials: " + err.Error(), true}
	case err != nil:
		return shop, &Problem{ReasonUnreachable, "cannot reach Shopify: " + err.Error(), false}
	}
	return shop, Lacks(shop.AccessScopes, shopify.FeatureOrders)
}

// Lacks is the problem of a feature whose access scopes granted lacks, or nil.
func Lacks(granted []string, f shopify.Feature) *Problem {
	missing := f.Missing(granted)
	if len(missing) == 0 {
		return nil
	}
	return &Problem{ReasonMissingScope, fmt.Sprintf("the Shopify app lacks the access scopes of %s: %s; "+
		"add them to the app's scopes and install it again", f, strings.Join(missing, ", ")), true}
}

// Odoo is what the check learnt of the Odoo side.
type Odoo struct {
	Version   string
	Protocol  string
	CompanyID int64
}

// CheckOdoo connects and looks up every Odoo record the spec names.
func CheckOdoo(ctx context.Context, c *odoo.Client, spec v1.ShopifyInstanceSpec) (Odoo, *Problem) {
	if err := c.Connect(ctx); err != nil {
		if errors.Is(err, odoo.ErrBadCredentials) || odoo.IsKind(err, odoo.AccessDenied) {
			return Odoo{}, &Problem{ReasonBadCredentials, "Odoo refused the login: check the database name, username and apiKey", true}
		}
		return Odoo{}, &Problem{ReasonUnreachable, "cannot reach Odoo: " + err.Error(), false}
	}
	info := Odoo{Version: c.ServerVersion(), Protocol: c.Protocol()}
	var missing []string
	var lookupErr error
	lookup := func(model, label, field string, value string) int64 {
		if value == "" || lookupErr != nil {
			return 0
		}
		ids, err := c.Search(ctx, model, odoo.Domain{odoo.Cond(field, "=", value)}, 1)
		if err != nil {
			lookupErr = err
			return 0
		}
		if len(ids) == 0 {
			missing = append(missing, fmt.Sprintf("%s %q", label, value))
			return 0
		}
		return ids[0]
	}
	info.CompanyID = lookup("res.company", "company", "name", spec.Odoo.Company)
	lookup("stock.warehouse", "warehouse", "code", spec.Odoo.Warehouse)
	lookup("product.pricelist", "pricelist", "name", spec.Odoo.Pricelist)
	lookup("crm.team", "sales team", "name", spec.Odoo.SalesTeam)
	lookup("res.partner", "guest customer", "name", spec.Orders.Customers.GuestCustomer)
	journals := map[string]bool{}
	for _, w := range spec.Orders.Workflows {
		if w.Journal != "" && !journals[w.Journal] {
			journals[w.Journal] = true
			lookup("account.journal", "journal", "name", w.Journal)
		}
	}
	if lookupErr != nil {
		return info, &Problem{ReasonUnreachable, "cannot read Odoo: " + lookupErr.Error(), false}
	}
	o := spec.Orders
	codes := slices.DeleteFunc([]string{o.ShippingProduct, o.DiscountProduct, o.GiftCardProduct, o.TipProduct, o.RoundingProduct},
		func(s string) bool { return s == "" })
	if len(codes) > 0 {
		found, err := c.ProductsByCode(ctx, codes)
		if err != nil {
			return info, &Problem{ReasonUnreachable, "cannot read Odoo products: " + err.Error(), false}
		}
		for _, code := range codes {
			if _, ok := found[code]; !ok {
				missing = append(missing, fmt.Sprintf("product %q", code))
			}
		}
	}
	if len(missing) > 0 {
		return info, &Problem{ReasonNotFound, "not found in Odoo: " + strings.Join(missing, ", "), true}
	}
	return info, nil
}
