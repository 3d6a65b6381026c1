package fulfillment

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const shop = "sim-shop.myshopify.com"

// env is a simulated shop whose orders are imported into a simulated Odoo.
type env struct {
	shop    *shopifysim.Sim
	odoo    *odoo.Client
	odooURL string
	ex      *Exporter
	// unshipped are imported orders with nothing fulfilled and a line of
	// several units: Shopify GID to Odoo sale order id.
	unshipped map[string]int64
	shipped   []string // imported orders Shopify shows fulfilled
}

func newEnv(t *testing.T, version int) *env {
	t.Helper()
	sim, err := shopifysim.Start(shopifysim.Options{Orders: 2 * len(shopifysim.Kinds), AccessToken: "tok", Seed: 7, RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	osim := odoosim.New(odoosim.Options{Version: version, Database: "db", Login: "admin", APIKey: "key", Catalog: true,
		Modules: map[string]bool{"delivery": true}})
	osim.Start()
	t.Cleanup(osim.Close)
	sc, err := shopify.New(shopify.Config{Shop: shop, Endpoint: sim.URL(), AccessToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := odoo.New(odoo.Config{URL: osim.URL(), Database: "db", Username: "admin", APIKey: "key", Timeout: 5 * time.Second, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	ids := sim.Store().OrderIDs()
	e := &env{shop: sim, odoo: oc, odooURL: osim.URL(), unshipped: map[string]int64{}, ex: &Exporter{Odoo: oc, Shopify: sc, Shop: shop, Deliveries: true, Notify: true}}
	res, err := e.importer().Import(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.State != v1.LineDone || r.SaleOrderID == 0 {
			continue
		}
		sim.Store().View(ids[i], func(o shopifysim.Obj) {
			switch o["displayFulfillmentStatus"] {
			case "UNFULFILLED":
				// paid with money (a free order is paid too), so a cancellation can refund it
				if r.Outcome == v1.OutcomePaid && len(o["transactions"].([]shopifysim.Obj)) > 0 && slices.ContainsFunc(o["lineItems"].([]shopifysim.Obj), func(l shopifysim.Obj) bool { return l["quantity"].(int) > 1 }) {
					e.unshipped[ids[i]] = r.SaleOrderID
				}
			case "FULFILLED":
				if r.Delivered {
					e.shipped = append(e.shipped, ids[i])
				}
			}
		})
	}
	if len(e.unshipped) < 2 || len(e.shipped) == 0 {
		t.Fatalf("the store has %d unshipped orders with a line of several units and %d shipped ones", len(e.unshipped), len(e.shipped))
	}
	return e
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// anyUnshipped returns one unshipped order and takes it out of the pool.
func (e *env) anyUnshipped() (string, int64) {
	for gid, so := range e.unshipped {
		delete(e.unshipped, gid)
		return gid, so
	}
	return "", 0
}

// ship validates the open delivery of a sale order in Odoo, with a carrier
// and tracking number; quantities by product id ship part of it.
func (e *env) ship(t *testing.T, so int64, ref string, quantities map[int64]float64) {
	t.Helper()
	carrier := map[string]any{"name": "Colissimo"}
	if e.odoo.Major() >= 18 { // a carrier's own tracking link came with 18
		carrier["tracking_url"] = "https://track.example/<shipmenttrackingnumber>"
	}
	carriers, err := e.odoo.Create(ctx(t), "delivery.carrier", []map[string]any{carrier})
	if err != nil {
		t.Fatal(err)
	}
	picks, err := e.odoo.Search(ctx(t), "stock.picking", odoo.Domain{odoo.Cond("sale_id", "=", so), odoo.In("state", []string{"confirmed", "assigned"})}, 0)
	if err != nil || len(picks) != 1 {
		t.Fatalf("open deliveries of order %d: %v, %v", so, picks, err)
	}
	if err := e.odoo.Write(ctx(t), "stock.picking", picks, map[string]any{"carrier_id": carriers[0], "carrier_tracking_ref": ref}); err != nil {
		t.Fatal(err)
	}
	if err := e.odoo.ValidateDeliveries(ctx(t), odoo.Delivery{PickingIDs: picks, Quantities: quantities, Backorder: quantities != nil}); err != nil {
		t.Fatal(err)
	}
}

type move struct {
	Product odoo.Many2One `json:"product_id"`
	Demand  float64       `json:"product_uom_qty"`
}

// moves are the sale order's delivery moves.
func (e *env) moves(t *testing.T, so int64) []move {
	t.Helper()
	var moves []move
	if err := e.odoo.SearchRead(ctx(t), "stock.move", odoo.Domain{odoo.Cond("picking_id.sale_id", "=", so)}, []string{"product_id", "product_uom_qty"}, 0, "id", &moves); err != nil {
		t.Fatal(err)
	}
	return moves
}

// oneUnit is one unit of the order's product of which it has the most, to
// ship part of a line.
func (e *env) oneUnit(t *testing.T, so int64) map[int64]float64 {
	t.Helper()
	moves := e.moves(t, so)
	most := slices.MaxFunc(moves, func(a, b move) int { return cmp.Compare(a.Demand, b.Demand) })
	if most.Demand < 2 {
		t.Fatalf("order %d has no line of several units", so)
	}
	return map[int64]float64{most.Product.ID: 1}
}

// units is how many units the order ships in all.
func (e *env) units(t *testing.T, so int64) int {
	n := 0
	for _, m := range e.moves(t, so) {
		n += int(m.Demand)
	}
	return n
}

// settle runs once over the deliveries the import validated.
func (e *env) settle(t *testing.T) {
	t.Helper()
	if r := e.run(t); r.Sent != 0 || r.Failed != 0 {
		t.Fatalf("settling run: %+v", r)
	}
}

func (e *env) run(t *testing.T) Result {
	t.Helper()
	res, err := e.ex.Run(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// picking is the sale order's delivery in state.
func (e *env) picking(t *testing.T, so int64, state string) int64 {
	t.Helper()
	ids, err := e.odoo.Search(ctx(t), "stock.picking", odoo.Domain{odoo.Cond("sale_id", "=", so), odoo.Cond("state", "=", state)}, 0)
	if err != nil || len(ids) != 1 {
		t.Fatalf("deliveries of %d: %v, %v", so, ids, err)
	}
	return ids[0]
}

func (e *env) wantFulfilments(t *testing.T, gid string, n int) {
	t.Helper()
	if tracking, _ := e.fulfilments(t, gid); len(tracking) != n {
		t.Fatalf("%s has %d fulfilments, want %d", gid, len(tracking), n)
	}
}

// fulfilments are the order's fulfilments in Shopify: tracking number and
// quantity shipped of each.
func (e *env) fulfilments(t *testing.T, gid string) (tracking []shopifysim.Obj, lines [][]shopifysim.Obj) {
	t.Helper()
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		for _, f := range o["fulfillments"].([]shopifysim.Obj) {
			info := f["trackingInfo"].([]shopifysim.Obj)
			var ti shopifysim.Obj
			if len(info) > 0 {
				ti = info[0]
			}
			tracking = append(tracking, ti)
			lines = append(lines, f["fulfillmentLineItems"].([]shopifysim.Obj))
		}
	})
	return tracking, lines
}

func TestDeliverySentOnceWithTracking(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint("odoo", v), func(t *testing.T) {
			e := newEnv(t, v)
			e.settle(t)
			gid, so := e.anyUnshipped()
			e.ship(t, so, "6A0001", nil)
			if r := e.run(t); r.Deliveries != 1 || r.Sent != 1 || r.Failed != 0 {
				t.Fatalf("first run: %+v", r)
			}
			tracking, _ := e.fulfilments(t, gid)
			want := shopifysim.Obj{"company": "Colissimo", "number": "6A0001", "url": "https://track.example/6A0001"}
			if v == 17 {
				want["url"] = nil
			}
			if len(tracking) != 1 || fmt.Sprint(tracking[0]) != fmt.Sprint(want) {
				t.Fatalf("fulfilments: %v, want one with %v", tracking, want)
			}
			e.shop.Store().View(gid, func(o shopifysim.Obj) {
				if o["displayFulfillmentStatus"] != "FULFILLED" {
					t.Errorf("order is %v", o["displayFulfillmentStatus"])
				}
			})
			if r := e.run(t); r.Deliveries != 0 || r.Sent != 0 || r.Failed != 0 {
				t.Fatalf("second run: %+v, want nothing to do", r)
			}
			e.wantFulfilments(t, gid, 1)
		})
	}
}

func TestPartialDeliveriesArePartialFulfilments(t *testing.T) {
	e := newEnv(t, 18)
	e.settle(t)
	gid, so := e.anyUnshipped()
	total := e.units(t, so)
	e.ship(t, so, "PART1", e.oneUnit(t, so))
	if r := e.run(t); r.Sent != 1 {
		t.Fatalf("first delivery: %+v", r)
	}
	_, lines := e.fulfilments(t, gid)
	if len(lines) != 1 || len(lines[0]) != 1 || lines[0][0]["quantity"] != 1 {
		t.Fatalf("first fulfilment ships %v, want one unit of one line", lines)
	}
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		if o["displayFulfillmentStatus"] != "PARTIALLY_FULFILLED" {
			t.Errorf("order is %v after the first delivery", o["displayFulfillmentStatus"])
		}
	})
	e.ship(t, so, "PART2", nil) // the backorder, in full
	if r := e.run(t); r.Sent != 1 || r.Deliveries != 1 {
		t.Fatalf("second delivery: %+v", r)
	}
	tracking, lines := e.fulfilments(t, gid)
	units := 0
	for _, f := range lines {
		for _, l := range f {
			units += l["quantity"].(int)
		}
	}
	if len(tracking) != 2 || tracking[1]["number"] != "PART2" || units != total {
		t.Fatalf("fulfilments %v ship %d units, want 2 shipping %d", tracking, units, total)
	}
}

// A crash between Shopify's fulfilment and Odoo's mark, or a reply lost
// after Shopify created the fulfilment, never sends it twice. Partial
// deliveries, so that Shopify would take a second one.
func TestNoSecondFulfilmentWhenTheRecordIsLost(t *testing.T) {
	e := newEnv(t, 19)
	e.settle(t)
	gid, so := e.anyUnshipped()
	e.ship(t, so, "LOST1", e.oneUnit(t, so))
	if r := e.run(t); r.Sent != 1 {
		t.Fatalf("first run: %+v", r)
	}
	marks, err := e.odoo.Search(ctx(t), "ir.model.data", odoo.Domain{odoo.Cond("module", "=", keys.ModuleFulfillment),
		odoo.Cond("name", "=", keys.Mark("stock.picking", e.picking(t, so, "done")))}, 0)
	if err != nil || len(marks) != 1 {
		t.Fatalf("marks: %v, %v", marks, err)
	}
	if err := e.odoo.Unlink(ctx(t), "ir.model.data", marks); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t); r.Sent != 0 || r.InShopify != 1 {
		t.Fatalf("run without the mark: %+v, want it found in Shopify", r)
	}
	e.wantFulfilments(t, gid, 1)

	gid, so = e.anyUnshipped()
	e.ship(t, so, "LOST2", e.oneUnit(t, so))
	e.shop.SetFaults(shopifysim.Faults{LostReplies: 1, Operation: "FulfillmentCreate"})
	if r := e.run(t); r.Sent != 0 || r.Failed != 1 {
		t.Fatalf("run with the reply lost: %+v", r)
	}
	if r := e.run(t); r.Sent != 0 || r.InShopify != 1 || r.Failed != 0 {
		t.Fatalf("run after the lost reply: %+v", r)
	}
	e.wantFulfilments(t, gid, 1)
}

// Orders fulfilled in Shopify get their delivery validated by the import;
// that delivery is not sent back.
func TestShopifyFulfilledOrdersAreNotSentBack(t *testing.T) {
	e := newEnv(t, 17)
	before := map[string]int{}
	for _, gid := range e.shipped {
		tracking, _ := e.fulfilments(t, gid)
		before[gid] = len(tracking)
	}
	r := e.run(t)
	if r.Sent != 0 || r.Deliveries == 0 || r.InShopify != r.Deliveries {
		t.Fatalf("run: %+v, want every delivery found in Shopify", r)
	}
	for _, gid := range e.shipped {
		if tracking, _ := e.fulfilments(t, gid); len(tracking) != before[gid] {
			t.Errorf("%s: %d fulfilments, had %d", gid, len(tracking), before[gid])
		}
	}
}

func TestOdooCancellationsReachShopifyOnce(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint("odoo", v), func(t *testing.T) {
			e := newEnv(t, v)
			e.ex.Deliveries, e.ex.Cancel = false, Cancel{Enabled: true, Refund: true, Notify: true}
			refund, keep, shipped := e.cancelled(t), e.cancelled(t), e.cancelled(t)
			e.shop.Store().View(shipped, func(o shopifysim.Obj) { o["displayFulfillmentStatus"] = "PARTIALLY_FULFILLED" })
			r := e.run(t)
			if r.Cancelled != 2 || r.Failed != 1 || !strings.Contains(strings.Join(r.Problems, ""), "shipped: not cancelled there") {
				t.Fatalf("first run: %+v", r)
			}
			e.wantCancelled(t, refund, "REFUNDED", 1)
			e.wantCancelled(t, keep, "REFUNDED", 1)
			if r := e.run(t); r.Cancelled != 0 || r.Failed != 0 {
				t.Fatalf("second run: %+v", r)
			}

			// Without refunds, and with the mark in Odoo lost.
			e.ex.Cancel.Refund = false
			unpaid := e.cancelled(t)
			if r := e.run(t); r.Cancelled != 1 {
				t.Fatalf("run without refunds: %+v", r)
			}
			e.wantCancelled(t, unpaid, "PAID", 0)
			marks, err := e.odoo.Search(ctx(t), "ir.model.data", odoo.Domain{odoo.Cond("module", "=", keys.ModuleCancel)}, 0)
			if err != nil || len(marks) != 4 {
				t.Fatalf("marks %v, %v", marks, err)
			}
			if err := e.odoo.Unlink(ctx(t), "ir.model.data", marks); err != nil {
				t.Fatal(err)
			}
			if r := e.run(t); r.Cancelled != 0 || r.Failed != 1 {
				t.Fatalf("run without marks: %+v, want only the shipped order reported again", r)
			}
			e.wantCancelled(t, unpaid, "PAID", 0)
		})
	}
}

// cancelled cancels an imported, unshipped order in Odoo and returns its
// Shopify GID.
func (e *env) cancelled(t *testing.T) string {
	t.Helper()
	gid, so := e.anyUnshipped()
	if err := e.odoo.CancelOrders(ctx(t), []int64{so}); err != nil {
		t.Fatal(err)
	}
	return gid
}

// wantCancelled checks the Shopify order is cancelled, in financial status,
// with that many refunds.
func (e *env) wantCancelled(t *testing.T, gid, status string, refunds int) {
	t.Helper()
	e.shop.Store().View(gid, func(o shopifysim.Obj) {
		if o["cancelledAt"] == nil || o["displayFinancialStatus"] != status || len(o["refunds"].([]shopifysim.Obj)) != refunds {
			t.Errorf("%s: cancelled at %v, %v, %d refunds; want cancelled, %s, %d", gid, o["cancelledAt"], o["displayFinancialStatus"],
				len(o["refunds"].([]shopifysim.Obj)), status, refunds)
		}
	})
}

// A delivery of an order cancelled in Shopify is not sent; the run says so,
// once.
func TestDeliveryOfACancelledOrderIsReportedOnce(t *testing.T) {
	e := newEnv(t, 17)
	e.settle(t)
	gid, so := e.anyUnshipped()
	e.ship(t, so, "TOO-LATE", nil)
	if err := e.shop.Store().CancelOrder(gid, "CUSTOMER"); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t); r.Sent != 0 || r.Failed != 1 || !strings.Contains(r.Problems[0], "cancelled in Shopify") {
		t.Fatalf("first run: %+v", r)
	}
	if r := e.run(t); r.Deliveries != 0 || r.Failed != 0 {
		t.Fatalf("second run: %+v", r)
	}
	e.wantFulfilments(t, gid, 0)
}

// A delivery of an order whose fulfilment order Shopify holds is not sent
// and not marked: it waits, the run says why, and it is sent once the hold
// is released.
func TestDeliveryWaitsForAHold(t *testing.T) {
	e := newEnv(t, 18)
	e.settle(t)
	gid, so := e.anyUnshipped()
	if err := e.shop.Store().HoldFulfillment(gid, "AWAITING_PAYMENT", "bank transfer pending"); err != nil {
		t.Fatal(err)
	}
	e.ship(t, so, "HELD1", nil)
	for range 2 {
		r := e.run(t)
		if r.Sent != 0 || r.InShopify != 0 || r.Waiting != 1 || r.Failed != 0 ||
			len(r.Waits) != 1 || !strings.Contains(r.Waits[0], "on hold: AWAITING_PAYMENT (bank transfer pending)") {
			t.Fatalf("run while held: %+v", r)
		}
	}
	e.wantFulfilments(t, gid, 0)
	if err := e.shop.Store().ReleaseFulfillmentHold(gid); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t); r.Sent != 1 || r.Waiting != 0 {
		t.Fatalf("run after the release: %+v", r)
	}
	if r := e.run(t); r.Deliveries != 0 {
		t.Fatalf("run after sending: %+v", r)
	}
	e.wantFulfilments(t, gid, 1)
}
