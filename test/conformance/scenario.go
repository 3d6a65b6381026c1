package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/fulfillment"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/payout"
	"github.com/shopify-odoo/connector/internal/schedule"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/reference"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Options are what both runs share.
type Options struct {
	Seed       uint64 // of the simulated stores
	PerKind    int    // orders of each kind in the store
	PerfOrders int    // typical unshipped orders each flow imports for the performance figures; 0 skips them
}

const shopToken = "conformance"

// run is one pass of the scenario against one Odoo: what it did, what
// went wrong, and what both ends hold at the end.
type run struct {
	label    string
	out      io.Writer
	opts     Options
	spec     v1.ShopifyInstanceSpec
	oc       *odoo.Client
	calls    *reference.Counter
	store    *shopifysim.Sim
	sc       *shopify.Client
	im       *importer.Importer
	problems []string            // failures of the run itself
	lines    map[lineKey]string  // what each queue line said
	outcome  map[string]orderEnd // by Shopify order name
	extra    map[string]string   // results compared as they are: fulfilments, payout
	perf     []reference.Result

	mu     sync.Mutex
	writes map[string]int // calls other than reads by model.method, while not nil
}

// reads are the methods that change nothing.
var reads = []string{"search", "search_read", "search_count", "read", "fields_get", "name_search", "default_get", "context_get",
	"address_get", "version", "authenticate"}

// observe counts a round trip, and the writes while they are watched.
func (r *run) observe(ci odoo.CallInfo) {
	r.calls.Observe(ci)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.writes != nil && !slices.Contains(reads, ci.Method) {
		r.writes[ci.Model+"."+ci.Method]++
	}
}

// watchWrites starts counting the writes; the function returned stops and
// returns them.
func (r *run) watchWrites() func() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = map[string]int{}
	return func() map[string]int {
		r.mu.Lock()
		defer r.mu.Unlock()
		w := r.writes
		r.writes = nil
		return w
	}
}

type lineKey struct{ phase, order string }

func (r *run) printf(format string, args ...any) {
	fmt.Fprintf(r.out, "  "+format+"\n", args...)
}

func (r *run) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	r.problems = append(r.problems, p)
	r.printf("PROBLEM: %s", p)
}

// picks are the orders the scenario changes, chosen from the fresh store
// so that both runs change the same ones whatever happened before.
type picks struct {
	ship, cancel, refund []string // GIDs
}

// choose ships every other unshipped typical order, cancels three of the
// others in Shopify, and refunds one unit of three shipped orders there.
func choose(st *shopifysim.Store) picks {
	var p picks
	var unshipped []string
	st.Each(func(o shopifysim.Obj) {
		kind := reference.KindOf(o["name"].(string))
		switch {
		case o["displayFulfillmentStatus"] == "UNFULFILLED" && slices.Contains(reference.Typical, kind):
			unshipped = append(unshipped, o["id"].(string))
		case kind == "fulfilled" && len(p.refund) < 3:
			p.refund = append(p.refund, o["id"].(string))
		}
	})
	for i, id := range unshipped {
		if i%2 == 0 {
			p.ship = append(p.ship, id)
		} else if len(p.cancel) < 3 {
			p.cancel = append(p.cancel, id)
		}
	}
	return p
}

// scenario runs every step, each after the one before even when it failed,
// so that one failure shows what else it affects.
func (r *run) scenario(ctx context.Context) {
	p := choose(r.store.Store())
	queues, err := r.queues(ctx)
	if err != nil {
		r.problem("listing the orders: %v", err)
		return
	}
	r.importQueues(ctx, "import", queues)
	before, err := r.collect(ctx)
	if err != nil {
		r.problem("reading Odoo: %v", err)
	}
	writes := r.watchWrites()
	r.importQueues(ctx, "second import", queues)
	for _, m := range slices.Sorted(maps.Keys(writes())) {
		r.problem("the second import called %s", m)
	}
	if after, err := r.collect(ctx); err != nil {
		r.problem("reading Odoo: %v", err)
	} else {
		for _, d := range diff(before, after, "first import", "second import") {
			r.problem("the second import changed %s", d)
		}
	}
	r.step("warehouse", func() (string, error) { return r.warehouse(ctx, p.ship) })
	r.step("fulfilments", func() (string, error) { return r.fulfil(ctx) })
	r.step("in Shopify", func() (string, error) { return r.changeInShopify(ctx, p) })
	r.importQueues(ctx, "after changes", [][]string{legacyIDs(append(slices.Clone(p.cancel), p.refund...))})
	r.step("payout", func() (string, error) { return r.payout(ctx) })
	if r.outcome, err = r.collect(ctx); err != nil {
		r.problem("reading Odoo: %v", err)
	}
	if r.opts.PerfOrders > 0 {
		r.step("performance", func() (string, error) { return r.performance(ctx) })
	}
}

// step runs one step and prints its summary or its failure.
func (r *run) step(name string, do func() (string, error)) {
	start, calls := time.Now(), r.calls.Calls()
	summary, err := do()
	if err != nil {
		r.problem("%s: %v", name, err)
		return
	}
	r.printf("%-14s %s (%d Odoo calls, %s)", name, summary, r.calls.Calls()-calls, time.Since(start).Round(time.Millisecond))
}

// queues lists the store's orders as the scheduled import does from an
// instance whose importAfter predates them, and groups them into queues.
func (r *run) queues(ctx context.Context) ([][]string, error) {
	o := r.spec.Orders
	o.ImportAfter = &metav1.Time{Time: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	var refs []shopify.OrderRef
	err := r.sc.OrderRefs(ctx, schedule.NextWindow(o, nil, time.Now()).Filter(), func(ref shopify.OrderRef) error {
		refs = append(refs, ref)
		return nil
	})
	var out [][]string
	for _, q := range schedule.Queues("conformance", refs, o, nil, nil) {
		out = append(out, q.OrderIDs)
	}
	return out, err
}

// docNumber is the running number of an Odoo document name such as
// RINV/2026/00002: it depends on what else the database holds.
var docNumber = regexp.MustCompile(`\b([A-Z]+/\d{4}/)\d+`)

// importQueues imports each queue as its OrderQueue would, and keeps what
// each line said under phase.
func (r *run) importQueues(ctx context.Context, phase string, queues [][]string) {
	r.step(phase, func() (string, error) {
		count := map[string]int{}
		n := 0
		for _, ids := range queues {
			res, err := r.im.Import(ctx, ids)
			if err != nil {
				return "", err
			}
			for _, x := range res {
				n++
				state := string(x.State)
				if x.Outcome != "" {
					state += " " + string(x.Outcome)
				}
				count[state]++
				line := state + ": " + docNumber.ReplaceAllString(x.Message, "${1}#")
				if x.Retry {
					line += " (retry)"
				}
				r.lines[lineKey{phase, x.Name}] = line
			}
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(count)) {
			parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
		}
		return fmt.Sprintf("%d queues, %d orders: %s", len(queues), n, strings.Join(parts, ", ")), nil
	})
}

// warehouse validates the deliveries of the orders as the people in the
// warehouse do, one picking at a time: every move done in full, then
// Validate, then whatever wizard that opens.
func (r *run) warehouse(ctx context.Context, gids []string) (string, error) {
	c := r.oc
	var pickings []struct {
		ID int64 `json:"id"`
	}
	if err := c.SearchRead(ctx, "stock.picking", odoo.Domain{odoo.In("sale_id.origin", r.keys(legacyIDs(gids))),
		odoo.Cond("picking_type_code", "=", "outgoing"), odoo.In("state", []string{"waiting", "confirmed", "assigned"})},
		[]string{"id"}, 0, "id", &pickings); err != nil {
		return "", err
	}
	var moves []struct {
		ID     int64   `json:"id"`
		Demand float64 `json:"product_uom_qty"`
	}
	if len(pickings) == 0 {
		return "nothing to validate", nil
	}
	var ids []int64
	for _, p := range pickings {
		ids = append(ids, p.ID)
	}
	if err := c.SearchRead(ctx, "stock.move", odoo.Domain{odoo.In("picking_id", ids), odoo.In("state", []string{"waiting", "confirmed", "partially_available", "assigned"})},
		[]string{"product_uom_qty"}, 0, "id", &moves); err != nil {
		return "", err
	}
	byQty := map[float64][]int64{}
	for _, m := range moves {
		byQty[m.Demand] = append(byQty[m.Demand], m.ID)
	}
	for _, q := range slices.Sorted(maps.Keys(byQty)) {
		if err := c.Write(ctx, "stock.move", byQty[q], map[string]any{"quantity": q, "picked": true}); err != nil {
			return "", err
		}
	}
	wizards := map[string]int{}
	for _, id := range ids {
		var answer json.RawMessage
		if err := c.Call(ctx, "stock.picking", "button_validate", []any{[]int64{id}}, nil, &answer); err != nil {
			return "", fmt.Errorf("validating picking %d: %w", id, err)
		}
		for range 3 { // a wizard's button may open the next one
			model, err := r.confirmWizard(ctx, answer, &answer)
			if err != nil {
				return "", fmt.Errorf("picking %d: %w", id, err)
			}
			if model == "" {
				break
			}
			wizards[model]++
		}
	}
	s := fmt.Sprintf("%d deliveries of %d orders validated", len(ids), len(gids))
	for _, m := range slices.Sorted(maps.Keys(wizards)) {
		s += fmt.Sprintf(", %d %s wizards", wizards[m], m)
	}
	return s, nil
}

// wizardButtons are the buttons a person clicks in the wizards
// stock.picking.button_validate may open: no backorder, no SMS.
var wizardButtons = map[string]string{"stock.backorder.confirmation": "process_cancel_backorder",
	"stock.immediate.transfer": "process", "confirm.stock.sms": "dont_send_sms"}

// confirmWizard clicks the button of the wizard an answer opens, as a
// person does, and returns the wizard's model and, in next, the button's
// answer; the model is empty when the answer opens no wizard.
func (r *run) confirmWizard(ctx context.Context, answer json.RawMessage, next *json.RawMessage) (string, error) {
	var action struct {
		Model   string         `json:"res_model"`
		ID      int64          `json:"res_id"`
		Target  string         `json:"target"`
		Context map[string]any `json:"context"`
	}
	if len(answer) == 0 || answer[0] != '{' || json.Unmarshal(answer, &action) != nil || action.Target != "new" {
		return "", nil
	}
	button, ok := wizardButtons[action.Model]
	if !ok {
		return "", fmt.Errorf("Validate opened %s, which the warehouse step does not know", action.Model)
	}
	ids := []int64{action.ID}
	if action.ID == 0 {
		var err error
		if ids, err = r.oc.CreateWithContext(ctx, action.Model, []map[string]any{{}}, action.Context); err != nil {
			return "", err
		}
	}
	*next = nil // a button returning None leaves it so
	return action.Model, r.oc.Call(ctx, action.Model, button, []any{ids}, map[string]any{"context": action.Context}, next)
}

// fulfil runs the fulfilment export as the instance's controller does.
func (r *run) fulfil(ctx context.Context) (string, error) {
	f, cancel := r.spec.Fulfillment, r.spec.Orders.CancelInShopify
	ex := fulfillment.Exporter{Odoo: r.oc, Shopify: r.sc, Shop: r.spec.Shopify.Shop, Deliveries: f.Enabled, Notify: f.NotifyCustomer,
		Cancel: fulfillment.Cancel{Enabled: cancel.Enabled, Refund: cancel.Refund, Notify: cancel.NotifyCustomer}}
	res, err := ex.Run(ctx)
	s := fmt.Sprintf("%d deliveries: %d sent, %d in Shopify already, %d cancelled, %d failed",
		res.Deliveries, res.Sent, res.InShopify, res.Cancelled, res.Failed)
	if len(res.Problems) > 0 {
		s += ": " + strings.Join(res.Problems, "; ")
	}
	r.extra["fulfilment export"] = s
	return s, err
}

// changeInShopify cancels and refunds orders in Shopify as the merchant
// does in its admin.
func (r *run) changeInShopify(ctx context.Context, p picks) (string, error) {
	for _, id := range p.cancel {
		if err := r.sc.OrderCancel(ctx, id, shopify.Cancel{Reason: "CUSTOMER", Refund: true, Restock: true}); err != nil {
			return "", err
		}
	}
	for _, id := range p.refund {
		var line string
		r.store.Store().View(id, func(o shopifysim.Obj) { line = o["lineItems"].([]shopifysim.Obj)[0]["id"].(string) })
		in := shopify.RefundInput{OrderID: id, Note: "conformance", Lines: []shopify.RefundLine{{LineItemID: line, Quantity: 1, RestockType: "NO_RESTOCK"}}}
		if _, err := r.sc.RefundCreate(ctx, in, "conformance-"+id); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d orders cancelled with a refund, %d refunded one unit", len(p.cancel), len(p.refund)), nil
}

// payout pays out every order's Shopify Payments charges and refunds and
// imports the payout as the PayoutReport controller does.
func (r *run) payout(ctx context.Context) (string, error) {
	id := r.store.Store().AddPayout(legacyIDs(r.store.Store().OrderIDs()))
	ps := r.spec.Payouts
	rep, err := payout.Run(ctx, r.sc, r.oc, payout.Settings{Shop: r.spec.Shopify.Shop, Journal: ps.Journal, FeeAccount: ps.FeeAccount,
		ReserveAccount: ps.ReserveAccount}, id)
	s := fmt.Sprintf("%d transactions, net %s, Odoo statement %s, %d matched, %d left for a person",
		rep.Transactions, rep.Net, rep.Odoo, rep.Matched, len(rep.Unmatched))
	r.extra["payout"] = s
	var left []string
	for _, u := range rep.Unmatched {
		left = append(left, fmt.Sprintf("%s %s %s: %s", u.Type, u.Order, u.Amount, u.Reason))
	}
	r.extra["payout lines left for a person"] = strings.Join(left, "\n")
	key := keys.Payout(r.spec.Shopify.Shop, id)
	var lines []struct {
		Label      odoo.Text `json:"payment_ref"`
		Amount     float64   `json:"amount"`
		Reconciled bool      `json:"is_reconciled"`
	}
	if rerr := r.oc.SearchRead(ctx, "account.bank.statement.line", odoo.Domain{odoo.Cond("statement_id.reference", "=", key)},
		[]string{"payment_ref", "amount", "is_reconciled"}, 0, "id", &lines); rerr != nil {
		return s, rerr
	}
	var st []string
	for _, l := range lines {
		st = append(st, fmt.Sprintf("%s %.2f reconciled=%t", l.Label, l.Amount, l.Reconciled))
	}
	slices.Sort(st)
	r.extra["payout statement lines"] = strings.Join(st, "\n")
	return s, err
}

// performance imports the typical unshipped orders of a store of its own
// with the operator and the two reference flows.
func (r *run) performance(ctx context.Context) (string, error) {
	shop := "perf-" + r.spec.Shopify.Shop
	// about 4.7 orders in 21 are typical and unshipped
	st, err := shopifysim.Start(shopifysim.Options{Shop: shop, Orders: 6 * r.opts.PerfOrders, Seed: r.opts.Seed, AccessToken: shopToken,
		RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		return "", err
	}
	defer st.Close()
	sc, err := shopify.New(shopify.Config{Shop: shop, Endpoint: st.URL(), AccessToken: shopToken})
	if err != nil {
		return "", err
	}
	im := &importer.Importer{Shopify: sc, Odoo: r.oc, Cache: &importer.Cache{},
		Settings: importer.Settings{Shop: shop, Odoo: r.spec.Odoo, Orders: r.spec.Orders}}
	ids := reference.UnshippedTypical(st.Store(), r.opts.PerfOrders)
	if len(ids) < r.opts.PerfOrders {
		return "", fmt.Errorf("the store has %d typical unshipped orders, want %d", len(ids), r.opts.PerfOrders)
	}
	r.perf, err = reference.Compare(ctx, im, r.calls, ids, schedule.QueueSize(r.spec.Orders))
	return fmt.Sprintf("%d typical unshipped orders imported by each flow", len(ids)), err
}

func (r *run) keys(ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, keys.Order(r.spec.Shopify.Shop, id))
	}
	return out
}

func legacyIDs(gids []string) []string {
	out := make([]string, len(gids))
	for i, g := range gids {
		out[i] = g[strings.LastIndexByte(g, '/')+1:]
	}
	return out
}
