package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// refs are the Odoo records the spec names, looked up once per run.
type refs struct {
	odoo.Refs
	rounding   int64  // the rounding product
	adjustment int64  // the refund adjustment product
	currency   string // of the sale orders: the pricelist's, else the company's
	riskTag    int64  // the tag of risky quotations, once one is imported
	mail       odoo.MailRefs
}

func (r *run) loadRefs(ctx context.Context) error {
	defer r.im.Cache.lockLookups()()
	cached := false
	r.im.Cache.use(r.s, func(c *Cache) { r.refs, cached = c.refs, !c.at.IsZero() })
	if cached {
		return nil
	}
	found, err := r.c.Resolve(ctx, r.s.Names())
	var u *odoo.Unresolved
	if errors.As(err, &u) {
		// the connection check stalls the instance on this; a record
		// gone since is looked up again next time
		for _, it := range r.live() {
			it.fail(false, u.Error())
		}
		return nil
	}
	if err != nil {
		return err
	}
	r.refs = refs{Refs: found, rounding: found.Products[r.s.Orders.RoundingProduct], adjustment: found.Products[r.s.Orders.RefundAdjustmentProduct]}
	if r.refs.currency, err = r.c.SaleCurrency(ctx, r.refs.Pricelist); err != nil {
		return err
	}
	r.im.Cache.use(r.s, func(c *Cache) { c.refs, c.at = r.refs, time.Now() })
	return nil
}

// checkCurrency fails the orders Shopify charged in another currency than
// Odoo's sale orders would carry: their amounts would be taken as Odoo's.
func (r *run) checkCurrency(context.Context) error {
	for _, it := range r.live() {
		if c := it.plan.Currency; c != "" && r.refs.currency != "" && c != r.refs.currency {
			it.fail(false, fmt.Sprintf("the order is in %s and Odoo's sale orders are in %s: set odoo.pricelist to a %s pricelist", c, r.refs.currency, c))
		}
	}
	return nil
}

// create makes the sale orders of the orders not in Odoo yet: customers
// first, then every order in one call.
func (r *run) create(ctx context.Context) error {
	var fresh []*item
	for _, it := range r.live() {
		if it.order.ID == 0 {
			fresh = append(fresh, it)
		}
	}
	if len(fresh) == 0 {
		return r.reread(ctx)
	}
	if slices.ContainsFunc(fresh, func(it *item) bool { return it.plan.Risky }) {
		if err := r.loadMailRefs(ctx); err != nil {
			return err
		}
	}
	partners, err := r.partners(ctx, fresh)
	if err != nil {
		return err
	}
	// an order without a customer or guest is settled already
	fresh = slices.DeleteFunc(fresh, func(it *item) bool { return it.plan == nil })
	products, err := r.products(ctx, fresh)
	if err != nil {
		return err
	}
	if r.s.Orders.UnknownProducts == v1.UnknownCreate {
		if products, err = r.createUnknown(ctx, fresh, products); err != nil {
			return err
		}
	}
	taxes, err := r.taxes(ctx, fresh)
	if err != nil {
		return err
	}
	var its []*item
	var orders []odoo.NewOrder
	for _, it := range fresh {
		if it.plan == nil {
			continue
		}
		o, err := r.newOrder(it.plan, partners[it], products, taxes)
		if err != nil {
			it.fail(false, err.Error())
			continue
		}
		its = append(its, it)
		orders = append(orders, o)
	}
	if err := r.createOrders(ctx, its, orders); err != nil {
		return err
	}
	return r.reread(ctx)
}

// createOrders creates the orders in one call; when Odoo refuses the batch
// for a reason of the data, it splits it to find the order at fault.
func (r *run) createOrders(ctx context.Context, its []*item, orders []odoo.NewOrder) error {
	if len(orders) == 0 {
		return nil
	}
	ids, err := r.c.CreateOrders(ctx, orders)
	switch {
	case err == nil:
		for i, it := range its {
			it.order.ID, it.created = ids[i], true
			it.did("order created")
		}
		return nil
	case odoo.IsRetryable(err) || errors.Is(err, odoo.ErrReplyLost):
		return err // the next attempt finds what was created by its key
	case len(orders) == 1:
		its[0].fail(false, "Odoo refused the order: "+message(err))
		return nil
	}
	half := len(orders) / 2
	if err := r.createOrders(ctx, its[:half], orders[:half]); err != nil {
		return err
	}
	return r.createOrders(ctx, its[half:], orders[half:])
}

func odooTime(t shopify.Order) string { return t.ProcessedAt.UTC().Format("2006-01-02 15:04:05") }

func (r *run) newOrder(p *Plan, partner int64, products map[string]int64, taxes map[TaxKey]int64) (odoo.NewOrder, error) {
	o := odoo.NewOrder{
		PartnerID: partner, ClientRef: p.Order.Name, Origin: p.Key,
		Vals: map[string]any{"name": p.Reference, "date_order": odooTime(*p.Order)},
	}
	for field, id := range map[string]int64{"warehouse_id": r.refs.Warehouse, "pricelist_id": r.refs.Pricelist, "team_id": r.refs.SalesTeam} {
		if id != 0 {
			o.Vals[field] = id
		}
	}
	if p.Workflow != nil && p.Workflow.PaymentTerm != "" {
		o.Vals["payment_term_id"] = r.refs.PaymentTerms[p.Workflow.PaymentTerm]
	}
	if p.Risky {
		o.Vals["tag_ids"] = []any{[]any{6, 0, []int64{r.refs.riskTag}}}
	}
	var unknown []string
	catalogue := false // a catalogue product is unknown, not only a service product
	for _, l := range p.Lines {
		id, ok := products[l.SKU]
		if !ok && l.Barcode != "" {
			id, ok = products["barcode:"+l.Barcode]
		}
		if !ok {
			switch {
			case l.Role == RoleProduct && l.Product == "":
				unknown = append(unknown, fmt.Sprintf("SKU %s (%s, a custom item: set spec.orders.customItemProduct)", l.SKU, l.Name))
			case l.Role == RoleProduct:
				unknown = append(unknown, fmt.Sprintf("SKU %s (%s)", l.SKU, l.Name))
				catalogue = true
			default:
				unknown = append(unknown, fmt.Sprintf("%s product %s", l.Role, l.SKU))
			}
			continue
		}
		var taxIDs []int64
		for _, k := range l.Taxes {
			tid, ok := taxes[k]
			if !ok {
				return o, fmt.Errorf("no Odoo tax for Shopify tax %s: map it in spec.orders.taxes or create the tax in Odoo", k)
			}
			taxIDs = append(taxIDs, tid)
		}
		price, _ := strconv.ParseFloat(l.PriceUnit.String(), 64)
		disc, _ := strconv.ParseFloat(l.DiscountPct.String(), 64)
		o.Lines = append(o.Lines, odoo.OrderLine{ProductID: id, Name: l.Name, Qty: float64(l.Quantity), PriceUnit: price, Discount: disc, TaxIDs: taxIDs})
	}
	switch {
	case catalogue && r.s.Orders.UnknownProducts != v1.UnknownCreate:
		return o, fmt.Errorf("unknown in Odoo: %s; import the products (an ImportQueue of Products), or set spec.orders.unknownProducts to Create", strings.Join(unknown, ", "))
	case len(unknown) > 0:
		return o, fmt.Errorf("unknown in Odoo: %s", strings.Join(unknown, ", "))
	}
	return o, nil
}

// products finds every SKU of the orders by default code in one call, and
// the SKUs not found by their barcode in a second.
func (r *run) products(ctx context.Context, its []*item) (map[string]int64, error) {
	var codes []string
	for _, it := range its {
		for _, l := range it.plan.Lines {
			codes = append(codes, l.SKU)
		}
	}
	found, err := r.c.ProductsByCode(ctx, codes)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for code, p := range found {
		out[code] = p.ID
	}
	var barcodes []string
	for _, it := range its {
		for _, l := range it.plan.Lines {
			if _, ok := out[l.SKU]; !ok && l.Barcode != "" {
				barcodes = append(barcodes, l.Barcode)
			}
		}
	}
	if len(barcodes) > 0 {
		byBarcode, err := r.c.ProductsByBarcode(ctx, barcodes)
		if err != nil {
			return nil, err
		}
		for bc, p := range byBarcode {
			out["barcode:"+bc] = p.ID
		}
	}
	return out, nil
}

// taxes maps the orders' tax keys to Odoo sale taxes: explicit mappings by
// tax name, then, unless the spec says Fail, by rate and price-included flag.
func (r *run) taxes(ctx context.Context, its []*item) (map[TaxKey]int64, error) {
	keys := map[TaxKey]bool{}
	for _, it := range its {
		for _, l := range it.plan.Lines {
			for _, k := range l.Taxes {
				keys[k] = true
			}
		}
	}
	defer r.im.Cache.lockLookups()()
	var out map[TaxKey]int64
	r.im.Cache.use(r.s, func(c *Cache) { out = maps.Clone(c.taxes) })
	for k := range out {
		delete(keys, k)
	}
	if len(keys) == 0 {
		return out, nil
	}
	mapped := map[TaxKey]string{}
	var names []string
	var byRate []odoo.TaxKey
	for k := range keys {
		if name := r.mapping(k); name != "" {
			mapped[k] = name
			names = append(names, name)
		} else if r.s.Orders.Taxes.Unmapped != v1.TaxFail {
			rate, _ := strconv.ParseFloat(k.Rate, 64)
			byRate = append(byRate, odoo.TaxKey{Rate: rate, Included: k.Included})
		}
	}
	if len(names) > 0 {
		byName, err := r.c.TaxesByName(ctx, names)
		if err != nil {
			return nil, err
		}
		for k, name := range mapped {
			if id, ok := byName[name]; ok {
				out[k] = id
			}
		}
	}
	if len(byRate) > 0 {
		found, err := r.c.Taxes(ctx, byRate)
		if err != nil {
			return nil, err
		}
		for k := range keys {
			if _, ok := mapped[k]; ok {
				continue
			}
			rate, _ := strconv.ParseFloat(k.Rate, 64)
			if id, ok := found[odoo.TaxKey{Rate: rate, Included: k.Included}]; ok {
				out[k] = id
			}
		}
	}
	r.im.Cache.use(r.s, func(c *Cache) { maps.Copy(c.taxes, out) })
	return out, nil
}

// mapping is the Odoo tax name the spec maps a Shopify tax to, if any.
func (r *run) mapping(k TaxKey) string {
	for _, m := range r.s.Orders.Taxes.Mappings {
		if m.Title == k.Title && (m.Rate == "" || normaliseRate(m.Rate) == k.Rate) {
			return m.OdooTax
		}
	}
	return ""
}

// normaliseRate drops a rate's trailing zeros, as the spec may write them.
func normaliseRate(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// checkTotals makes each draft order's Odoo total Shopify's. A difference
// within the spec's limit is taken up by a rounding line, read back and
// corrected, since a new line can change how Odoo rounds the others' taxes
// (19 rounds globally). A larger one, or one the line does not take up,
// fails the order with both totals, and the quotation this run created for
// it is deleted, so that no order is left half made.
func (r *run) checkTotals(ctx context.Context) error {
	const passes = 3
	limit, _ := strconv.ParseFloat(r.s.Orders.RoundingLimit, 64)
	type line struct {
		id    int64
		price float64
	}
	lines := map[*item]*line{}
	var drop []int64
	for pass := 1; ; pass++ {
		var its []*item
		var adds []odoo.RoundingLine
		changed := false
		for _, it := range r.live() {
			if it.order.State != "draft" && it.order.State != "sent" || pass > 1 && lines[it] == nil {
				continue
			}
			want, _ := strconv.ParseFloat(it.plan.Total.String(), 64)
			diff := math.Round((want-it.order.AmountTotal)*100) / 100
			if math.Abs(diff) < 0.005 {
				continue
			}
			price := diff
			if l := lines[it]; l != nil {
				price = math.Round((l.price+diff)*100) / 100
			}
			if r.refs.rounding == 0 || math.Abs(price) > limit+1e-9 || pass == passes {
				msg := fmt.Sprintf("Odoo's total %.2f differs from Shopify's %.2f by %.2f: check the tax mapping, or set orders.roundingProduct and a roundingLimit",
					it.order.AmountTotal, want, diff)
				if lines[it] != nil {
					msg = fmt.Sprintf("Odoo's total %.2f differs from Shopify's %.2f by %.2f, also with a rounding line of %.2f", it.order.AmountTotal, want, diff, lines[it].price)
				}
				if it.created {
					drop = append(drop, it.order.ID)
					msg += "; its quotation was deleted"
					it.res.SaleOrderID, it.res.SaleOrder = 0, ""
				}
				it.fail(false, msg)
				continue
			}
			if l := lines[it]; l != nil {
				if err := r.c.SetOrderRounding(ctx, l.id, price); err != nil {
					return err
				}
				l.price, changed = price, true
				continue
			}
			its = append(its, it)
			adds = append(adds, odoo.RoundingLine{ParentID: it.order.ID, ProductID: r.refs.rounding, Price: price})
			lines[it], changed = &line{price: price}, true
		}
		if len(adds) > 0 {
			// A create, not a write with line commands: a lost reply is not
			// repeated into two rounding lines; the next run sees the total.
			ids, err := r.c.AddOrderRounding(ctx, adds)
			if err != nil {
				return err
			}
			for i, it := range its {
				lines[it].id = ids[i]
			}
		}
		if !changed || pass == passes {
			break
		}
		if err := r.reread(ctx); err != nil {
			return err
		}
	}
	for it, l := range lines {
		if it.plan != nil {
			it.did(fmt.Sprintf("rounding %.2f", l.price))
		}
	}
	// Only quotations this run made: one found from an earlier run may be
	// a person's work.
	return r.c.DeleteOrders(ctx, drop)
}
