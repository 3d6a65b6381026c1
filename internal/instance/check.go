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
	"github.com/shopify-odoo/connector/internal/egress"
	"github.com/shopify-odoo/connector/internal/importer"
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
	ReasonUnsupported    = "UnsupportedOdoo"
	ReasonNoAccess       = "OdooAccessMissing"
	ReasonModuleMissing  = "OdooModuleMissing"
	ReasonTaxRounding    = "TaxRoundingDiffers"
	// ReasonEndpointRefused is an endpoint the egress rules refuse: plain
	// http, or a redirect to another host.
	ReasonEndpointRefused = "EndpointRefused"
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
	case egress.IsRefused(err):
		return shop, &Problem{ReasonEndpointRefused, "Shopify: " + err.Error(), true}
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

// CheckOdoo connects and checks, before any order is tried, what the
// enabled features need of Odoo: a supported version, their modules, the
// connector user's rights on every model they write, a tax rounding Shopify's
// totals survive, and every record the spec names.
func CheckOdoo(ctx context.Context, c *odoo.Client, spec v1.ShopifyInstanceSpec) (Odoo, *Problem) {
	if err := c.Connect(ctx); err != nil {
		if errors.Is(err, odoo.ErrBadCredentials) || odoo.IsKind(err, odoo.AccessDenied) {
			return Odoo{}, &Problem{ReasonBadCredentials, "Odoo refused the login: check the database name, username and apiKey", true}
		}
		if egress.IsRefused(err) {
			return Odoo{}, &Problem{ReasonEndpointRefused, "Odoo: " + err.Error(), true}
		}
		return Odoo{}, &Problem{ReasonUnreachable, "cannot reach Odoo: " + err.Error(), false}
	}
	info := Odoo{Version: c.ServerVersion(), Protocol: c.Protocol()}
	if c.Major() < 17 || c.Major() > 19 {
		return info, &Problem{ReasonUnsupported, "Odoo " + info.Version + " is not supported: use Odoo 17, 18 or 19", true}
	}
	if p := checkAccess(ctx, c, spec); p != nil {
		return info, p
	}
	refs, err := c.Resolve(ctx, importer.Settings{Odoo: spec.Odoo, Orders: spec.Orders}.Names())
	var u *odoo.Unresolved
	switch {
	case errors.As(err, &u):
		return info, &Problem{ReasonNotFound, u.Error(), true}
	case err != nil:
		return info, &Problem{ReasonUnreachable, "cannot read Odoo: " + err.Error(), false}
	}
	info.CompanyID = refs.Company
	return info, checkRounding(ctx, c, spec, info.CompanyID)
}

// access is a right a feature needs on a model its module brings.
type access struct{ feature, module, model, op string }

func needs(spec v1.ShopifyInstanceSpec) []access {
	out := []access{
		{"the order import", "base", "res.partner", "create"},
		{"the order import", "sale", "sale.order", "create"},
		{"the order import", "sale", "sale.order", "write"},
		{"the order import", "sale", "sale.order.line", "create"},
		{"the order import", "stock", "stock.move", "write"},
		{"the order import", "stock", "stock.picking", "write"},
	}
	var invoice, pay bool
	if spec.Orders.UnknownProducts == v1.UnknownCreate {
		out = append(out, access{"unknownProducts Create", "product", "product.template", "create"},
			access{"unknownProducts Create", "base", "ir.model.data", "create"})
	}
	for _, w := range (importer.Settings{Orders: spec.Orders}).AllWorkflows() {
		invoice, pay = invoice || w.CreateInvoice, pay || w.RegisterPayment
	}
	if invoice {
		out = append(out, access{"invoicing", "sale", "sale.advance.payment.inv", "create"},
			access{"invoicing", "account", "account.move", "write"},
			access{"refunds", "account", "account.move.reversal", "create"})
	}
	if pay {
		out = append(out, access{"payments", "account", "account.payment.register", "create"})
	}
	if r := spec.Orders.RiskPolicy; r == "" || r == v1.RiskQuotation {
		out = append(out, access{"risky quotations", "sales_team", "crm.tag", "create"},
			access{"risky quotations", "mail", "mail.message", "create"})
	}
	if spec.Orders.Risk.Reviewer != "" || spec.Orders.OnFailure != nil {
		out = append(out, access{"activities", "mail", "mail.activity", "create"})
	}
	if spec.Fulfillment.Enabled {
		out = append(out, access{"fulfilments", "base", "ir.model.data", "create"})
	}
	if spec.Orders.RefundsToShopify.Enabled {
		out = append(out, access{"refunds to Shopify", "base", "ir.model.data", "create"})
	}
	if spec.Payouts.Enabled {
		out = append(out, access{"payouts", "account", "account.bank.statement", "create"},
			access{"payouts", "account", "account.bank.statement.line", "create"},
			access{"payouts", "account", "account.move.line", "write"})
	}
	return out
}

// checkAccess asks Odoo whether the connector's user may do what each
// enabled feature does: a model Odoo does not know means its module is not
// installed.
func checkAccess(ctx context.Context, c *odoo.Client, spec v1.ShopifyInstanceSpec) *Problem {
	var denied, modules []string
	for _, a := range needs(spec) {
		ok, err := c.MayAccess(ctx, a.model, a.op)
		switch {
		case odoo.IsUnknownModel(err):
			if m := fmt.Sprintf("%s (for %s)", a.module, a.feature); !slices.Contains(modules, m) {
				modules = append(modules, m)
			}
		case err != nil:
			return &Problem{ReasonUnreachable, "cannot read Odoo's access rights: " + err.Error(), false}
		case !ok:
			denied = append(denied, fmt.Sprintf("%s %s (for %s)", a.op, a.model, a.feature))
		}
	}
	if len(modules) > 0 {
		return &Problem{ReasonModuleMissing, "Odoo lacks the modules " + strings.Join(modules, ", ") + ": install them", true}
	}
	if len(denied) > 0 {
		return &Problem{ReasonNoAccess, "the connector's Odoo user may not " + strings.Join(denied, ", ") +
			": give it the groups that allow it", true}
	}
	return nil
}

// checkRounding refuses a company that rounds taxes globally without a
// rounding product: Shopify rounds per line, so orders of several lines
// would differ from Odoo's total by a cent and fail.
func checkRounding(ctx context.Context, c *odoo.Client, spec v1.ShopifyInstanceSpec, company int64) *Problem {
	method, err := c.TaxRounding(ctx, company)
	switch {
	case err != nil:
		return &Problem{ReasonUnreachable, "cannot read the company's tax rounding: " + err.Error(), false}
	case method == "round_globally" && spec.Orders.RoundingProduct == "":
		return &Problem{ReasonTaxRounding, "Odoo's company rounds taxes globally and Shopify per line, so totals of orders with several lines " +
			"differ by a cent: set orders.roundingProduct and roundingLimit, or round per line in Odoo (Invoicing settings, Taxes)", true}
	}
	return nil
}
