package payout

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const shop = "sim-shop.myshopify.com"

// env is a simulated shop whose orders are imported into a simulated
// Odoo, invoiced, paid and credited.
type env struct {
	shop   *shopifysim.Sim
	odoo   *odoosim.Sim
	sc     *shopify.Client
	oc     *odoo.Client
	paid   []string // orders paid in Odoo
	failed []string // orders not in Odoo
	s      Settings
}

func newEnv(t *testing.T, version, orders int) *env {
	t.Helper()
	ssim, err := shopifysim.Start(shopifysim.Options{Shop: shop, Orders: orders, AccessToken: "tok", Seed: 7, RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ssim.Close)
	osim := odoosim.New(odoosim.Options{Version: version, Database: "db", Login: "admin", APIKey: "key", Catalog: true})
	osim.Start()
	t.Cleanup(osim.Close)
	sc, err := shopify.New(shopify.Config{Shop: shop, Endpoint: ssim.URL(), AccessToken: "tok"})
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
	e := &env{shop: ssim, odoo: osim, sc: sc, oc: oc, s: Settings{Shop: shop, Journal: "Shopify Payments", FeeAccount: "620000"}}
	e.importOrders(t)
	return e
}

// importOrders imports every order; refunded ones are invoiced and paid
// too, so that their refunds become paid credit notes.
func (e *env) importOrders(t *testing.T) {
	spec := catalog.Orders()
	paid := v1.Workflow{Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true, Journal: "Shopify Payments"}
	for _, status := range []v1.FinancialStatus{"refunded", "partially_refunded"} {
		row := paid
		row.FinancialStatus = status
		spec.Workflows = append([]v1.Workflow{row}, spec.Workflows...)
	}
	im := &importer.Importer{Shopify: e.sc, Odoo: e.oc, Settings: importer.Settings{Shop: shop, Odoo: v1.OdooSpec{Warehouse: "WH"}, Orders: spec}}
	ids := e.shop.Store().OrderIDs()
	res, err := im.Import(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch {
		case r.Outcome == v1.OutcomePaid:
			e.paid = append(e.paid, r.ID)
		case r.State == v1.LineFailed:
			e.failed = append(e.failed, r.ID)
		}
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func (e *env) run(t *testing.T, id string) Report {
	t.Helper()
	rep, err := Run(ctx(t), e.sc, e.oc, e.s, id)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// counts sums up what Odoo holds of statements and reconciliations.
func (e *env) counts(t *testing.T) string {
	t.Helper()
	n := func(model string, domain []any) int {
		rows, err := e.odoo.SearchRead(model, domain)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	return fmt.Sprintf("%d statements, %d lines, %d items, %d reconciled", n("account.bank.statement", nil),
		n("account.bank.statement.line", nil), n("account.move.line", nil), n("account.move.line", []any{[]any{"reconciled", "=", true}}))
}

func TestPayoutImportsAndReconciles(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			e := newEnv(t, version, 3*len(shopifysim.Kinds))
			id := e.shop.Store().AddPayout(e.paid)
			e.s.ReserveAccount = "101700"
			if _, err := e.oc.Create(ctx(t), "account.account", []map[string]any{{"code": "101700", "name": "Shopify Payments reserve",
				"account_type": "asset_current"}}); err != nil {
				t.Fatal(err)
			}
			rep := e.run(t, id)
			if rep.Odoo.Cmp(rep.Net) != 0 || rep.Net.IsZero() {
				t.Errorf("Odoo statement %s; Shopify net %s", rep.Odoo, rep.Net)
			}
			if rep.Gross.Sub(rep.Fees).Cmp(rep.Net) != 0 {
				t.Errorf("gross %s less fees %s is not the net %s", rep.Gross, rep.Fees, rep.Net)
			}
			if rep.Matched != rep.Transactions || len(rep.Unmatched) > 0 || rep.Transactions < len(e.paid)+2 {
				t.Errorf("%d of %d transactions matched; unmatched: %+v", rep.Matched, rep.Transactions, rep.Unmatched)
			}
			lines, err := e.odoo.SearchRead("account.bank.statement.line", nil, "amount", "is_reconciled", "ref")
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if l["is_reconciled"] != true || !strings.HasPrefix(l["ref"].(string), keys.Payout(shop, id)+"/") {
					t.Errorf("statement line %v", l)
				}
			}
			// a payment's outstanding line; its receivable line is reconciled with the invoice
			done, err := e.odoo.SearchRead("account.move.line", []any{[]any{"payment_id", "!=", false}, []any{"reconciled", "=", true},
				[]any{"account_id.account_type", "!=", "asset_receivable"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(done) != rep.Transactions-2 { // all but the adjustment and the reserve
				t.Errorf("%d payments reconciled; want %d", len(done), rep.Transactions-2)
			}
			before := e.counts(t)
			again := e.run(t, id)
			if got := e.counts(t); got != before || again.Matched != rep.Matched || again.Odoo.Cmp(rep.Odoo) != 0 {
				t.Errorf("a second run changed Odoo: %s, then %s; %d matched, then %d", before, got, rep.Matched, again.Matched)
			}
		})
	}
}

func TestTransactionsWithoutOdooDocumentsAreListed(t *testing.T) {
	e := newEnv(t, 18, len(shopifysim.Kinds))
	var missing string
	for _, id := range e.failed {
		e.shop.Store().View("gid://shopify/Order/"+id, func(o shopifysim.Obj) {
			for _, tx := range o["transactions"].([]shopifysim.Obj) {
				if missing == "" && tx["gateway"] == "shopify_payments" && tx["kind"] == "SALE" {
					missing = o["name"].(string)
					e.paid = append(e.paid, id)
				}
			}
		})
	}
	rep := e.run(t, e.shop.Store().AddPayout(e.paid))
	reasons := map[string]string{}
	for _, u := range rep.Unmatched {
		reasons[u.Type+" "+u.Order] = u.Reason
	}
	if len(reasons) != 2 || missing == "" || !strings.Contains(reasons["CHARGE "+missing], "is not in Odoo") ||
		!strings.Contains(reasons["RESERVED_FUNDS "], "reserveAccount") {
		t.Errorf("unmatched: %+v; want the charge of %s and the reserve", rep.Unmatched, missing)
	}
	if rep.Matched != rep.Transactions-2 || rep.Odoo.Cmp(rep.Net) != 0 {
		t.Errorf("%d of %d matched; Odoo %s, net %s", rep.Matched, rep.Transactions, rep.Odoo, rep.Net)
	}
}

func TestLostRepliesNeverDouble(t *testing.T) {
	clean := newEnv(t, 17, len(shopifysim.Kinds))
	clean.run(t, clean.shop.Store().AddPayout(clean.paid))
	want := clean.counts(t)
	for _, step := range []struct{ model, method string }{
		{"account.bank.statement", "create"},
		{"account.move.line", "reconcile"},
	} {
		t.Run(step.model+"."+step.method, func(t *testing.T) {
			e := newEnv(t, 17, len(shopifysim.Kinds))
			id := e.shop.Store().AddPayout(e.paid)
			e.odoo.Inject(odoosim.Fault{Kind: odoosim.LostReply, Model: step.model, Method: step.method, Times: 1})
			_, err := Run(ctx(t), e.sc, e.oc, e.s, id)
			if step.method == "reconcile" && err == nil {
				t.Error("a lost reconcile reply went unnoticed")
			}
			rep := e.run(t, id)
			if got := e.counts(t); got != want || len(rep.Unmatched) != 1 {
				t.Errorf("after a lost reply: %s, unmatched %+v; a clean run gives %s", got, rep.Unmatched, want)
			}
		})
	}
}

func TestUnpaidPayoutWaits(t *testing.T) {
	e := newEnv(t, 18, len(shopifysim.Kinds))
	id := e.shop.Store().AddPayout(e.paid)
	e.shop.Store().SetPayoutStatus(id, "SCHEDULED")
	before := e.counts(t)
	if rep := e.run(t, id); rep.Paid() || rep.Statement != "" || rep.Net.IsZero() {
		t.Errorf("a scheduled payout: %+v", rep)
	}
	if got := e.counts(t); got != before {
		t.Errorf("a scheduled payout changed Odoo: %s, then %s", before, got)
	}
	e.shop.Store().SetPayoutStatus(id, "PAID")
	if rep := e.run(t, id); rep.Statement == "" || rep.Matched != rep.Transactions-1 { // all but the reserve
		t.Errorf("once paid: %+v", rep)
	}
}

func TestSettingsMissingInOdoo(t *testing.T) {
	e := newEnv(t, 19, 1)
	e.s.Journal, e.s.ReserveAccount = "Nope", "999999"
	_, err := Run(ctx(t), e.sc, e.oc, e.s, e.shop.Store().AddPayout(nil))
	if err == nil || !strings.Contains(err.Error(), `bank journal "Nope"`) || !strings.Contains(err.Error(), `account "999999"`) {
		t.Errorf("error %v", err)
	}
	if _, err := Run(ctx(t), e.sc, e.oc, e.s, "424242"); err == nil || !strings.Contains(err.Error(), "no such payout") {
		t.Errorf("unknown payout: %v", err)
	}
}
