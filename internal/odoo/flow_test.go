package odoo_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
)

const apiKey = "0123456789abcdef0123456789abcdef01234567"

func start(t testing.TB, version int) *odoosim.Sim {
	t.Helper()
	sim := odoosim.New(odoosim.Options{Version: version, Database: "shop", Login: "admin", Password: "admin", APIKey: apiKey, Catalog: true})
	sim.Start()
	t.Cleanup(sim.Close)
	return sim
}

func connect(t testing.TB, sim *odoosim.Sim, protocol string, tweak ...func(*odoo.Config)) *odoo.Client {
	t.Helper()
	cfg := odoo.Config{URL: sim.URL(), Database: "shop", Username: "admin", APIKey: apiKey, Protocol: protocol}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := odoo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

// must keeps the flow readable; a failed call panics, failing the test.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// outcome is what the flow leaves in Odoo, free of ids, to compare versions.
type outcome struct {
	Orders    []string
	Pickings  []string
	Invoices  []string
	Payments  int
	Refunds   []string
	Cancelled string
}

func runFlow(t *testing.T, c *odoo.Client) outcome {
	ctx := context.Background()
	var out outcome
	countries := must(c.Countries(ctx, []string{"US", "FR", "JP"}))
	states := must(c.States(ctx, []odoo.StateKey{{"US", "CA"}, {"CA", "QC"}}))
	if len(countries) != 3 || len(states) != 2 {
		t.Fatalf("countries %v states %v", countries, states)
	}
	taxes := must(c.Taxes(ctx, []odoo.TaxKey{{20, true}, {20, false}, {5.5, false}}))
	if len(taxes) != 3 {
		t.Fatalf("taxes %v", taxes)
	}
	sku := catalog.Variants()[5].SKU
	products := must(c.ProductsByCode(ctx, []string{sku, catalog.ShippingSKU}))
	byBarcode := must(c.ProductsByBarcode(ctx, []string{catalog.Variants()[5].Barcode}))
	tee, ship := products[sku], products[catalog.ShippingSKU]
	if !tee.Storable() || ship.Storable() || byBarcode[catalog.Variants()[5].Barcode].ID != tee.ID || fmt.Sprintf("%.2f", tee.Price) != catalog.Variants()[5].Price {
		t.Fatalf("products %+v %+v", tee, ship)
	}
	if attrs := must(c.AttributeValues(ctx, tee.AttributeValueIDs)); len(attrs) != 2 {
		t.Fatalf("attribute values %v", attrs)
	}
	if prices := must(c.PricelistPrices(ctx, 1, []odoo.Product{tee}, 1)); prices[tee.ID] != tee.Price {
		t.Fatalf("prices %v", prices)
	}
	if stock := must(c.StockByWarehouse(ctx, 1, []int64{tee.ID})); stock[tee.ID].OnHand != 100 {
		t.Fatalf("stock %v", stock)
	}

	if found := must(c.PartnersByEmail(ctx, []string{"jane@example.com"})); len(found) != 0 {
		t.Fatalf("unexpected partner %v", found)
	}
	addr := map[string]any{"street": "1 Main St", "city": "San Francisco", "zip": "94105", "country_id": countries["US"], "state_id": states[odoo.StateKey{"US", "CA"}]}
	pids := must(c.CreatePartners(ctx, []odoo.NewPartner{{
		Vals:     map[string]any{"name": "Jane Shopper", "email": "jane@example.com", "ref": "cust-1"},
		Invoice:  map[string]any{"name": "Jane Billing", "street": "2 Bill St", "country_id": countries["US"]},
		Delivery: addr,
	}}))
	p := pids[0]
	if p.InvoiceID == p.ID || p.DeliveryID == p.ID || p.InvoiceID == p.DeliveryID {
		t.Fatalf("addresses %+v", p)
	}
	if found := must(c.PartnersByEmail(ctx, []string{"jane@example.com"})); found["jane@example.com"].ID != p.ID {
		t.Fatalf("find by email %v", found)
	}
	check(t, c.CreateExternalIDs(ctx, "__shopify__", []odoo.ExternalID{{Name: "customer_1", Model: "res.partner", ResID: p.ID}}))
	if x := must(c.ExternalIDs(ctx, "__shopify__", "res.partner", []string{"customer_1", "customer_2"})); len(x) != 1 || x["customer_1"] != p.ID {
		t.Fatalf("external ids %v", x)
	}

	line := func(price, disc float64, tax odoo.TaxKey) []odoo.OrderLine {
		return []odoo.OrderLine{{ProductID: tee.ID, Qty: 2, PriceUnit: price, Discount: disc, TaxIDs: []int64{taxes[tax]}},
			{ProductID: ship.ID, Name: "Standard shipping", Qty: 1, PriceUnit: 5}}
	}
	orders := []odoo.NewOrder{
		{PartnerID: p.ID, InvoiceAddressID: p.InvoiceID, DeliveryAddressID: p.DeliveryID, ClientRef: "#1001", Lines: line(18.5, 10, odoo.TaxKey{20, false})},
		{PartnerID: p.ID, InvoiceAddressID: p.InvoiceID, DeliveryAddressID: p.DeliveryID, ClientRef: "#1002", Lines: line(24.99, 0, odoo.TaxKey{20, true})},
		{PartnerID: p.ID, ClientRef: "#1003", Lines: line(10, 0, odoo.TaxKey{5.5, false})},
	}
	ids := must(c.CreateOrders(ctx, orders))
	check(t, c.ConfirmOrders(ctx, ids))
	byRef := must(c.OrdersByRef(ctx, []string{"#1001", "#1002", "#1003"}))
	if len(byRef) != 3 || byRef["#1002"].ID != ids[1] {
		t.Fatalf("orders by ref %v", byRef)
	}
	read := must(c.Orders(ctx, ids[:2]))
	var pickings []int64
	for _, o := range read {
		pickings = append(pickings, o.PickingIDs...)
	}
	check(t, c.ValidateDeliveries(ctx, odoo.Delivery{PickingIDs: pickings}))
	for _, pk := range must(c.Pickings(ctx, pickings)) {
		out.Pickings = append(out.Pickings, string(pk.State))
	}
	invoices := must(c.InvoiceOrders(ctx, ids[:2]))
	var invIDs []int64
	for _, id := range ids[:2] {
		if len(invoices[id]) != 1 {
			t.Fatalf("order %d invoices %v", id, invoices)
		}
		invIDs = append(invIDs, invoices[id][0])
	}
	check(t, c.PostInvoices(ctx, invIDs))
	bank := must(c.Resolve(ctx, odoo.Names{BankJournal: "Bank"})).BankJournal
	payments := must(c.RegisterPayments(ctx, odoo.Payment{InvoiceIDs: invIDs, JournalID: bank}))
	out.Payments = len(payments)
	refunds := must(c.CreditNote(ctx, must(c.Invoices(ctx, invIDs[:1]))[0], "Shopify refund"))
	check(t, c.PostInvoices(ctx, refunds))
	check(t, c.CancelOrders(ctx, ids[2:]))

	for _, o := range must(c.Orders(ctx, ids)) {
		out.Orders = append(out.Orders, fmt.Sprintf("%s %s %s %.2f/%.2f/%.2f", o.State, o.InvoiceStatus, o.DeliveryStatus, o.AmountUntaxed, o.AmountTax, o.AmountTotal))
	}
	for _, inv := range must(c.Invoices(ctx, invIDs)) {
		out.Invoices = append(out.Invoices, fmt.Sprintf("%s %s %s %.2f/%.2f/%.2f %.2f", inv.MoveType, inv.State, inv.PaymentState, inv.AmountUntaxed, inv.AmountTax, inv.AmountTotal, inv.AmountResidual))
	}
	for _, inv := range must(c.Invoices(ctx, refunds)) {
		if inv.ReversedEntry.ID != invIDs[0] {
			t.Fatalf("refund %+v", inv)
		}
		out.Refunds = append(out.Refunds, fmt.Sprintf("%s %s %.2f", inv.MoveType, inv.State, inv.AmountTotal))
	}
	out.Cancelled = string(must(c.Orders(ctx, ids[2:]))[0].State)
	return out
}

func TestOrderFlowSameInEveryVersion(t *testing.T) {
	want := outcome{
		Orders: []string{
			"sale to invoice full 38.30/6.66/44.96", // the credit note makes the first order invoiceable again
			"sale invoiced full 46.65/8.33/54.98",
			"cancel no  25.00/1.10/26.10",
		},
		Pickings:  []string{"done", "done"},
		Invoices:  []string{"out_invoice posted paid 38.30/6.66/44.96 0.00", "out_invoice posted paid 46.65/8.33/54.98 0.00"},
		Payments:  2,
		Refunds:   []string{"out_refund posted 44.96"},
		Cancelled: "cancel",
	}
	for _, mode := range []struct {
		version  int
		protocol string
	}{{17, "auto"}, {18, "auto"}, {19, "auto"}, {19, "jsonrpc"}} {
		t.Run(fmt.Sprintf("%d-%s", mode.version, mode.protocol), func(t *testing.T) {
			c := connect(t, start(t, mode.version), mode.protocol)
			wantProto := map[bool]string{true: "json2", false: "jsonrpc"}[mode.version >= 19 && mode.protocol == "auto"]
			if c.Protocol() != wantProto || c.ServerVersion() != fmt.Sprintf("%d.0", mode.version) || c.UID() != 2 {
				t.Fatalf("connected with %s to %s as %d", c.Protocol(), c.ServerVersion(), c.UID())
			}
			if got := runFlow(t, c); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestPartialDelivery(t *testing.T) {
	ctx := context.Background()
	for _, v := range []int{17, 19} {
		c := connect(t, start(t, v), "auto")
		tee := must(c.ProductsByCode(ctx, []string{catalog.Variants()[0].SKU}))[catalog.Variants()[0].SKU]
		partner := must(c.CreatePartners(ctx, []odoo.NewPartner{{Vals: map[string]any{"name": "Partial"}}}))[0]
		ids := must(c.CreateOrders(ctx, []odoo.NewOrder{{PartnerID: partner.ID, ClientRef: "#p", Lines: []odoo.OrderLine{{ProductID: tee.ID, Qty: 3, PriceUnit: 10}}}}))
		check(t, c.ConfirmOrders(ctx, ids))
		first := must(c.Orders(ctx, ids))[0].PickingIDs
		check(t, c.ValidateDeliveries(ctx, odoo.Delivery{PickingIDs: first, Quantities: map[int64]float64{tee.ID: 1}, Backorder: true}))
		o := must(c.Orders(ctx, ids))[0]
		if len(o.PickingIDs) != 2 || o.DeliveryStatus != "partial" {
			t.Fatalf("%d: after partial delivery %+v", v, o)
		}
		if stock := must(c.StockByWarehouse(ctx, 1, []int64{tee.ID}))[tee.ID]; stock.OnHand != 99 || stock.Reserved != 2 {
			t.Errorf("%d: stock %+v", v, stock)
		}
		check(t, c.ValidateDeliveries(ctx, odoo.Delivery{PickingIDs: o.PickingIDs}))
		if o := must(c.Orders(ctx, ids))[0]; o.DeliveryStatus != "full" {
			t.Errorf("%d: after the backorder %+v", v, o)
		}
	}
}
