// Package importer turns Shopify orders into Odoo sale orders: it plans each
// order (lines, taxes, totals, workflow) and carries the plans out in Odoo in
// a few batched calls, exactly once per order.
package importer

import (
	"fmt"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Settings are the parts of a ShopifyInstance the import follows.
type Settings struct {
	Shop   string
	Odoo   v1.OdooSpec
	Orders v1.OrdersSpec
}

// Names are the Odoo records the settings name, all of which an import may
// need: the connection check resolves these too, so that a missing one
// stops the instance before any order is tried.
func (s Settings) Names() odoo.Names {
	o := s.Orders
	n := odoo.Names{Company: s.Odoo.Company, Warehouse: s.Odoo.Warehouse, Pricelist: s.Odoo.Pricelist, SalesTeam: s.Odoo.SalesTeam,
		GuestCustomer: o.Customers.GuestCustomer, Category: o.ProductCategory}
	if o.POS.Enabled {
		n.POSGuest = o.POS.GuestCustomer
	}
	for _, w := range s.AllWorkflows() {
		if w.Journal != "" && !slices.Contains(n.Journals, w.Journal) {
			n.Journals = append(n.Journals, w.Journal)
		}
		if w.PaymentTerm != "" && !slices.Contains(n.PaymentTerms, w.PaymentTerm) {
			n.PaymentTerms = append(n.PaymentTerms, w.PaymentTerm)
		}
	}
	for _, login := range []string{o.Risk.Reviewer, onFailure(o).ActivityUser} {
		if login != "" && !slices.Contains(n.Users, login) {
			n.Users = append(n.Users, login)
		}
	}
	if rec := onFailure(o).Record; rec != nil {
		n.Records = append(n.Records, odoo.Record{Model: rec.Model, Name: rec.Name})
	}
	for _, code := range []string{o.ShippingProduct, o.DiscountProduct, o.GiftCardProduct, o.TipProduct, o.RoundingProduct, o.RefundAdjustmentProduct, o.CustomItemProduct} {
		if code != "" && !slices.Contains(n.Products, code) {
			n.Products = append(n.Products, code)
		}
	}
	return n
}

// posWorkflows are the rows of point of sale orders when they differ from
// the others'.
func (s Settings) posWorkflows() []v1.Workflow {
	if !s.Orders.POS.Enabled {
		return nil
	}
	return s.Orders.POS.Workflows
}

// AllWorkflows are the rows of every order, point of sale or not.
func (s Settings) AllWorkflows() []v1.Workflow {
	return slices.Concat(s.Orders.Workflows, s.posWorkflows())
}

// Workflows are the rows for an order, point of sale or not, and the
// field that holds them.
func (s Settings) Workflows(pos bool) ([]v1.Workflow, string) {
	if pos && len(s.posWorkflows()) > 0 {
		return s.posWorkflows(), "spec.orders.pos.workflows"
	}
	return s.Orders.Workflows, "spec.orders.workflows"
}

// onFailure is the spec's, or one that tells nobody.
func onFailure(o v1.OrdersSpec) v1.FailureSpec {
	if o.OnFailure == nil {
		return v1.FailureSpec{}
	}
	return *o.OnFailure
}

// Role says what a planned line stands for when it is not a catalogue product.
type Role string

// Line roles.
const (
	RoleProduct  Role = ""
	RoleShipping Role = "shipping"
	RoleDiscount Role = "discount"
	RoleGiftCard Role = "gift card"
	RoleTip      Role = "tip"
	RoleRounding Role = "rounding"
	RoleCustom   Role = "custom item"
)

// TaxKey identifies a Shopify tax as the import maps it to an Odoo tax.
type TaxKey struct {
	Title    string
	Rate     string // percent, normalised: "20", "5.5"
	Included bool
}

func (k TaxKey) String() string {
	inc := "excluded"
	if k.Included {
		inc = "included"
	}
	return fmt.Sprintf("%q %s%% (%s)", k.Title, k.Rate, inc)
}

// Line is one planned sale order line.
type Line struct {
	Role        Role
	SKU         string // for RoleProduct
	Barcode     string
	Product     string // the Shopify product's numeric id, for RoleProduct
	Untaxed     bool   // Shopify charges no tax on the item
	Name        string
	Quantity    int
	PriceUnit   decimal.Decimal
	DiscountPct decimal.Decimal // Odoo's line discount, in percent
	Taxes       []TaxKey
}

// Plan is what one Shopify order becomes in Odoo, before Odoo ids are known.
type Plan struct {
	Order     *shopify.Order
	Key       string // stored in sale.order origin: finds the order again after any failure
	Reference string // Odoo order reference
	Lines     []Line
	Total     decimal.Decimal // Shopify's total, shop currency
	Currency  string
	Risky     bool
	POS       bool         // sold at Shopify's point of sale
	Cancelled bool         // in Shopify: cancel in Odoo what was imported
	Workflow  *v1.Workflow // nil for a risky order kept as a quotation
	Gateways  []string     // of the successful payments, in order
}

// Skip is returned for an order that is deliberately not imported.
type Skip struct {
	State   v1.LineState
	Message string
}

func (s *Skip) Error() string { return s.Message }

// PlanOrder maps a Shopify order to a plan. Amounts are in the shop currency,
// the currency payouts and the Odoo company use. It returns a *Skip for an
// order left out on purpose, and a plain error for one that cannot be
// imported as it is; the message names what is wrong.
func PlanOrder(s Settings, o *shopify.Order) (*Plan, error) {
	if o.Test {
		return nil, &Skip{State: v1.LineSkipped, Message: "test order: not imported"}
	}
	pos := o.SourceName == "pos"
	if pos && !s.Orders.POS.Enabled {
		return nil, &Skip{State: v1.LineSkipped, Message: "point of sale order: not imported, as spec.orders.pos.enabled is off"}
	}
	prefix := s.Orders.NamePrefix
	if pos && s.Orders.POS.NamePrefix != "" {
		prefix = s.Orders.POS.NamePrefix
	}
	p := &Plan{
		Order:     o,
		Key:       keys.Order(s.Shop, o.LegacyResourceID),
		Reference: prefix + o.Name,
		POS:       pos,
		Total:     o.TotalPrice.Shop.Amount,
		Currency:  o.TotalPrice.Shop.CurrencyCode,
		Risky:     risky(o),
		Cancelled: o.CancelledAt != nil,
	}
	if p.Cancelled {
		return p, nil
	}
	for _, t := range o.Transactions {
		if t.Status == "SUCCESS" && (t.Kind == "SALE" || t.Kind == "CAPTURE" || t.Kind == "AUTHORIZATION") {
			p.Gateways = appendUnique(p.Gateways, t.Gateway)
		}
	}
	if p.Risky {
		switch s.Orders.RiskPolicy {
		case v1.RiskSkip:
			return nil, &Skip{State: v1.LineSkipped, Message: "risky order (" + riskSummary(o) + "): not imported by riskPolicy Skip"}
		case v1.RiskIgnore:
			p.Risky = false
		}
	}
	if !p.Risky {
		rows, field := s.Workflows(pos)
		wf, err := matchWorkflow(rows, o.DisplayFinancialStatus, p.Gateways)
		if err != nil {
			return nil, fmt.Errorf("%w: add one to %s", err, field)
		}
		p.Workflow = wf
	}
	if err := p.addLines(s.Orders, o); err != nil {
		return nil, err
	}
	return p, nil
}

// risky: Shopify recommends anything but accepting, or an assessment is HIGH.
func risky(o *shopify.Order) bool {
	if r := o.Risk.Recommendation; r == "INVESTIGATE" || r == "CANCEL" {
		return true
	}
	for _, a := range o.Risk.Assessments {
		if a.RiskLevel == "HIGH" {
			return true
		}
	}
	return false
}

func riskSummary(o *shopify.Order) string {
	return "recommendation " + strings.ToLower(o.Risk.Recommendation)
}

func matchWorkflow(rows []v1.Workflow, status string, gateways []string) (*v1.Workflow, error) {
	status = strings.ToLower(status)
	for i := range rows {
		r := &rows[i]
		if r.FinancialStatus != "any" && string(r.FinancialStatus) != status {
			continue
		}
		if r.Gateway == "" || r.Gateway == "*" || slices.Contains(gateways, r.Gateway) {
			return r, nil
		}
	}
	gw := "none"
	if len(gateways) > 0 {
		gw = strings.Join(gateways, ", ")
	}
	return nil, fmt.Errorf("no workflow row for financial status %s and gateway %s", status, gw)
}

func (p *Plan) addLines(s v1.OrdersSpec, o *shopify.Order) error {
	included := o.TaxesIncluded
	var discounts []Line // one per set of taxes, when a discount product is set
	apps := map[int]shopify.DiscountApplication{}
	for _, a := range o.DiscountApplications.Nodes {
		apps[a.Index] = a
	}
	for _, li := range o.LineItems.Nodes {
		switch {
		case li.OriginalUnitPrice.Shop.CurrencyCode == "":
			return fmt.Errorf("line %q has no price", li.Name)
		case li.Quantity < 0 || li.OriginalUnitPrice.Shop.Amount.Sign() < 0:
			return fmt.Errorf("line %q has a negative quantity or price (%d at %s)", li.Name, li.Quantity, li.OriginalUnitPrice.Shop.Amount)
		case li.Quantity == 0:
			continue // removed by an order edit
		}
		l := Line{Name: li.Name, Quantity: li.Quantity, PriceUnit: li.OriginalUnitPrice.Shop.Amount, Taxes: taxKeys(li.TaxLines, included)}
		switch {
		case li.IsGiftCard:
			if s.GiftCardProduct == "" {
				return fmt.Errorf("line %q is a gift card and spec.orders.giftCardProduct is not set", li.Name)
			}
			l.Role, l.SKU = RoleGiftCard, s.GiftCardProduct
		case li.Variant == nil && s.CustomItemProduct != "":
			l.Role, l.SKU = RoleCustom, s.CustomItemProduct
		case li.SKU != "":
			l.SKU, l.Untaxed = li.SKU, !li.Taxable
			if li.Variant != nil {
				l.Barcode = li.Variant.Barcode
				if li.Variant.Product != nil {
					l.Product = keys.LegacyID(li.Variant.Product.ID)
				}
			}
		case li.Variant == nil:
			return fmt.Errorf("line %q has no SKU: it is a custom item (no product in Shopify); set spec.orders.customItemProduct", li.Name)
		default:
			return fmt.Errorf("line %q has no SKU: give the item a SKU in Shopify", li.Name)
		}
		off := decimal.Zero
		for _, a := range li.DiscountAllocations {
			off = off.Add(a.Amount.Shop.Amount)
		}
		// A line given away in full is discounted 100% on itself: its share
		// of a discount line would leave Odoo 19's global tax rounding a
		// cent of float noise in a total that is zero.
		if gross := l.PriceUnit.MulInt(int64(l.Quantity)); !off.IsZero() {
			if s.DiscountProduct == "" || off.Cmp(gross) == 0 {
				l.DiscountPct = discountPct(li, apps, gross, off)
			} else {
				discounts = addDiscount(discounts, s.DiscountProduct, off, l.Taxes)
			}
		}
		p.Lines = append(p.Lines, l)
	}
	for _, sl := range o.ShippingLines.Nodes {
		price := sl.DiscountedPrice.Shop.Amount
		if price.IsZero() && sl.OriginalPrice.Shop.Amount.IsZero() {
			continue
		}
		if s.ShippingProduct == "" {
			return fmt.Errorf("the order charges shipping (%s) and spec.orders.shippingProduct is not set", sl.Title)
		}
		p.Lines = append(p.Lines, Line{Role: RoleShipping, SKU: s.ShippingProduct, Name: "Shipping: " + sl.Title,
			Quantity: 1, PriceUnit: price, Taxes: taxKeys(sl.TaxLines, included)})
	}
	p.Lines = append(p.Lines, discounts...)
	if tip := o.TotalTipReceived.Shop.Amount; tip.Sign() > 0 {
		if s.TipProduct == "" {
			return fmt.Errorf("the order has a tip of %s and spec.orders.tipProduct is not set", tip)
		}
		p.Lines = append(p.Lines, Line{Role: RoleTip, SKU: s.TipProduct, Name: "Tip", Quantity: 1, PriceUnit: tip})
	}
	return nil
}

// discountPct is the line's discount as Odoo's percentage: the merchant's own
// percentages when every discount on the line is one (a rounded amount would
// make 15% read 15.03%), else the amount taken off the gross.
func discountPct(li shopify.LineItem, apps map[int]shopify.DiscountApplication, gross, off decimal.Decimal) decimal.Decimal {
	pct := decimal.Zero
	for _, a := range li.DiscountAllocations {
		p := apps[a.Application.Index].Value.Percentage
		if p == nil {
			return off.MulInt(100).Div(gross, 2)
		}
		pct = pct.Add(*p)
	}
	return pct
}

// addDiscount adds an amount to the discount line with the same taxes, so
// that Odoo takes the discount off the right tax base.
func addDiscount(ds []Line, sku string, amount decimal.Decimal, taxes []TaxKey) []Line {
	for i := range ds {
		if sameTaxes(ds[i].Taxes, taxes) {
			ds[i].PriceUnit = ds[i].PriceUnit.Sub(amount)
			return ds
		}
	}
	name := "Discount"
	if len(taxes) > 0 {
		var ts []string
		for _, t := range taxes {
			ts = append(ts, t.Title)
		}
		name += " (" + strings.Join(ts, ", ") + ")"
	}
	return append(ds, Line{Role: RoleDiscount, SKU: sku, Name: name, Quantity: 1, PriceUnit: amount.Neg(), Taxes: taxes})
}

func sameTaxes(a, b []TaxKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func taxKeys(lines []shopify.TaxLine, included bool) []TaxKey {
	var keys []TaxKey
	for _, t := range lines {
		keys = append(keys, TaxKey{Title: t.Title, Rate: normalise(t.RatePercentage), Included: included})
	}
	return keys
}

// normalise prints a rate without trailing zeros: 20.0 is "20", 5.50 is "5.5".
func normalise(d decimal.Decimal) string { return normaliseRate(d.String()) }

func appendUnique(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}
