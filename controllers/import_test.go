package controllers

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// ending is where each kind of generated order must end.
var ending = map[string]struct {
	state   v1.LineState
	outcome v1.Outcome
	message string
}{
	"multi-line":       {v1.LineDone, v1.OutcomePaid, ""},
	"taxes-included":   {v1.LineDone, v1.OutcomePaid, ""},
	"risk-cancel":      {v1.LineDone, v1.OutcomeRiskyQuotation, ""},
	"risk-investigate": {v1.LineDone, v1.OutcomeRiskyQuotation, ""},
	"cancelled":        {v1.LineCancelled, "", "cancelled in Shopify"},
	"fulfilled":        {v1.LineDone, v1.OutcomePaid, ""},
	"pos":              {v1.LineDone, v1.OutcomePaid, ""},
	"unknown-sku":      {v1.LineFailed, "", "LEGACY-SCARF"},
	"test":             {v1.LineSkipped, "", "test order"},
}

func TestSeededStoreImports(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(strconv.Itoa(version), func(t *testing.T) {
			f := newFixture(t, version, 42)
			f.secrets(goodShopify(), goodOdoo())
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped, v1.OrderCancelled}
			})
			f.ready()
			queues := f.finished()
			kinds := f.kinds()
			lines := map[string]v1.OrderLine{}
			for _, q := range queues {
				for _, l := range q.Status.Lines {
					lines[l.ID] = l
				}
				if q.Status.Counts.Failed > 0 && !meta.IsStatusConditionTrue(q.Status.Conditions, v1.ConditionNeedsAttention) {
					t.Errorf("%s has failed lines but no NeedsAttention", q.Name)
				}
			}
			if len(lines) != 42 {
				t.Errorf("%d orders imported; want 42", len(lines))
			}
			saleOrders := map[int64]bool{}
			var done, failed int64
			for id, l := range lines {
				w, ok := ending[kinds[id]]
				if ok && (l.State != w.state || l.Outcome != w.outcome || !strings.Contains(l.Message, w.message)) {
					t.Errorf("%s (%s): %s %s %q; want %s %s %q", kinds[id], l.Name, l.State, l.Outcome, l.Message, w.state, w.outcome, w.message)
				}
				switch l.State {
				case v1.LineDone:
					done++
					if l.SaleOrderID == 0 || !strings.HasPrefix(l.SaleOrder, "SHOP-#") || saleOrders[l.SaleOrderID] {
						t.Errorf("%s: sale order %d %q", l.Name, l.SaleOrderID, l.SaleOrder)
					}
					saleOrders[l.SaleOrderID] = true
				case v1.LineFailed:
					failed++
					if l.Retry || l.Attempts != 1 {
						t.Errorf("%s: a data error is retried (%d attempts)", l.Name, l.Attempts)
					}
				}
			}
			rows, err := f.odoo.SearchRead("sale.order", []any{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(saleOrders) {
				t.Errorf("Odoo has %d sale orders; the queues made %d", len(rows), len(saleOrders))
			}
			f.checkEvents(queues)
			eventually(t, "the counters", func() error {
				var si v1.ShopifyInstance
				if err := f.get("shop", &si); err != nil {
					return err
				}
				if c := si.Status.Counters; c.OrdersImported != done || c.FailedLines != failed || c.RiskyQuotations == 0 || c.Invoices == 0 {
					return fmt.Errorf("counters %+v; want %d imported, %d failed", c, done, failed)
				}
				return nil
			})
			f.noSecrets()
		})
	}
}

// finished waits until every queue is finished and returns them.
func (f *fixture) finished() []v1.OrderQueue {
	f.t.Helper()
	var queues []v1.OrderQueue
	eventually(f.t, "every queue finished", func() error {
		queues = f.queues()
		if len(queues) == 0 {
			return fmt.Errorf("no queue")
		}
		for _, q := range queues {
			if !queue.Finished(q.Status.Phase) {
				return fmt.Errorf("%s is %q", q.Name, q.Status.Phase)
			}
		}
		return nil
	})
	return queues
}

// kinds maps the store's order ids to the kind the generator made.
func (f *fixture) kinds() map[string]string {
	out := map[string]string{}
	first := -1
	orders := f.orders()
	for _, o := range orders {
		if n := number(o.name); first < 0 || n < first {
			first = n
		}
	}
	for _, o := range orders {
		out[o.id] = shopifysim.Kinds[(number(o.name)-first)%len(shopifysim.Kinds)]
	}
	return out
}

func number(name string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(name, "#"))
	return n
}

// checkEvents: each failed line has an ImportFailed event with its message,
// each completed queue a Completed event.
func (f *fixture) checkEvents(queues []v1.OrderQueue) {
	f.t.Helper()
	notes := map[string]bool{}
	for _, e := range f.events() {
		notes[e.Regarding.Name+"/"+e.Reason+"/"+e.Note] = true
	}
	for _, q := range queues {
		for _, l := range q.Status.Lines {
			if l.State == v1.LineFailed && !notes[q.Name+"/ImportFailed/"+l.Name+": "+l.Message] {
				f.t.Errorf("%s: no ImportFailed event for %s: %q", q.Name, l.Name, l.Message)
			}
		}
		if q.Status.Phase == v1.PhaseCompleted {
			found := false
			for n := range notes {
				found = found || strings.HasPrefix(n, q.Name+"/Completed/")
			}
			if !found {
				f.t.Errorf("%s: no Completed event", q.Name)
			}
		}
	}
}

func TestRunNowImportsNewOrders(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.ImportAfter = &metav1.Time{Time: metav1.Now().Add(-1e9)}
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderShipped}
	})
	f.ready()
	ids := f.shop.Store().AddOrders(2) // paid orders, one shipped: both end paid
	f.runNow("now")
	queues := f.finished()
	var lines []v1.OrderLine
	for _, q := range queues {
		lines = append(lines, q.Status.Lines...)
	}
	if len(lines) != len(ids) {
		t.Fatalf("%d lines; want %d", len(lines), len(ids))
	}
	for _, l := range lines {
		if l.State != v1.LineDone || l.Outcome != v1.OutcomePaid {
			t.Errorf("%s: %s %s %q", l.Name, l.State, l.Outcome, l.Message)
		}
	}
}
