package controllers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// payoutOrders is enough orders for 198 paid by card.
const payoutOrders = 390

func TestPayoutReports(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			f := newFixture(t, version, payoutOrders)
			f.secrets(goodShopify(), goodOdoo())
			paid, missing := f.importOrders(t)
			if len(paid) < 198 || missing == "" {
				t.Fatalf("%d orders paid in Odoo, %q not in Odoo", len(paid), missing)
			}
			full := f.shop.Store().AddPayout(paid[:198]) // with the adjustment and the reserve: 200 transactions
			short := f.shop.Store().AddPayout([]string{missing})
			never := metav1.NewTime(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				s.Orders.ImportAfter = &never // the orders are in Odoo already
				s.Payouts = v1.PayoutsSpec{Enabled: true, Journal: "Shopify Payments", FeeAccount: "620000", ReserveAccount: "101700", Since: &importAfter}
			})

			pr := f.payoutReport(payoutReportName("shop", full), v1.PayoutReconciled)
			s := pr.Status
			if s.Counts != (v1.PayoutCounts{Transactions: 200, Matched: 200}) || s.Totals.OdooStatement != s.Totals.Net || s.Totals.Net == "0.00" ||
				s.Totals.Currency != "EUR" || s.Statement == "" || len(s.Unmatched) > 0 || !meta.IsStatusConditionTrue(s.Conditions, v1.ConditionReady) {
				t.Errorf("reconciled report: %+v", s)
			}
			pr = f.payoutReport(payoutReportName("shop", short), v1.PayoutNeedsAttention)
			s = pr.Status
			if s.Counts != (v1.PayoutCounts{Transactions: 3, Matched: 2, Unmatched: 1}) || len(s.Unmatched) != 1 ||
				s.Unmatched[0].Type != "CHARGE" || !strings.Contains(s.Unmatched[0].Reason, "is not in Odoo") ||
				!meta.IsStatusConditionTrue(s.Conditions, v1.ConditionNeedsAttention) || s.Totals.OdooStatement != s.Totals.Net {
				t.Errorf("report with an order not in Odoo: %+v", s)
			}

			before := f.statementCounts(t)
			if want := "396 account.move.line"; !strings.Contains(before, want) { // each charge's line and its payment's
				t.Errorf("Odoo has %s; want %s reconciled", before, want)
			}
			eventually(t, "events", func() error {
				reasons := map[string]bool{}
				for _, e := range f.events() {
					reasons[e.Type+" "+e.Reason] = true
				}
				if !reasons["Normal "+ReasonPayoutReconciled] || !reasons["Warning "+ReasonPayoutUnmatched] {
					return fmt.Errorf("events: %v", reasons)
				}
				return nil
			})
			f.runReport(pr.Name, "again")
			f.runNow("again")
			var reports v1.PayoutReportList
			f.list(&reports)
			if got := f.statementCounts(t); got != before || len(reports.Items) != 2 {
				t.Errorf("running again: %d reports; Odoo had %s, has %s", len(reports.Items), before, got)
			}
		})
	}
}

// importOrders puts the shop's orders into Odoo with the importer, as
// queues would, and returns those paid by card and one paid by card but
// not in Odoo.
func (f *fixture) importOrders(t *testing.T) (paid []string, missing string) {
	t.Helper()
	ctx := context.Background()
	sc, err := shopify.New(shopify.Config{Shop: "test-shop.myshopify.com", Endpoint: f.shop.URL(), AccessToken: shopToken})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := odoo.New(odoo.Config{URL: f.odoo.URL(), Database: "db", Username: "admin", APIKey: odooKey, Timeout: 10 * time.Second, MaxAttempts: 2})
	if err == nil {
		err = oc.Connect(ctx)
	}
	if err == nil {
		_, err = oc.Create(ctx, "account.account", []map[string]any{{"code": "101700", "name": "Shopify Payments reserve", "account_type": "asset_current"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	im := &importer.Importer{Shopify: sc, Odoo: oc, Settings: importer.Settings{Shop: "test-shop.myshopify.com",
		Odoo: v1.OdooSpec{Warehouse: "WH"}, Orders: catalog.Orders()}, Cache: &importer.Cache{}}
	ids := f.shop.Store().OrderIDs()
	for start := 0; start < len(ids); start += 50 {
		res, err := im.Import(ctx, ids[start:min(start+50, len(ids))])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			switch {
			case r.Outcome == v1.OutcomePaid && byCard(f.shop, r.ID):
				paid = append(paid, r.ID)
			case r.State == v1.LineFailed && missing == "" && byCard(f.shop, r.ID):
				missing = r.ID
			}
		}
	}
	return paid, missing
}

// byCard tells whether a Shopify Payments sale paid the order.
func byCard(shop *shopifysim.Sim, id string) bool {
	card := false
	shop.Store().View("gid://shopify/Order/"+id, func(o shopifysim.Obj) {
		for _, tx := range o["transactions"].([]shopifysim.Obj) {
			card = card || tx["gateway"] == "shopify_payments" && tx["kind"] == "SALE"
		}
	})
	return card
}

// payoutReport waits until the named report reaches phase.
func (f *fixture) payoutReport(name string, phase v1.PayoutPhase) *v1.PayoutReport {
	f.t.Helper()
	var pr v1.PayoutReport
	eventually(f.t, name+" "+string(phase), func() error {
		if err := f.get(name, &pr); err != nil {
			return err
		}
		if pr.Status.Phase != phase {
			return fmt.Errorf("phase %q: %+v", pr.Status.Phase, pr.Status.Conditions)
		}
		return nil
	})
	return &pr
}

// runReport has a report run again and waits until it has.
func (f *fixture) runReport(name, value string) {
	f.t.Helper()
	var pr v1.PayoutReport
	if err := f.get(name, &pr); err != nil {
		f.t.Fatal(err)
	}
	patch := client.MergeFrom(pr.DeepCopy())
	pr.SetAnnotations(map[string]string{v1.ReconcileRequestedAnnotation: value})
	if err := cp.Client.Patch(context.Background(), &pr, patch); err != nil {
		f.t.Fatal(err)
	}
	eventually(f.t, "run "+name+" again", func() error {
		if err := f.get(name, &pr); err != nil {
			return err
		}
		if pr.Status.LastHandledReconcileAt != value {
			return fmt.Errorf("lastHandledReconcileAt is %q", pr.Status.LastHandledReconcileAt)
		}
		return nil
	})
}

// statementCounts sums up what Odoo holds of bank statements.
func (f *fixture) statementCounts(t *testing.T) string {
	t.Helper()
	var out []string
	for _, q := range []struct {
		model  string
		domain []any
	}{{"account.bank.statement", nil}, {"account.bank.statement.line", nil}, {"account.move.line", []any{[]any{"reconciled", "=", true}, []any{"account_id.account_type", "!=", "asset_receivable"}}}} {
		rows, err := f.odoo.SearchRead(q.model, q.domain)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s", len(rows), q.model))
	}
	return strings.Join(out, ", ")
}

func TestPayoutReportNames(t *testing.T) {
	for _, inst := range []string{"shop", strings.Repeat("a", 224) + "." + strings.Repeat("b", 28)} {
		name := payoutReportName(inst, "18446744073709551615")
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 || !strings.HasSuffix(name, "-payout-18446744073709551615") ||
			name != payoutReportName(inst, "18446744073709551615") {
			t.Errorf("%s: %s %v", inst, name, errs)
		}
	}
}
