// Package e2e runs the manager against a real API server and both simulators,
// the way a cluster runs it, and kills it while it works.
package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const (
	orders    = 63 // three of each kind the simulator generates
	shopToken = "shpat_e2e"
	odooKey   = "odoo-e2e-key"
)

func spec(shop, odooURL string) v1.ShopifyInstanceSpec {
	after := metav1.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return v1.ShopifyInstanceSpec{
		Shopify: v1.ShopifySpec{Shop: "e2e.myshopify.com", Endpoint: shop, CredentialsSecretRef: v1.SecretReference{Name: "shop"}},
		Odoo:    v1.OdooSpec{URL: odooURL, Database: "db", Warehouse: "WH", CredentialsSecretRef: v1.SecretReference{Name: "odoo"}},
		Orders:  orderSpec(after),
	}
}

func orderSpec(after metav1.Time) v1.OrdersSpec {
	o := catalog.Orders()
	o.ImportAfter, o.QueueSize = &after, 10
	o.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped, v1.OrderCancelled}
	return o
}

func sims(t testing.TB, latency time.Duration) (*shopifysim.Sim, *odoosim.Sim) {
	t.Helper()
	return simsOf(t, orders, latency)
}

// simsOf starts a store of n orders and an Odoo 17 whose replies take latency.
func simsOf(t testing.TB, n int, latency time.Duration) (*shopifysim.Sim, *odoosim.Sim) {
	t.Helper()
	shop, err := shopifysim.Start(shopifysim.Options{Shop: "e2e.myshopify.com", Orders: n, Seed: 5, AccessToken: shopToken,
		RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shop.Close)
	o := odoosim.New(odoosim.Options{Version: 17, Database: "db", Login: "admin", APIKey: odooKey, Catalog: true})
	if latency > 0 {
		o.Inject(odoosim.Fault{Kind: odoosim.Latency, Delay: latency})
	}
	o.Start()
	t.Cleanup(o.Close)
	return shop, o
}

// counts is what Odoo holds: the figures that must not double.
func counts(t *testing.T, o *odoosim.Sim) string {
	t.Helper()
	n := func(model string, domain ...any) int {
		rows, err := o.SearchRead(model, domain)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	return fmt.Sprintf("sale orders %d, invoices %d, payments %d, deliveries done %d, contacts %d",
		n("sale.order"), n("account.move", []any{"move_type", "=", "out_invoice"}), n("account.payment"),
		n("stock.picking", []any{"state", "=", "done"}), n("res.partner"))
}

// clean imports the same store once, without Kubernetes or interruptions.
func clean(t *testing.T) string {
	shop, o := sims(t, 0)
	sc, err := shopify.New(shopify.Config{Shop: "e2e.myshopify.com", Endpoint: shop.URL(), AccessToken: shopToken})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := odoo.New(odoo.Config{URL: o.URL(), Database: "db", Username: "admin", APIKey: odooKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := oc.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	s := spec("", "")
	im := importer.Importer{Shopify: sc, Odoo: oc, Settings: importer.Settings{Shop: s.Shopify.Shop, Odoo: s.Odoo, Orders: s.Orders}}
	var ids []string
	for _, gid := range shop.Store().OrderIDs() {
		ids = append(ids, gid[len("gid://shopify/Order/"):])
	}
	if _, err := im.Import(ctx, ids); err != nil {
		t.Fatal(err)
	}
	return counts(t, o)
}

// newManager builds a manager running the connector's controllers.
func newManager(t testing.TB, cp *controlplane.ControlPlane, edit ...func(*ctrl.Options)) ctrl.Manager {
	t.Helper()
	opts := ctrl.Options{Scheme: cp.Scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}}
	for _, e := range edit {
		e(&opts)
	}
	mgr, err := ctrl.NewManager(cp.Config, opts)
	if err == nil {
		err = controllers.Setup(mgr, controllers.Options{QueueConcurrency: 2})
	}
	if err != nil {
		t.Fatal(err)
	}
	return mgr
}

// run starts a manager until the returned stop.
func run(t testing.TB, mgr ctrl.Manager) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}
}

// startManager runs the connector's controllers until the returned stop.
func startManager(t *testing.T, cp *controlplane.ControlPlane) (stop func()) {
	t.Helper()
	return run(t, newManager(t, cp))
}

// deploy creates a namespace with the Secrets and an instance of spec s.
func deploy(t testing.TB, cp *controlplane.ControlPlane, ns string, s v1.ShopifyInstanceSpec) {
	t.Helper()
	objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: ns}, StringData: map[string]string{"accessToken": shopToken}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "odoo", Namespace: ns}, StringData: map[string]string{"username": "admin", "apiKey": odooKey}},
		&v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: ns}, Spec: s},
	}
	for _, obj := range objs {
		if err := cp.Client.Create(context.Background(), obj); err != nil {
			t.Fatal(err)
		}
	}
}

// finished waits until the queues of ns hold n orders, none left to try,
// and returns them.
func finished(t *testing.T, cp *controlplane.ControlPlane, ns string, n int, d time.Duration) []v1.OrderQueue {
	t.Helper()
	var queues []v1.OrderQueue
	waitFor(t, d, "every queue finished", func() bool {
		var list v1.OrderQueueList
		if err := cp.Client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return false
		}
		lines := 0
		for _, q := range list.Items {
			if q.Status.Counts.Draft > 0 || q.Status.Phase == "" || q.Status.Phase == v1.PhaseDraft || q.Status.Phase == v1.PhaseProcessing {
				return false
			}
			lines += int(q.Status.Counts.Total)
		}
		queues = list.Items
		return lines == n
	})
	return queues
}

// sameAsClean fails when Odoo holds other than what one clean import makes,
// and logs what became of each order.
func sameAsClean(t *testing.T, o *odoosim.Sim, want string, queues []v1.OrderQueue) {
	t.Helper()
	if got := counts(t, o); got != want {
		t.Errorf("%s\none clean import: %s", got, want)
		for _, q := range queues {
			for _, l := range q.Status.Lines {
				t.Logf("%s %s %s %s %q", q.Name, l.Name, l.State, l.Outcome, l.Message)
			}
		}
	}
}

// The manager is killed three times while it imports, each time after Odoo
// has created more sale orders; a last manager finishes. Odoo then holds
// exactly what one clean import makes.
func TestManagerKilledWhileImporting(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	shop, o := sims(t, 5*time.Millisecond)
	deploy(t, cp, "e2e", spec(shop.URL(), o.URL()))
	for kill := range 3 {
		stop := startManager(t, cp)
		target := o.Calls("sale.order", "create") + 1
		wait(t, fmt.Sprintf("sale orders created before kill %d", kill+1), func() bool { return o.Calls("sale.order", "create") >= target })
		stop()
	}
	stop := startManager(t, cp)
	defer stop()
	sameAsClean(t, o, want, finished(t, cp, "e2e", orders, 2*time.Minute))
}

func wait(t *testing.T, what string, ok func() bool) {
	t.Helper()
	waitFor(t, 2*time.Minute, what, ok)
}

func waitFor(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
