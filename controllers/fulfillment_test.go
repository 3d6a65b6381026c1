package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// A delivery validated in Odoo shows in Shopify as one fulfilment with its
// tracking, also when the record of it in Odoo could not be written and the
// next run finds it in Shopify instead.
func TestDeliveriesBecomeFulfilmentsOnce(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixture(t, version, 21)
			f.secrets(goodShopify(), goodOdoo())
			f.instance(func(s *v1.ShopifyInstanceSpec) {
				s.Fulfillment = v1.FulfillmentSpec{Enabled: true, NotifyCustomer: true}
			})
			f.ready()
			gid, so := f.unshipped()
			oc := f.odooClient()
			ctx := context.Background()
			dhl := map[string]any{"name": "DHL"}
			want := shopifysim.Obj{"company": "DHL", "number": "JD0042", "url": nil}
			if version >= 18 { // a carrier's own tracking link came with 18
				dhl["tracking_url"] = "https://dhl.example/t/<shipmenttrackingnumber>"
				want["url"] = "https://dhl.example/t/JD0042"
			}
			carrier, err := oc.Create(ctx, "delivery.carrier", []map[string]any{dhl})
			if err != nil {
				t.Fatal(err)
			}
			picks, err := oc.Search(ctx, "stock.picking", odoo.Domain{odoo.Cond("sale_id", "=", so)}, 0)
			if err != nil || len(picks) != 1 {
				t.Fatal(picks, err)
			}
			if err := oc.Write(ctx, "stock.picking", picks, map[string]any{"carrier_id": carrier[0], "carrier_tracking_ref": "JD0042"}); err != nil {
				t.Fatal(err)
			}
			if err := oc.ValidateDeliveries(ctx, odoo.Delivery{PickingIDs: picks}); err != nil {
				t.Fatal(err)
			}

			// Shopify takes the fulfilment; Odoo never records it.
			f.odoo.Inject(odoosim.Fault{Kind: odoosim.Reset, Model: "ir.model.data", Method: "create"})
			var si v1.ShopifyInstance
			f.runNow("1")
			c := f.condition(&si, "shop", v1.ConditionFulfillmentsExported, metav1.ConditionFalse, "FulfillmentExportFailed")
			if !strings.Contains(c.Message, "ir.model.data") {
				t.Errorf("the condition does not say what failed: %s", c.Message)
			}
			f.odoo.ClearFaults()
			f.runNow("2")
			f.condition(&si, "shop", v1.ConditionFulfillmentsExported, metav1.ConditionTrue, "Exported")
			if st := si.Status.Fulfillment; st == nil || st.Deliveries != 1 || st.Sent != 0 || st.InShopify != 1 || st.LastExportTime == nil {
				t.Fatalf("status.fulfillment %+v, want the delivery found in Shopify", st)
			}
			f.runNow("3")
			if err := f.get("shop", &si); err != nil || si.Status.Fulfillment.Deliveries != 0 {
				t.Fatalf("status.fulfillment %+v after the third run, want nothing left", si.Status.Fulfillment)
			}
			f.shop.Store().View(gid, func(o shopifysim.Obj) {
				fs := o["fulfillments"].([]shopifysim.Obj)
				if len(fs) != 1 {
					t.Fatalf("%d fulfilments, want 1", len(fs))
				}
				if got := fs[0]["trackingInfo"].([]shopifysim.Obj); len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
					t.Errorf("tracking %v, want %v", got, want)
				}
			})
			failed := false
			for _, e := range f.events() {
				failed = failed || e.Reason == "FulfillmentExportFailed"
			}
			if !failed {
				t.Error("no FulfillmentExportFailed event")
			}
			f.noSecrets()
		})
	}
}

// unshipped waits for the import and returns an imported, paid order
// nothing of which has shipped: its Shopify GID and Odoo sale order.
func (f *fixture) unshipped() (string, int64) {
	f.t.Helper()
	return f.unshippedBut("")
}

// importingEverything is a ready instance of 21 orders that imports them
// in every status, with its spec changed by edit.
func importingEverything(t *testing.T, version int, edit func(*v1.ShopifyInstanceSpec)) *fixture {
	t.Helper()
	f := newFixture(t, version, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped, v1.OrderCancelled}
		edit(s)
	})
	f.ready()
	return f
}

// An order cancelled in Shopify ends cancelled in Odoo with its invoice
// credited, a refund as a paid credit note, on every version.
func TestCancellationsAndRefundsReachOdoo(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := importingEverything(t, version, func(s *v1.ShopifyInstanceSpec) {
				refunded := v1.Workflow{FinancialStatus: "partially_refunded", Confirm: true, CreateInvoice: true, PostInvoice: true,
					RegisterPayment: true, Journal: "Shopify Payments"}
				s.Orders.Workflows = append([]v1.Workflow{refunded}, s.Orders.Workflows...)
			})
			cancelled, _ := f.unshipped()
			var refunded string
			for _, q := range f.finished() {
				for _, l := range q.Status.Lines {
					if l.Outcome == v1.OutcomePaid && "gid://shopify/Order/"+l.ID != cancelled && refunded == "" {
						refunded = "gid://shopify/Order/" + l.ID
					}
				}
			}
			if err := f.shop.Store().CancelOrder(cancelled, "CUSTOMER"); err != nil {
				t.Fatal(err)
			}
			var line string
			f.shop.Store().View(refunded, func(o shopifysim.Obj) { line = o["lineItems"].([]shopifysim.Obj)[0]["id"].(string) })
			in := shopify.RefundInput{OrderID: refunded, Lines: []shopify.RefundLine{{LineItemID: line, Quantity: 1}}}
			if _, err := f.shopify().RefundCreate(context.Background(), in, "refund-"+refunded); err != nil {
				t.Fatal(err)
			}
			f.runNow("1")
			lines := map[string]v1.OrderLine{}
			eventually(t, "the cancelled and refunded orders imported again", func() error {
				for _, q := range f.queues() {
					for _, l := range q.Status.Lines {
						if strings.Contains(l.Message, "credited by") {
							lines["gid://shopify/Order/"+l.ID] = l
						}
					}
				}
				if lines[cancelled].ID == "" || lines[refunded].ID == "" {
					return fmt.Errorf("lines %v", lines)
				}
				return nil
			})
			if l := lines[cancelled]; l.State != v1.LineCancelled {
				t.Errorf("cancelled order: %+v", l)
			}
			if l := lines[refunded]; l.State != v1.LineDone || l.Outcome != v1.OutcomePaid {
				t.Errorf("refunded order: %+v", l)
			}
			so, err := f.odoo.SearchRead("sale.order", []any{[]any{"id", "=", lines[cancelled].SaleOrderID}})
			if err != nil || so[0]["state"] != "cancel" {
				t.Errorf("the cancelled order is %v in Odoo (%v)", so, err)
			}
			notes, err := f.odoo.SearchRead("account.move", []any{[]any{"move_type", "=", "out_refund"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{cancelled, refunded} {
				msg := lines[id].Message
				name := strings.Fields(msg[strings.LastIndex(msg, "credited by ")+len("credited by "):])[0]
				if !slices.ContainsFunc(notes, func(n map[string]any) bool {
					return n["name"] == name && n["state"] == "posted" && n["payment_state"] == "paid" &&
						strings.HasPrefix(n["ref"].(string), "shopify:test-shop.myshopify.com/refund/")
				}) {
					t.Errorf("%s: no posted, paid credit note %s among %v", id, name, notes)
				}
			}
		})
	}
}

// An order cancelled in Odoo is cancelled and refunded in Shopify once, and
// the refund comes back to Odoo as a credit note.
func TestOdooCancellationsReachShopify(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := importingEverything(t, version, func(s *v1.ShopifyInstanceSpec) {
				s.Orders.CancelInShopify = v1.CancelInShopify{Enabled: true, Refund: true}
			})
			gid, so := f.unshipped()
			if err := f.odooClient().CancelOrders(context.Background(), []int64{so}); err != nil {
				t.Fatal(err)
			}
			si := f.runNow("1")
			if st := si.Status.Fulfillment; st == nil || st.Cancelled != 1 || st.Failed != 0 {
				t.Fatalf("status.fulfillment %+v", st)
			}
			var line v1.OrderLine
			eventually(t, "the cancellation imported back", func() error {
				f.runNow(fmt.Sprint(time.Now().UnixNano()))
				for _, q := range f.queues() {
					for _, l := range q.Status.Lines {
						if "gid://shopify/Order/"+l.ID == gid && l.State == v1.LineCancelled {
							line = l
							return nil
						}
					}
				}
				return fmt.Errorf("no cancelled line for %s", gid)
			})
			if !strings.Contains(line.Message, "credited by") {
				t.Errorf("line %+v does not name the credit note", line)
			}
			if st := f.runNow("3").Status.Fulfillment; st.Cancelled != 0 || st.Failed != 0 {
				t.Errorf("status.fulfillment %+v after the last run", st)
			}
			f.shop.Store().View(gid, func(o shopifysim.Obj) {
				if o["cancelledAt"] == nil || len(o["refunds"].([]shopifysim.Obj)) != 1 {
					t.Errorf("Shopify order cancelled at %v with %d refunds", o["cancelledAt"], len(o["refunds"].([]shopifysim.Obj)))
				}
			})
		})
	}
}

// A delivery Shopify holds waits, and the status says so and why.
func TestHeldDeliveryWaitsInStatus(t *testing.T) {
	f := newFixture(t, 18, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) { s.Fulfillment = v1.FulfillmentSpec{Enabled: true} })
	f.ready()
	gid, so := f.unshipped()
	if err := f.shop.Store().HoldFulfillment(gid, "INCORRECT_ADDRESS", ""); err != nil {
		t.Fatal(err)
	}
	oc := f.odooClient()
	picks, err := oc.Search(context.Background(), "stock.picking", odoo.Domain{odoo.Cond("sale_id", "=", so)}, 0)
	if err != nil || len(picks) != 1 {
		t.Fatal(picks, err)
	}
	if err := oc.ValidateDeliveries(context.Background(), odoo.Delivery{PickingIDs: picks}); err != nil {
		t.Fatal(err)
	}
	var si v1.ShopifyInstance
	f.runNow("1")
	c := f.condition(&si, "shop", v1.ConditionFulfillmentsExported, metav1.ConditionTrue, "Exported")
	if st := si.Status.Fulfillment; st == nil || st.Waiting != 1 || st.Sent != 0 || !strings.Contains(c.Message, "on hold: INCORRECT_ADDRESS") {
		t.Fatalf("status.fulfillment %+v, condition %q", si.Status.Fulfillment, c.Message)
	}
}
