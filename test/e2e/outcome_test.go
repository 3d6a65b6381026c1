package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/fulfillment"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// tally is what one Shopify order became at both ends: the figures that
// must neither double nor go missing.
type tally struct{ sale, invoices, payments, delivered, fulfilments int }

func (n tally) String() string {
	return fmt.Sprintf("%d sale orders, %d invoices, %d payments, %d deliveries done, %d fulfilments",
		n.sale, n.invoices, n.payments, n.delivered, n.fulfilments)
}

// outcome is the tally of each order of the store, by name, and the
// contacts Odoo holds.
type outcome struct {
	orders   map[string]tally
	contacts int
}

func (c outcome) String() string {
	var s tally
	for _, n := range c.orders {
		s = tally{s.sale + n.sale, s.invoices + n.invoices, s.payments + n.payments, s.delivered + n.delivered, s.fulfilments + n.fulfilments}
	}
	return fmt.Sprintf("%d orders: %s; %d contacts", len(c.orders), s, c.contacts)
}

// outcomeOf reads the sale orders, invoices, payments and deliveries done
// that Odoo holds for each order, and the fulfilments Shopify holds.
func outcomeOf(t *testing.T, shop *shopifysim.Sim, o *odoosim.Sim) outcome {
	t.Helper()
	read := func(model string, domain []any, fields ...string) []map[string]any {
		rows, err := o.SearchRead(model, domain, fields...)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	byKey, byName := map[string]*tally{}, map[string]*tally{}
	shop.Store().Each(func(so shopifysim.Obj) {
		n := &tally{fulfilments: len(so["fulfillments"].([]shopifysim.Obj))}
		byKey[keys.Order("e2e.myshopify.com", so["legacyResourceId"].(string))] = n
		byName[so["name"].(string)] = n
	})
	saleOf, invoiceOf, soName := map[float64]*tally{}, map[float64]*tally{}, map[string]*tally{}
	for _, r := range read("sale.order", []any{}, "origin", "name") {
		n := byKey[fmt.Sprint(r["origin"])]
		if n == nil {
			t.Fatalf("sale order %s is for no order of the store: %v", r["name"], r["origin"])
		}
		n.sale++
		saleOf[r["id"].(float64)], soName[r["name"].(string)] = n, n
	}
	for _, r := range read("account.move", []any{[]any{"move_type", "=", "out_invoice"}}, "invoice_origin") {
		if n := soName[fmt.Sprint(r["invoice_origin"])]; n != nil {
			n.invoices++
			invoiceOf[r["id"].(float64)] = n
		}
	}
	for _, r := range read("account.payment", []any{}, "reconciled_invoice_ids") {
		for _, id := range r["reconciled_invoice_ids"].([]any) {
			if n := invoiceOf[id.(float64)]; n != nil {
				n.payments++
			}
		}
	}
	for _, r := range read("stock.picking", []any{[]any{"state", "=", "done"}}, "sale_id") {
		if so, ok := r["sale_id"].([]any); ok && saleOf[so[0].(float64)] != nil {
			saleOf[so[0].(float64)].delivered++
		}
	}
	out := outcome{orders: map[string]tally{}, contacts: len(read("res.partner", []any{}, "id"))}
	for name, n := range byName {
		out.orders[name] = *n
	}
	return out
}

// clean imports the store once, without Kubernetes or faults, has the
// warehouse ship the unshipped orders and sends their fulfilments.
func clean(t *testing.T) outcome {
	shop, o := sims(t, 0)
	sc, err := shopify.New(shopify.Config{Shop: "e2e.myshopify.com", Endpoint: shop.URL(), AccessToken: shopToken})
	if err != nil {
		t.Fatal(err)
	}
	oc := odooClient(t, o.URL())
	s := spec("", "")
	im := importer.Importer{Shopify: sc, Odoo: oc, Settings: importer.Settings{Shop: s.Shopify.Shop, Odoo: s.Odoo, Orders: s.Orders}}
	var ids []string
	for _, gid := range shop.Store().OrderIDs() {
		ids = append(ids, gid[len("gid://shopify/Order/"):])
	}
	ctx := context.Background()
	if _, err := im.Import(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if err := ship(ctx, oc, o, unshipped(shop)); err != nil {
		t.Fatal(err)
	}
	ex := fulfillment.Exporter{Odoo: oc, Shopify: sc, Shop: s.Shopify.Shop, Deliveries: true}
	if res, err := ex.Run(ctx); err != nil || res.Failed > 0 {
		t.Fatalf("fulfilments: %+v, %v", res, err)
	}
	return outcomeOf(t, shop, o)
}

func odooClient(t *testing.T, url string) *odoo.Client {
	t.Helper()
	oc, err := odoo.New(odoo.Config{URL: url, Database: "db", Username: "admin", APIKey: odooKey})
	if err == nil {
		err = oc.Connect(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	return oc
}

// unshipped keys the orders Shopify has neither fulfilled nor cancelled.
func unshipped(shop *shopifysim.Sim) []any {
	var out []any
	shop.Store().Each(func(so shopifysim.Obj) {
		if so["displayFulfillmentStatus"] == "UNFULFILLED" && so["cancelledAt"] == nil {
			out = append(out, keys.Order("e2e.myshopify.com", so["legacyResourceId"].(string)))
		}
	})
	return out
}

// ship validates the open deliveries of the confirmed sale orders of keys,
// as the people in the warehouse do.
func ship(ctx context.Context, oc *odoo.Client, o *odoosim.Sim, keys []any) error {
	rows, err := o.SearchRead("sale.order", []any{[]any{"origin", "in", keys}, []any{"state", "=", "sale"}}, "id")
	if err != nil || len(rows) == 0 {
		return err
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, int64(r["id"].(float64)))
	}
	return oc.ValidateDeliveries(ctx, odoo.Delivery{OrderIDs: ids})
}

// warehouse ships the unshipped orders as their sale orders appear in Odoo,
// through the door the faults do not reach, and asks for a fulfilment export
// after each round, so that fulfilments are sent while the faults strike.
// stop ships what is left and waits for an export that fails nothing.
func warehouse(t *testing.T, cp *controlplane.ControlPlane, ns string, shop *shopifysim.Sim, o *odoosim.Sim) (stop func()) {
	t.Helper()
	oc, keys := odooClient(t, o.StaffURL()), unshipped(shop)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 0; ; round++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			if err := ship(ctx, oc, o, keys); err != nil && ctx.Err() == nil {
				t.Errorf("warehouse: %v", err)
			}
			if err := requestRun(cp, ns, fmt.Sprint("round-", round)); err != nil && ctx.Err() == nil {
				t.Errorf("warehouse: %v", err)
			}
		}
	}()
	return func() {
		t.Helper()
		cancel()
		wg.Wait()
		if err := ship(context.Background(), oc, o, keys); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if c := runNow(t, cp, ns, fmt.Sprint("last-", i)); c != nil && c.Status == metav1.ConditionTrue {
				return
			}
		}
		t.Error("five fulfilment exports in a row failed")
	}
}

// requestRun sets the instance's requested-at annotation.
func requestRun(cp *controlplane.ControlPlane, ns, value string) error {
	var si v1.ShopifyInstance
	if err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "shop"}, &si); err != nil {
		return err
	}
	patch := client.MergeFrom(si.DeepCopy())
	si.Annotations = map[string]string{v1.ReconcileRequestedAnnotation: value}
	return cp.Client.Patch(context.Background(), &si, patch)
}

// runNow requests a run of the instance, waits until a manager has handled
// it and returns the fulfilment export's condition.
func runNow(t *testing.T, cp *controlplane.ControlPlane, ns, value string) *metav1.Condition {
	t.Helper()
	if err := requestRun(cp, ns, value); err != nil {
		t.Fatal(err)
	}
	var si v1.ShopifyInstance
	wait(t, "run now "+value, func() bool {
		return cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "shop"}, &si) == nil &&
			si.Status.LastHandledReconcileAt == value
	})
	return meta.FindStatusCondition(si.Status.Conditions, v1.ConditionFulfillmentsExported)
}

// sameAsClean fails when either end holds other than what the clean run
// left for some order, and logs what became of those orders.
func sameAsClean(t *testing.T, got, want outcome, queues []v1.OrderQueue) {
	t.Helper()
	t.Log(got)
	var wrong []string
	for name, w := range want.orders {
		if got.orders[name] != w {
			wrong = append(wrong, name)
		}
	}
	slices.Sort(wrong)
	for i, name := range wrong {
		if i == 10 {
			t.Errorf("and %d more orders", len(wrong)-i)
			break
		}
		t.Errorf("%s: %s; the clean run: %s", name, got.orders[name], want.orders[name])
	}
	if got.contacts != want.contacts || len(got.orders) != len(want.orders) {
		t.Errorf("%s\nthe clean run: %s", got, want)
	}
	if !t.Failed() {
		return
	}
	for _, q := range queues {
		for _, l := range q.Status.Lines {
			if slices.Contains(wrong, l.Name) {
				t.Logf("%s %s %s %s %q", q.Name, l.Name, l.State, l.Outcome, l.Message)
			}
		}
	}
}
