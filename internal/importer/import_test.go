package importer

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// env is a simulated shop and Odoo with an importer between them.
type env struct {
	shop  *shopifysim.Sim
	odoo  *odoosim.Sim
	im    *Importer
	ids   []string
	kinds map[string]string // order id -> generated kind
}

func newEnv(t testing.TB, version, orders int) *env {
	t.Helper()
	shop, err := shopifysim.Start(shopifysim.Options{Orders: orders, AccessToken: "tok", Seed: 11, RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shop.Close)
	osim := odoosim.New(odoosim.Options{Version: version, Database: "db", Login: "admin", APIKey: "key", Catalog: true})
	osim.Start()
	t.Cleanup(osim.Close)
	sc, err := shopify.New(shopify.Config{Shop: "sim-shop.myshopify.com", Endpoint: shop.URL(), AccessToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{shop: shop, odoo: osim, kinds: map[string]string{}}
	oc := e.client(t, nil)
	s := Settings{Shop: "sim-shop.myshopify.com", Odoo: v1.OdooSpec{Warehouse: "WH"}, Orders: catalog.Orders()}
	e.im = &Importer{Shopify: sc, Odoo: oc, Settings: s, Cache: &Cache{}}
	var refs []shopify.OrderRef
	if err := sc.OrderRefs(ctx(t), shopify.OrderFilter{}, func(r shopify.OrderRef) error { refs = append(refs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	first := -1
	for _, r := range refs {
		if n := number(r.Name); first < 0 || n < first {
			first = n
		}
	}
	for _, r := range refs {
		e.ids = append(e.ids, r.LegacyResourceID)
		e.kinds[r.LegacyResourceID] = shopifysim.Kinds[(number(r.Name)-first)%len(shopifysim.Kinds)]
	}
	return e
}

// client connects to the simulated Odoo; observe sees every round trip.
func (e *env) client(t testing.TB, observe func(odoo.CallInfo)) *odoo.Client {
	t.Helper()
	c, err := odoo.New(odoo.Config{URL: e.odoo.URL(), Database: "db", Username: "admin", APIKey: "key",
		Timeout: 5 * time.Second, MaxAttempts: 2, Observer: observe})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return c
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func (e *env) importAll(t *testing.T) map[string]Result {
	t.Helper()
	res, err := e.im.Import(ctx(t), e.ids)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Result{}
	for i, r := range res {
		if r.ID != e.ids[i] {
			t.Fatalf("result %d is for %s, want %s", i, r.ID, e.ids[i])
		}
		out[r.ID] = r
	}
	return out
}

// records reads Odoo's records of model.
func (e *env) records(t *testing.T, model string, domain []any) []map[string]any {
	t.Helper()
	rows, err := e.odoo.SearchRead(model, domain)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// want is where each kind of generated order must end.
var want = map[string]struct {
	state     v1.LineState
	outcome   v1.Outcome
	delivered bool
	message   string
}{
	"multi-line":           {v1.LineDone, v1.OutcomePaid, false, ""},
	"line-discount":        {v1.LineDone, v1.OutcomePaid, false, ""},
	"order-discount":       {v1.LineDone, v1.OutcomePaid, false, ""},
	"taxes-included":       {v1.LineDone, v1.OutcomePaid, false, ""},
	"taxes-excluded-multi": {v1.LineDone, v1.OutcomePaid, false, ""},
	"shipping-discount":    {v1.LineDone, v1.OutcomePaid, false, ""},
	"gift-card-purchase":   {v1.LineDone, v1.OutcomePaid, false, ""},
	"gift-card-payment":    {v1.LineDone, v1.OutcomePaid, false, ""},
	"free":                 {v1.LineDone, v1.OutcomePaid, false, ""},
	"risk-cancel":          {v1.LineDone, v1.OutcomeRiskyQuotation, false, ""},
	"risk-investigate":     {v1.LineDone, v1.OutcomeRiskyQuotation, false, ""},
	"cancelled":            {v1.LineCancelled, "", false, "cancelled in Shopify"},
	"refunded":             {v1.LineDone, v1.OutcomeSalesOrder, true, ""},
	"partially-refunded":   {v1.LineDone, v1.OutcomeSalesOrder, true, ""},
	"partially-fulfilled":  {v1.LineDone, v1.OutcomePaid, false, ""},
	"fulfilled":            {v1.LineDone, v1.OutcomePaid, true, ""},
	"pos":                  {v1.LineDone, v1.OutcomePaid, true, ""},
	"multi-currency":       {v1.LineDone, v1.OutcomePaid, false, ""},
	"unknown-sku":          {v1.LineFailed, "", false, "unknown in Odoo: SKU LEGACY-SCARF"},
	"custom-line":          {v1.LineFailed, "", false, `line "Gift wrapping" has no SKU`},
	"test":                 {v1.LineSkipped, "", false, "test order"},
}

func TestImportEveryKindOfOrder(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			e := newEnv(t, version, len(shopifysim.Kinds))
			res := e.importAll(t)
			totals := map[int64]float64{}
			for _, so := range e.records(t, "sale.order", []any{}) {
				totals[int64(so["id"].(float64))] = so["amount_total"].(float64)
			}
			for id, r := range res {
				kind := e.kinds[id]
				w := want[kind]
				if r.State != w.state || r.Outcome != w.outcome || (w.message != "" && !strings.Contains(r.Message, w.message)) {
					t.Errorf("%s (%s): %s %s %q; want %s %s %q", kind, r.Name, r.State, r.Outcome, r.Message, w.state, w.outcome, w.message)
				}
				if w.delivered && !r.Delivered {
					t.Errorf("%s (%s): delivery not validated", kind, r.Name)
				}
				if r.State == v1.LineDone && (r.SaleOrderID == 0 || !strings.HasPrefix(r.SaleOrder, "SHOP-#")) {
					t.Errorf("%s (%s): sale order %d %q", kind, r.Name, r.SaleOrderID, r.SaleOrder)
				}
				if r.State == v1.LineFailed && r.Retry {
					t.Errorf("%s (%s): a data error is marked retryable", kind, r.Name)
				}
			}
			e.checkTotals(t, res, totals)
		})
	}
}

// checkTotals: every imported order's Odoo total is Shopify's.
func (e *env) checkTotals(t *testing.T, res map[string]Result, totals map[int64]float64) {
	t.Helper()
	orders, err := e.im.Shopify.OrdersByIDs(ctx(t), gids(e.ids))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		r := res[o.LegacyResourceID]
		if r.SaleOrderID == 0 {
			continue
		}
		want, _ := strconv.ParseFloat(o.TotalPrice.Shop.Amount.String(), 64)
		if got := totals[r.SaleOrderID]; math.Abs(got-want) > 0.005 {
			t.Errorf("%s: Odoo total %.2f, Shopify total %.2f", o.Name, got, want)
		}
	}
}

func gids(ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, "gid://shopify/Order/"+id)
	}
	return out
}

func TestImportTwiceChangesNothing(t *testing.T) {
	e := newEnv(t, 18, len(shopifysim.Kinds))
	first := e.importAll(t)
	before := e.counts(t)
	second := e.importAll(t)
	if after := e.counts(t); after != before {
		t.Errorf("second import changed Odoo: %v -> %v", before, after)
	}
	for id, r := range second {
		if f := first[id]; r.State != f.State || r.SaleOrderID != f.SaleOrderID || r.Outcome != f.Outcome {
			t.Errorf("%s: first %+v, second %+v", r.Name, f, r)
		}
	}
}

// counts is the number of sale orders, invoices, payments and pickings done.
func (e *env) counts(t *testing.T) string {
	return fmt.Sprintf("orders=%d invoices=%d payments=%d partners=%d done-pickings=%d",
		len(e.records(t, "sale.order", []any{})),
		len(e.records(t, "account.move", []any{[]any{"move_type", "=", "out_invoice"}})),
		len(e.records(t, "account.payment", []any{})),
		len(e.records(t, "res.partner", []any{})),
		len(e.records(t, "stock.picking", []any{[]any{"state", "=", "done"}})))
}

// Every step of the flow loses its reply once after Odoo committed the
// call: the import is retried until done and Odoo ends as after a clean run.
func TestLostRepliesNeverDuplicate(t *testing.T) {
	clean := newEnv(t, 17, len(shopifysim.Kinds))
	clean.importAll(t)
	want := clean.counts(t)
	for _, step := range []struct{ model, method string }{
		{"res.partner", "create"},
		{"sale.order", "create"},
		{"sale.order.line", "create"},
		{"sale.order", "action_confirm"},
		{"stock.picking", "button_validate"},
		{"sale.advance.payment.inv", "create_invoices"},
		{"account.move", "action_post"},
		{"account.payment.register", "action_create_payments"},
	} {
		t.Run(step.model+"."+step.method, func(t *testing.T) {
			e := newEnv(t, 17, len(shopifysim.Kinds))
			e.odoo.Inject(odoosim.Fault{Kind: odoosim.LostReply, Model: step.model, Method: step.method, Times: 1})
			var res map[string]Result
			for attempt := 0; attempt < 5; attempt++ {
				res = e.importAll(t)
				if !anyRetry(res) {
					break
				}
			}
			if anyRetry(res) {
				t.Fatalf("still failing after retries: %+v", res)
			}
			if got := e.counts(t); got != want {
				t.Errorf("after a lost reply: %s; a clean run gives %s", got, want)
			}
		})
	}
}

func anyRetry(res map[string]Result) bool {
	for _, r := range res {
		if r.State == v1.LineFailed && r.Retry {
			return true
		}
	}
	return false
}

// A batch Odoo refuses for one order still imports the others.
func TestOneBadOrderDoesNotBlockTheOthers(t *testing.T) {
	e := newEnv(t, 19, len(shopifysim.Kinds))
	e.im.Settings.Orders.Taxes = v1.TaxesSpec{Unmapped: v1.TaxFail,
		Mappings: []v1.TaxMapping{{Title: "VAT 20%", OdooTax: odoosim.TaxName(catalog.Taxes[0])}}}
	res := e.importAll(t)
	done, failed := 0, 0
	for _, r := range res {
		switch {
		case r.State == v1.LineDone:
			done++
		case strings.Contains(r.Message, "no Odoo tax for Shopify tax"):
			failed++
		}
	}
	if done == 0 || failed == 0 {
		t.Errorf("with only VAT 20%% mapped: %d done, %d failed naming the tax", done, failed)
	}
}

func TestRoundTripsPerOrder(t *testing.T) {
	e := newEnv(t, 18, 50)
	e.odoo.ResetCalls()
	e.importAll(t)
	per := float64(e.odoo.Calls("", "")) / float64(len(e.ids))
	t.Logf("%d Odoo calls for %d orders: %.2f per order", e.odoo.Calls("", ""), len(e.ids), per)
	if per > 1 {
		t.Errorf("%.2f Odoo round trips per order: the import is not batched", per)
	}
}

// byKind is the first order generated as kind.
func (e *env) byKind(kind string) string {
	for _, id := range e.ids {
		if e.kinds[id] == kind {
			return id
		}
	}
	panic("no " + kind + " order")
}

func (e *env) update(t *testing.T, id string, fn func(shopifysim.Obj)) {
	t.Helper()
	if err := e.shop.Store().UpdateOrder("gid://shopify/Order/"+id, fn); err != nil {
		t.Fatal(err)
	}
}

func (e *env) importOne(t *testing.T, id string) Result {
	t.Helper()
	res, err := e.im.Import(ctx(t), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

// An imported order follows what happens to it in Shopify afterwards.
func TestImportedOrdersFollowShopify(t *testing.T) {
	e := newEnv(t, 19, len(shopifysim.Kinds))

	// Paid and shipped later.
	late := e.byKind("multi-line")
	var txs any
	e.update(t, late, func(o shopifysim.Obj) {
		txs, o["transactions"], o["displayFinancialStatus"] = o["transactions"], []any{}, "PENDING"
	})
	if r := e.importOne(t, late); r.State != v1.LineDone || r.Outcome != v1.OutcomeSalesOrder {
		t.Fatalf("pending order: %+v", r)
	}
	e.update(t, late, func(o shopifysim.Obj) {
		o["transactions"], o["displayFinancialStatus"], o["displayFulfillmentStatus"] = txs, "PAID", "FULFILLED"
	})
	if r := e.importOne(t, late); r.State != v1.LineDone || r.Outcome != v1.OutcomePaid || !r.Delivered {
		t.Errorf("paid and shipped later: %+v", r)
	}

	// Cancelled later: a quotation is cancelled, a delivered order is not.
	quote, shipped := e.byKind("risk-investigate"), e.byKind("fulfilled")
	for _, id := range []string{quote, shipped} {
		if r := e.importOne(t, id); r.State != v1.LineDone {
			t.Fatalf("%s: %+v", e.kinds[id], r)
		}
		if err := e.shop.Store().CancelOrder("gid://shopify/Order/"+id, "CUSTOMER"); err != nil {
			t.Fatal(err)
		}
	}
	if r := e.importOne(t, quote); r.State != v1.LineCancelled || r.SaleOrderID == 0 {
		t.Errorf("cancelled quotation: %+v", r)
	}
	states := map[float64]string{}
	for _, so := range e.records(t, "sale.order", []any{}) {
		states[so["id"].(float64)] = so["state"].(string)
	}
	if r := e.importOne(t, shipped); r.State != v1.LineFailed || r.Retry || !strings.Contains(r.Message, "is done in Odoo: not cancelled") {
		t.Errorf("cancelled after delivery: %+v", r)
	}
	r := e.importOne(t, quote)
	if states[float64(r.SaleOrderID)] != "cancel" || r.State != v1.LineCancelled {
		t.Errorf("the quotation is %q in Odoo, line %+v", states[float64(r.SaleOrderID)], r)
	}
}

// The manager may die between any two Odoo calls: a run cut after its n-th
// call, then a full run, leaves Odoo as one clean run does.
func TestCrashBetweenAnyTwoCalls(t *testing.T) {
	crashes(t, func() *env { return newEnv(t, 18, len(shopifysim.Kinds)) }, func(e *env) string { return e.counts(t) })
}

// crashes cuts an import of a prepared env after each of its Odoo calls in
// turn, runs it again in full, and compares what Odoo has with a clean run.
func crashes(t *testing.T, prepare func() *env, counts func(*env) string) {
	t.Helper()
	clean := prepare()
	start := clean.odoo.Calls("", "")
	clean.importAll(t)
	want := counts(clean)
	calls := clean.odoo.Calls("", "") - start
	for n := 1; n < calls; n++ {
		e := prepare()
		c, cancel := context.WithCancel(ctx(t))
		cut := e.odoo.Calls("", "") + n
		e.im.Odoo = e.client(t, func(odoo.CallInfo) {
			if e.odoo.Calls("", "") >= cut {
				cancel()
			}
		})
		_, _ = e.im.Import(c, e.ids)
		cancel()
		e.im.Odoo = e.client(t, nil)
		e.importAll(t)
		if got := counts(e); got != want {
			t.Fatalf("cut after call %d: %s; a clean run gives %s", n, got, want)
		}
	}
}

// TestGlobalTaxRounding imports into an Odoo 19 company that rounds taxes
// globally, as a new one does: with a rounding product every total is
// Shopify's; without one the orders that differ fail, naming both totals,
// and leave no quotation behind.
func TestGlobalTaxRounding(t *testing.T) {
	e := newEnv(t, 19, 4*len(shopifysim.Kinds))
	e.im.Settings.Orders.RoundingProduct = ""
	failed := map[string]Result{}
	for id, r := range e.importAll(t) {
		if strings.Contains(r.Message, "differs from Shopify's") {
			failed[id] = r
		}
	}
	if len(failed) == 0 {
		t.Fatal("no order's total differs under global rounding")
	}
	for _, r := range failed {
		if !strings.Contains(r.Message, "its quotation was deleted") || r.SaleOrderID != 0 {
			t.Errorf("%s: %q, sale order %d", r.Name, r.Message, r.SaleOrderID)
		}
		if so := e.records(t, "sale.order", []any{[]any{"origin", "=", "shopify:sim-shop.myshopify.com/" + r.ID}}); len(so) != 0 {
			t.Errorf("%s: a quotation is left behind: %v", r.Name, so[0]["name"])
		}
	}

	e.im.Settings.Orders.RoundingProduct = catalog.RoundingSKU
	e.im.Cache = &Cache{}
	var ids []string
	for id := range failed {
		ids = append(ids, id)
	}
	res, err := e.im.Import(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Result{}
	for _, r := range res {
		byID[r.ID] = r
		if r.State != v1.LineDone || !strings.Contains(r.Message, "rounding") {
			t.Errorf("%s with a rounding product: %s %q", r.Name, r.State, r.Message)
		}
	}
	totals := map[int64]float64{}
	for _, so := range e.records(t, "sale.order", []any{}) {
		totals[int64(so["id"].(float64))] = so["amount_total"].(float64)
	}
	e.checkTotals(t, byID, totals)
}

// Two queues of an instance starting at once, as the manager runs them,
// look the records the spec names up once between them.
func TestQueuesStartingTogetherLookUpOnce(t *testing.T) {
	e := newEnv(t, 17, 40)
	// a slow first lookup: the second queue reaches it before it ends
	e.odoo.Inject(odoosim.Fault{Kind: odoosim.Latency, Model: "stock.warehouse", Delay: 500 * time.Millisecond})
	done := make(chan error, 2)
	for half := range 2 {
		go func() {
			_, err := e.im.Import(ctx(t), e.ids[half*20:half*20+20])
			done <- err
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, call := range [][2]string{{"stock.warehouse", "search"}, {"account.journal", "search_read"}} {
		if n := e.odoo.Calls(call[0], call[1]); n != 1 {
			t.Errorf("%s %s: %d calls, want 1", call[0], call[1], n)
		}
	}
}
