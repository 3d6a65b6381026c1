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
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const (
	orders    = 1050 // fifty of each kind the simulator generates
	shopToken = "shpat_e2e"
	odooKey   = "odoo-e2e-key"
)

func spec(shop, odooURL string) v1.ShopifyInstanceSpec {
	after := metav1.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return v1.ShopifyInstanceSpec{
		Shopify:     v1.ShopifySpec{Shop: "e2e.myshopify.com", Endpoint: shop, CredentialsSecretRef: v1.SecretReference{Name: "shop"}},
		Odoo:        v1.OdooSpec{URL: odooURL, Database: "db", Warehouse: "WH", CredentialsSecretRef: v1.SecretReference{Name: "odoo"}},
		Orders:      orderSpec(after),
		Fulfillment: v1.FulfillmentSpec{Enabled: true},
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

// newManager builds a manager running the connector's controllers.
func newManager(t testing.TB, cp *controlplane.ControlPlane, edit ...func(*ctrl.Options, *controllers.Options)) ctrl.Manager {
	t.Helper()
	return newManagerWith(t, cp, controllers.Options{QueueConcurrency: 2, AllowEndpointOverride: true}, edit...)
}

// newManagerWith is newManager with the controllers' options o.
func newManagerWith(t testing.TB, cp *controlplane.ControlPlane, copts controllers.Options, edit ...func(*ctrl.Options, *controllers.Options)) ctrl.Manager {
	t.Helper()
	opts := ctrl.Options{Scheme: cp.Scheme, Cache: controllers.CacheOptions(), Metrics: metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}}
	for _, e := range edit {
		e(&opts, &copts)
	}
	mgr, err := ctrl.NewManager(cp.Config, opts)
	if err == nil {
		err = controllers.Setup(mgr, copts)
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

// credentials lets the manager read a Secret.
var credentials = map[string]string{v1.CredentialsLabel: "true"}

// deploy creates a namespace with the Secrets and an instance of spec s.
func deploy(t testing.TB, cp *controlplane.ControlPlane, ns string, s v1.ShopifyInstanceSpec) {
	t.Helper()
	objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: ns, Labels: credentials}, StringData: map[string]string{"accessToken": shopToken}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "odoo", Namespace: ns, Labels: credentials}, StringData: map[string]string{"username": "admin", "apiKey": odooKey}},
		&v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: ns}, Spec: s},
	}
	for _, obj := range objs {
		if err := cp.Client.Create(context.Background(), obj); err != nil {
			t.Fatal(err)
		}
	}
}

// finished waits until the queues of ns hold n orders, none left to try,
// and returns them. An order Shopify changed after its import, as when a
// fulfilment was sent, comes in a later queue again.
func finished(t testing.TB, cp *controlplane.ControlPlane, ns string, n int, d time.Duration) []v1.OrderQueue {
	t.Helper()
	var queues []v1.OrderQueue
	defer func() {
		if !t.Failed() {
			return
		}
		shown := 0
		for _, q := range queues {
			t.Logf("%s %s: %d lines", q.Name, q.Status.Phase, len(q.Status.Lines))
			for _, l := range q.Status.Lines {
				if (l.State == v1.LineDraft || l.State == v1.LineFailed) && shown < 20 {
					t.Logf("%s %s %s %q", l.Name, l.State, l.Outcome, l.Message)
					shown++
				}
			}
		}
	}()
	waitFor(t, d, "every queue finished", func() bool {
		var list v1.OrderQueueList
		if err := cp.Client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return false
		}
		queues = list.Items
		seen := map[string]bool{}
		for _, q := range list.Items {
			if q.Status.Counts.Draft > 0 || q.Status.Phase == "" || q.Status.Phase == v1.PhaseDraft || q.Status.Phase == v1.PhaseProcessing {
				return false
			}
			for _, l := range q.Status.Lines {
				seen[l.ID] = true
			}
		}
		return len(seen) == n
	})
	return queues
}

// The manager is killed three times while it imports and the warehouse
// ships, at a quarter, half and three quarters of the sale orders; a last
// manager finishes. Both ends then hold what the clean run leaves.
func TestManagerKilledWhileImporting(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	shop, o := sims(t, 5*time.Millisecond)
	deploy(t, cp, "e2e", spec(shop.URL(), o.URL()))
	ship := warehouse(t, cp, "e2e", shop, o)
	for kill := 1; kill <= 3; kill++ {
		stop := startManager(t, cp)
		imported(t, o, kill*orders/4)
		stop()
	}
	stop := startManager(t, cp)
	defer stop()
	queues := finished(t, cp, "e2e", orders, 5*time.Minute)
	ship()
	sameAsClean(t, outcomeOf(t, shop, o), want, queues)
}

// imported waits until Odoo holds n sale orders.
func imported(t *testing.T, o *odoosim.Sim, n int) {
	t.Helper()
	wait(t, fmt.Sprintf("%d sale orders", n), func() bool {
		rows, err := o.SearchRead("sale.order", []any{}, "id")
		return err == nil && len(rows) >= n
	})
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
