// Package reference holds the flows the operator's order import is measured
// against: a minimal batched flow, as few Odoo calls per batch as the
// external API allows (partner, order, confirm, invoice, post, pay), and a
// naive flow, the same steps one call per step per order. Both use only the
// odoo client's generic calls and leave out what the operator adds beyond
// the steps (addresses, deliveries, rounding, exactly-once checks), so they
// bound what batching can gain.
package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Typical are the kinds of the typical store of the importer's benchmark
// but the one shipped already: paid in one transaction, discounts and taxes
// of every sort.
var Typical = []string{"multi-line", "line-discount", "order-discount", "taxes-included", "taxes-excluded-multi",
	"shipping-discount", "multi-currency"}

// KindOf is the kind the simulator's generator gave the order named name.
func KindOf(name string) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(name, "#"))
	return shopifysim.Kinds[(n-1001)%len(shopifysim.Kinds)]
}

// UnshippedTypical returns the numeric ids of up to n unshipped orders of
// the typical kinds, oldest first.
func UnshippedTypical(st *shopifysim.Store, n int) []string {
	var ids []string
	st.Each(func(o shopifysim.Obj) {
		if len(ids) < n && o["displayFulfillmentStatus"] == "UNFULFILLED" && o["cancelledAt"] == nil &&
			slices.Contains(Typical, KindOf(o["name"].(string))) {
			ids = append(ids, o["legacyResourceId"].(string))
		}
	})
	return ids
}

// Counter counts Odoo round trips: give Observe to odoo.Config.Observer.
type Counter struct{ n atomic.Int64 }

// Observe counts one round trip.
func (c *Counter) Observe(odoo.CallInfo) { c.n.Add(1) }

// Calls is the number of round trips so far.
func (c *Counter) Calls() int64 { return c.n.Load() }

// Result is what importing orders took one way.
type Result struct {
	Flow   string
	Orders int
	Calls  int64
	Spent  time.Duration
}

// PerSecond is the orders imported per second.
func (r Result) PerSecond() float64 { return float64(r.Orders) / r.Spent.Seconds() }

// CallsPerOrder is the Odoo round trips per order.
func (r Result) CallsPerOrder() float64 { return float64(r.Calls) / float64(r.Orders) }

// QueueConcurrency is how many queues the manager imports at once by
// default (controllers.Options.QueueConcurrency).
const QueueConcurrency = 2

// Compare imports the same Shopify orders four times into the Odoo of im,
// each time as other sale orders: with the operator's importer in queues of
// size, QueueConcurrency at a time as the manager runs them and then one at
// a time (as another shop, so that its keys differ), with the batched flow
// in batches of size, and with the naive flow. The first result is the
// operator's. calls must count the round trips of im.Odoo. The orders must
// be paid and not imported yet.
func Compare(ctx context.Context, im *importer.Importer, calls *Counter, ids []string, size int) ([]Result, error) {
	operator := func(im *importer.Importer) func(context.Context, []string) error {
		return func(ctx context.Context, ids []string) error {
			res, err := im.Import(ctx, ids)
			for _, r := range res {
				if err == nil && r.State != v1.LineDone {
					err = fmt.Errorf("the operator left order %s %s: %s", r.Name, r.State, r.Message)
				}
			}
			return err
		}
	}
	serial := *im
	serial.Settings.Shop, serial.Cache = "serial-"+im.Settings.Shop, &importer.Cache{}
	batched := Flow{Name: "batched", Shopify: im.Shopify, Odoo: im.Odoo, Settings: im.Settings}
	naive := batched
	naive.Name = "naive"
	flows := []struct {
		name         string
		size, atOnce int
		run          func(context.Context, []string) error
	}{{"operator", size, QueueConcurrency, operator(im)}, {"operator-serial", size, 1, operator(&serial)},
		{"batched", size, 1, batched.Import}, {"naive", 1, 1, naive.Import}}
	var out []Result
	for _, f := range flows {
		start, before := time.Now(), calls.Calls()
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(f.atOnce)
		for chunk := range slices.Chunk(ids, f.size) {
			g.Go(func() error { return f.run(gctx, chunk) })
		}
		if err := g.Wait(); err != nil {
			return out, fmt.Errorf("%s flow: %w", f.name, err)
		}
		out = append(out, Result{Flow: f.name, Orders: len(ids), Calls: calls.Calls() - before, Spent: time.Since(start)})
	}
	return out, nil
}

// Flow imports paid orders as new, invoiced and paid sale orders, all the
// orders of one Import call together: give it one order at a time for the
// naive flow.
type Flow struct {
	Name     string // in the origin of its sale orders, so that flows never share one
	Shopify  *shopify.Client
	Odoo     *odoo.Client
	Settings importer.Settings // the lines, taxes and payment journal of each order
}

// Import reads the orders (numeric ids) from Shopify and makes each a
// confirmed sale order with a posted, paid invoice, in one Odoo call per step.
func (f *Flow) Import(ctx context.Context, ids []string) error {
	gids := make([]string, len(ids))
	for i, id := range ids {
		gids[i] = "gid://shopify/Order/" + id
	}
	orders, err := f.Shopify.OrdersByIDs(ctx, gids)
	if err != nil {
		return err
	}
	var plans []*importer.Plan
	for i := range orders {
		p, err := importer.PlanOrder(f.Settings, &orders[i])
		if err != nil {
			return fmt.Errorf("order %s: %w", orders[i].Name, err)
		}
		if p.Workflow == nil || p.Workflow.Journal == "" || p.Order.Customer == nil || p.Order.Customer.Email() == "" {
			return fmt.Errorf("order %s is not a paid order of a customer with an email", p.Order.Name)
		}
		plans = append(plans, p)
	}
	partners, err := f.partners(ctx, plans)
	if err != nil {
		return err
	}
	products, taxes, journals, err := f.lookups(ctx, plans)
	if err != nil {
		return err
	}
	vals := make([]map[string]any, len(plans))
	for i, p := range plans {
		if vals[i], err = f.orderVals(p, partners, products, taxes); err != nil {
			return err
		}
	}
	c := f.Odoo
	orderIDs, err := c.Create(ctx, "sale.order", vals)
	if err != nil {
		return err
	}
	if err := c.Call(ctx, "sale.order", "action_confirm", []any{orderIDs}, nil, nil); err != nil {
		return err
	}
	// one invoice per order, never merged per customer
	invoices, err := wizard(ctx, c, "sale.advance.payment.inv", map[string]any{"advance_payment_method": "delivered", "consolidated_billing": false},
		"sale.order", orderIDs, "create_invoices")
	if err != nil {
		return err
	}
	if len(invoices) != len(orderIDs) {
		return fmt.Errorf("%d orders gave %d invoices", len(orderIDs), len(invoices))
	}
	if err := c.Call(ctx, "account.move", "action_post", []any{invoices}, nil, nil); err != nil {
		return err
	}
	// every order of a batch pays in the same journal: the typical orders do
	journal := journals[plans[0].Workflow.Journal]
	_, err = wizard(ctx, c, "account.payment.register", map[string]any{"journal_id": journal, "group_payment": false},
		"account.move", invoices, "action_create_payments")
	return err
}

// partners finds the customers by email in one call and creates the
// missing ones in another; ids by lower-case email.
func (f *Flow) partners(ctx context.Context, plans []*importer.Plan) (map[string]int64, error) {
	var emails []string
	for _, p := range plans {
		emails = append(emails, p.Order.Customer.Email())
	}
	var rows []struct {
		ID    int64     `json:"id"`
		Email odoo.Text `json:"email"`
	}
	if err := f.Odoo.SearchRead(ctx, "res.partner", odoo.Domain{odoo.In("email", emails), odoo.Cond("parent_id", "=", false)},
		[]string{"email"}, 0, "id", &rows); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		if k := strings.ToLower(string(r.Email)); out[k] == 0 {
			out[k] = r.ID
		}
	}
	var missing []string
	var vals []map[string]any
	for _, p := range plans {
		cu := p.Order.Customer
		if k := strings.ToLower(cu.Email()); out[k] == 0 && !slices.Contains(missing, k) {
			missing = append(missing, k)
			vals = append(vals, map[string]any{"name": cu.DisplayName, "email": cu.Email()})
		}
	}
	if len(vals) == 0 {
		return out, nil
	}
	ids, err := f.Odoo.Create(ctx, "res.partner", vals)
	for i, id := range ids {
		out[missing[i]] = id
	}
	return out, err
}

// lookups finds the products by SKU, the taxes by rate and price-included
// flag and the journals by name, one call each.
func (f *Flow) lookups(ctx context.Context, plans []*importer.Plan) (map[string]int64, map[odoo.TaxKey]int64, map[string]int64, error) {
	var skus, journals []string
	var rates []float64
	for _, p := range plans {
		journals = append(journals, p.Workflow.Journal)
		for _, l := range p.Lines {
			skus = append(skus, l.SKU)
			for _, t := range l.Taxes {
				r, _ := strconv.ParseFloat(t.Rate, 64)
				rates = append(rates, r)
			}
		}
	}
	var products []struct {
		ID   int64     `json:"id"`
		Code odoo.Text `json:"default_code"`
	}
	if err := f.Odoo.SearchRead(ctx, "product.product", odoo.Domain{odoo.In("default_code", skus)}, []string{"default_code"}, 0, "id", &products); err != nil {
		return nil, nil, nil, err
	}
	byCode := map[string]int64{}
	for _, p := range products {
		byCode[string(p.Code)] = p.ID
	}
	var taxes []struct {
		ID       int64   `json:"id"`
		Amount   float64 `json:"amount"`
		Included bool    `json:"price_include"`
	}
	if err := f.Odoo.SearchRead(ctx, "account.tax", odoo.Domain{odoo.Cond("type_tax_use", "=", "sale"), odoo.Cond("amount_type", "=", "percent"),
		odoo.In("amount", rates)}, []string{"amount", "price_include"}, 0, "sequence,id", &taxes); err != nil {
		return nil, nil, nil, err
	}
	byKey := map[odoo.TaxKey]int64{}
	for _, t := range taxes {
		if k := (odoo.TaxKey{Rate: t.Amount, Included: t.Included}); byKey[k] == 0 {
			byKey[k] = t.ID
		}
	}
	var js []struct {
		ID   int64     `json:"id"`
		Name odoo.Text `json:"name"`
	}
	if err := f.Odoo.SearchRead(ctx, "account.journal", odoo.Domain{odoo.In("name", journals)}, []string{"name"}, 0, "id", &js); err != nil {
		return nil, nil, nil, err
	}
	byName := map[string]int64{}
	for _, j := range js {
		if byName[string(j.Name)] == 0 {
			byName[string(j.Name)] = j.ID
		}
	}
	return byCode, byKey, byName, nil
}

func (f *Flow) orderVals(p *importer.Plan, partners map[string]int64, products map[string]int64, taxes map[odoo.TaxKey]int64) (map[string]any, error) {
	var lines []any
	for _, l := range p.Lines {
		product, ok := products[l.SKU]
		if !ok {
			return nil, fmt.Errorf("order %s: no product %s", p.Order.Name, l.SKU)
		}
		taxIDs := []int64{} // never null: Odoo wants a list
		for _, t := range l.Taxes {
			r, _ := strconv.ParseFloat(t.Rate, 64)
			id, ok := taxes[odoo.TaxKey{Rate: r, Included: t.Included}]
			if !ok {
				return nil, fmt.Errorf("order %s: no tax %s", p.Order.Name, t)
			}
			taxIDs = append(taxIDs, id)
		}
		price, _ := strconv.ParseFloat(l.PriceUnit.String(), 64)
		disc, _ := strconv.ParseFloat(l.DiscountPct.String(), 64)
		lines = append(lines, []any{0, 0, map[string]any{"product_id": product, "name": l.Name, "product_uom_qty": l.Quantity,
			"price_unit": price, "discount": disc, f.Odoo.Adapter().SaleLineTaxField: []any{[]any{6, 0, taxIDs}}}})
	}
	return map[string]any{"partner_id": partners[strings.ToLower(p.Order.Customer.Email())], "client_order_ref": f.Name + " " + p.Order.Name,
		"origin": "reference/" + f.Name + "/" + f.Settings.Shop + "/" + p.Order.LegacyResourceID, "order_line": lines}, nil
}

// wizard creates a transient record acting on records and runs its button;
// it returns the records the action the button returns opens, if any.
func wizard(ctx context.Context, c *odoo.Client, model string, vals map[string]any, activeModel string, ids []int64, button string) ([]int64, error) {
	wctx := map[string]any{"active_model": activeModel, "active_ids": ids}
	made, err := c.CreateWithContext(ctx, model, []map[string]any{vals}, wctx)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.Call(ctx, model, button, []any{made}, map[string]any{"context": wctx}, &raw); err != nil {
		return nil, err
	}
	var action odoo.Action
	if len(raw) > 0 && raw[0] == '{' {
		err = json.Unmarshal(raw, &action)
	}
	return action.IDs(), err
}
