// Package fulfillment sends the deliveries validated in Odoo for imported
// orders to Shopify as fulfilments, cancels there the orders cancelled in
// Odoo and refunds the credit notes posted in Odoo, each once.
//
// Exactly once rests on two records. Shopify's own: an order's fulfillment
// order lines say how much has shipped, so a delivery only sends what Odoo
// has delivered of the order beyond that; a delivery sent before (or
// fulfilled in Shopify and validated by the import) sends nothing again, even
// when Odoo never learnt of it. Odoo's: a sent delivery gets the external id
// shopify_fulfillment.stock_picking_<id>, which needs no addon, no field the
// version may lack, and is not a field a person edits; it spares reading the
// order from Shopify again on the next run.
package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// DefaultInterval is how often deliveries are sent when the spec says not.
const DefaultInterval = 10 * time.Minute

// Lookback is how far back a run looks for validated deliveries when no
// Since is given.
const Lookback = 7 * 24 * time.Hour

// maxProblems bounds the messages a Result keeps.
const maxProblems = 5

// Exporter sends one instance's validated deliveries and cancellations.
type Exporter struct {
	Odoo       *odoo.Client
	Shopify    *shopify.Client
	Shop       string // the myshopify.com domain in the orders' keys
	Deliveries bool   // send validated deliveries as fulfilments
	Notify     bool   // Shopify emails the customer about each fulfilment
	Cancel     Cancel
	Refund     Refunds
	// Since leaves out deliveries validated, and orders changed, before;
	// zero is Lookback ago.
	Since time.Time
}

// Cancel says whether and how the imported orders cancelled in Odoo are
// cancelled in Shopify.
type Cancel struct {
	Enabled bool
	Refund  bool // what the customer paid, to the original payment methods
	Notify  bool
}

// Result counts what a run did with the deliveries and cancellations not
// yet marked sent.
type Result struct {
	Deliveries int // validated, not yet marked sent
	Sent       int // fulfilments created in Shopify
	InShopify  int // nothing left to send: Shopify had it already
	Cancelled  int // orders cancelled in Shopify
	// CreditNotes are credit notes posted in Odoo not yet refunded in
	// Shopify, Refunded those refunded now.
	CreditNotes int
	Refunded    int
	// Waiting are deliveries Shopify cannot take yet: a fulfilment order
	// of theirs is on hold, scheduled or incomplete. They are not marked
	// sent, and go when Shopify releases them.
	Waiting  int
	Waits    []string // why the first few wait, one line each
	Failed   int
	Problems []string // the first few failures, one line each
}

func (r *Result) fail(format string, args ...any) {
	r.Failed++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Run sends what is enabled: the deliveries validated and the orders
// cancelled since Since. A failure of one order is counted in the Result
// and the others go on; the error is for a failure that stopped the run
// (an end unreachable).
func (e *Exporter) Run(ctx context.Context) (Result, error) {
	var res Result
	since := e.since()
	if e.Deliveries {
		if err := e.deliveries(ctx, since, &res); err != nil {
			return res, err
		}
	}
	if e.Cancel.Enabled {
		return res, e.cancellations(ctx, since, &res)
	}
	return res, nil
}

func (e *Exporter) since() time.Time {
	if e.Since.IsZero() {
		return time.Now().Add(-Lookback)
	}
	return e.Since
}

// deliveries sends the validated deliveries not marked sent.
func (e *Exporter) deliveries(ctx context.Context, since time.Time, res *Result) error {
	recent, err := e.Odoo.RecentDeliveries(ctx, keys.Prefix(e.Shop), since)
	if err != nil || len(recent) == 0 {
		return err
	}
	ids := make([]int64, 0, len(recent))
	for id := range recent {
		ids = append(ids, id)
	}
	marked, err := e.Odoo.Marked(ctx, keys.ModuleFulfillment, "stock.picking", ids)
	if err != nil {
		return err
	}
	var orders []int64
	for id, order := range recent {
		if marked[id] {
			continue
		}
		res.Deliveries++
		if !slices.Contains(orders, order) {
			orders = append(orders, order)
		}
	}
	if len(orders) == 0 {
		return nil
	}
	slices.Sort(orders)
	picks, err := e.Odoo.DonePickings(ctx, orders)
	if err != nil {
		return err
	}
	byOrder := map[int64][]odoo.DonePicking{}
	for _, p := range picks {
		byOrder[p.OrderID] = append(byOrder[p.OrderID], p)
	}
	for _, id := range orders {
		if err := e.order(ctx, byOrder[id], marked, res); err != nil {
			return err
		}
	}
	return nil
}

// order sends the unmarked deliveries of one order, oldest first.
func (e *Exporter) order(ctx context.Context, picks []odoo.DonePicking, marked map[int64]bool, res *Result) error {
	if len(picks) == 0 {
		return nil
	}
	st, found, err := e.shopifyOrder(ctx, picks[0].OrderOrigin, res)
	if !found || err != nil {
		return err
	}
	sh := newShipments(st)
	delivered := map[string]int{}
	for _, p := range picks {
		need := map[string]int{}
		for sku, q := range p.Shipped {
			delivered[sku] += int(math.Round(q))
			need[sku] = min(int(math.Round(q)), delivered[sku]-sh.fulfilled[sku])
		}
		if marked[p.ID] {
			continue
		}
		var groups [][]shopify.FulfillmentLines
		var held string
		if st.CancelledAt != nil {
			// Said once: the delivery is marked like one sent.
			res.fail("%s: delivery %s is done in Odoo but the order is cancelled in Shopify", st.Name, p.Name)
		} else {
			groups = sh.take(need)
			held = sh.held(need)
		}
		for _, lines := range groups {
			if _, err := e.Shopify.FulfillmentCreate(ctx, lines, tracking(p), e.Notify); err != nil {
				if !refused(err) {
					return err
				}
				res.fail("%s: delivery %s: %v", st.Name, p.Name, err)
				return nil
			}
			res.Sent++
		}
		if held != "" {
			// Not marked: the next run sends what is still missing once
			// Shopify releases it.
			res.Waiting++
			if len(res.Waits) < maxProblems {
				res.Waits = append(res.Waits, fmt.Sprintf("%s: delivery %s waits: %s", st.Name, p.Name, held))
			}
			continue
		}
		if len(groups) == 0 && st.CancelledAt == nil {
			res.InShopify++
		}
		if err := e.mark(ctx, keys.ModuleFulfillment, "stock.picking", p.ID, st.Name+": delivery "+p.Name, res); err != nil {
			return err
		}
	}
	return nil
}

// shopifyOrder reads the Shopify order an Odoo order's key names; an order
// Shopify does not know is a failure of the result, not of the run.
func (e *Exporter) shopifyOrder(ctx context.Context, key string, res *Result) (shopify.FulfillmentState, bool, error) {
	st, err := e.Shopify.OrderFulfillment(ctx, keys.GID(keys.TypeOrder, keys.OrderOf(e.Shop, key)))
	var se *shopify.Error
	if errors.As(err, &se) && se.Kind == shopify.KindNotFound {
		res.fail("%s: order not found in Shopify", key)
		return st, false, nil
	}
	return st, err == nil, err
}

// refused: Shopify refused a mutation, or may have applied it; either way
// the next run reads the order again and does only what is missing.
func refused(err error) bool {
	var se *shopify.Error
	return errors.As(err, &se) && (se.Kind == shopify.KindUserErrors || se.MaybeApplied)
}

// mark records in Odoo that a record has been dealt with. Odoo refusing it
// is a failure of the result; a reply lost, of the run.
func (e *Exporter) mark(ctx context.Context, module, model string, id int64, what string, res *Result) error {
	err := e.Odoo.Mark(ctx, module, model, id)
	if err != nil && (odoo.IsRetryable(err) || errors.Is(err, odoo.ErrReplyLost)) {
		return err
	}
	if err != nil {
		res.fail("%s: done, but Odoo refused its mark: %v", what, err)
	}
	return nil
}

func tracking(p odoo.DonePicking) *shopify.Tracking {
	if p.Carrier == "" && p.TrackingRef == "" && p.TrackingURL == "" {
		return nil
	}
	return &shopify.Tracking{Company: p.Carrier, Number: p.TrackingRef, URL: p.TrackingURL}
}

// shipments is what an order has shipped and has left to ship in Shopify.
type shipments struct {
	fulfilled map[string]int // by SKU
	open      []shopify.FulfillmentOrder
	// waiting are fulfillment orders Shopify will not fulfil yet: on hold,
	// scheduled for later, or incomplete.
	waiting []shopify.FulfillmentOrder
}

func newShipments(st shopify.FulfillmentState) *shipments {
	s := &shipments{fulfilled: map[string]int{}}
	for _, fo := range st.FulfillmentOrders.Nodes {
		for _, l := range fo.LineItems.Nodes {
			s.fulfilled[l.LineItem.SKU] += l.TotalQuantity - l.RemainingQuantity
		}
		switch fo.Status {
		case "OPEN", "IN_PROGRESS":
			s.open = append(s.open, fo)
		case "ON_HOLD", "SCHEDULED", "INCOMPLETE":
			s.waiting = append(s.waiting, fo)
		}
	}
	return s
}

// held says why the quantities take could not book wait, when a
// fulfillment order Shopify does not fulfil yet has them to ship; empty
// when none has.
func (s *shipments) held(need map[string]int) string {
	for _, fo := range s.waiting {
		for _, l := range fo.LineItems.Nodes {
			if need[l.LineItem.SKU] > 0 && l.RemainingQuantity > 0 {
				return why(fo)
			}
		}
	}
	return ""
}

func why(fo shopify.FulfillmentOrder) string {
	switch {
	case fo.Status == "SCHEDULED" && fo.FulfillAt != nil:
		return "its fulfilment order is scheduled for " + fo.FulfillAt.UTC().Format(time.RFC3339)
	case fo.Status == "ON_HOLD":
		var holds []string
		for _, h := range fo.Holds {
			holds = append(holds, strings.TrimSuffix(h.Reason+" ("+h.ReasonNotes+")", " ()"))
		}
		return "its fulfilment order is on hold: " + strings.Join(holds, ", ")
	}
	return "its fulfilment order is " + strings.ToLower(fo.Status)
}

// take books the quantities by SKU on open fulfillment order lines and
// returns them as fulfilments: one per location, since a fulfilment ships
// from one.
func (s *shipments) take(need map[string]int) [][]shopify.FulfillmentLines {
	var locations []string
	byLocation := map[string][]shopify.FulfillmentLines{}
	for i := range s.open {
		fo := &s.open[i]
		var items []shopify.FulfillmentOrderItem
		for j := range fo.LineItems.Nodes {
			l := &fo.LineItems.Nodes[j]
			n := min(need[l.LineItem.SKU], l.RemainingQuantity)
			if n <= 0 {
				continue
			}
			need[l.LineItem.SKU] -= n
			l.RemainingQuantity -= n
			s.fulfilled[l.LineItem.SKU] += n
			items = append(items, shopify.FulfillmentOrderItem{ID: l.ID, Quantity: n})
		}
		if items == nil {
			continue
		}
		var loc string
		if fo.AssignedLocation.Location != nil {
			loc = fo.AssignedLocation.Location.ID
		}
		if _, ok := byLocation[loc]; !ok {
			locations = append(locations, loc)
		}
		byLocation[loc] = append(byLocation[loc], shopify.FulfillmentLines{FulfillmentOrderID: fo.ID, Lines: items})
	}
	out := make([][]shopify.FulfillmentLines, len(locations))
	for i, loc := range locations {
		out[i] = byLocation[loc]
	}
	return out
}
