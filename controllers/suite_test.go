package controllers

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// cp is the control plane the manager under test runs against.
var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "controllers-test")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if cp, err = controlplane.Start(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	// The manager's logs show as it runs with -v, and their end after a
	// failure; a passing run, benchmarks among them, prints none.
	flag.Parse()
	out := io.Writer(&logs)
	if testing.Verbose() {
		out = io.MultiWriter(os.Stderr, &logs)
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(out)))
	cfg := rest.CopyConfig(cp.Config)
	cfg.Wrap(secretReads.wrap)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: cp.Scheme, Cache: CacheOptions(), Metrics: metricsserver.Options{BindAddress: "0"}})
	if err == nil {
		webhookURL, err = freeURL()
	}
	if err == nil {
		err = Setup(mgr, Options{QueueConcurrency: 4, Webhooks: WebhookOptions{Addr: strings.TrimPrefix(webhookURL, "http://"), Window: webhookWindow},
			AllowEndpointOverride: true})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	code := m.Run()
	if l := leaks(); code == 0 && len(l) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL:", strings.Join(l, "; "))
		code = 1
	}
	if code != 0 && !testing.Verbose() {
		all := logs.String()
		fmt.Fprintf(os.Stderr, "the manager's last logs:\n%s", all[max(0, len(all)-64<<10):])
	}
	cancel()
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
	}
	return code
}

// Credentials of the simulators; the tests look for them where they must not be.
const (
	shopToken     = "shpat_secret_test_token_4711"
	odooKey       = "odoo-secret-api-key-0815"
	webhookSecret = "shopify-webhook-secret-1234"
)

// importAfter is before the simulated store's first order.
var importAfter = metav1.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// fixture is a namespace with a simulated shop and Odoo and their Secrets.
type fixture struct {
	t    testing.TB
	ns   string
	shop *shopifysim.Sim
	odoo *odoosim.Sim
}

func newFixture(t testing.TB, version, orders int) *fixture {
	t.Helper()
	return newFixtureWith(t, version, shopifysim.Options{Orders: orders})
}

// newFixtureWith is newFixture with a simulated shop of these options.
func newFixtureWith(t testing.TB, version int, opts shopifysim.Options) *fixture {
	t.Helper()
	opts.Shop, opts.AccessToken, opts.RestoreRate, opts.MaxCost = "test-shop.myshopify.com", shopToken, 1e5, 1e5
	if opts.ClientSecret == "" { // else the app's client secret signs the webhooks
		opts.WebhookSecret = webhookSecret
	}
	shop, err := shopifysim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shop.Close)
	odoo := odoosim.New(odoosim.Options{Version: version, Database: "db", Login: "admin", APIKey: odooKey, Catalog: true,
		Modules: map[string]bool{"delivery": true}})
	odoo.Start()
	t.Cleanup(odoo.Close)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "t-"}}
	if err := cp.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ns: ns.Name, shop: shop, odoo: odoo}
}

// secrets creates the Secrets the instance names, labelled for the manager.
func (f *fixture) secrets(shopify, odoo map[string]string) {
	f.t.Helper()
	f.create(secret("shop", shopify))
	f.create(secret("odoo", odoo))
}

func secret(name string, data map[string]string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{v1.CredentialsLabel: "true"}}, StringData: data}
}

func goodShopify() map[string]string {
	return map[string]string{"accessToken": shopToken, "webhookSecret": webhookSecret}
}
func goodOdoo() map[string]string { return map[string]string{"username": "admin", "apiKey": odooKey} }

func (f *fixture) create(obj client.Object) {
	f.t.Helper()
	obj.SetNamespace(f.ns)
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		f.t.Fatal(err)
	}
}

// instance creates the instance "shop" with a spec like the sample's,
// changed by edit.
func (f *fixture) instance(edit func(*v1.ShopifyInstanceSpec)) *v1.ShopifyInstance {
	f.t.Helper()
	return f.instanceNamed("shop", edit)
}

// instanceNamed is instance with another name.
func (f *fixture) instanceNamed(name string, edit func(*v1.ShopifyInstanceSpec)) *v1.ShopifyInstance {
	f.t.Helper()
	si := &v1.ShopifyInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1.ShopifyInstanceSpec{
			Shopify: v1.ShopifySpec{Shop: "test-shop.myshopify.com", Endpoint: f.shop.URL(), CredentialsSecretRef: v1.SecretReference{Name: "shop"}},
			Odoo: v1.OdooSpec{URL: f.odoo.URL(), Database: "db", Warehouse: "WH",
				CredentialsSecretRef: v1.SecretReference{Name: "odoo"}},
			Orders: catalog.Orders(),
		},
	}
	si.Spec.Orders.ImportAfter, si.Spec.Orders.QueueSize = &importAfter, 10
	if edit != nil {
		edit(&si.Spec)
	}
	f.create(si)
	return si
}

// eventually polls check until it passes or a deadline ends the test.
func eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// get reads an object of the fixture's namespace.
func (f *fixture) get(name string, obj client.Object) error {
	return cp.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, obj)
}

// condition waits until the named object's condition has status and reason.
func (f *fixture) condition(obj client.Object, name, typ string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	f.t.Helper()
	var got *metav1.Condition
	eventually(f.t, fmt.Sprintf("%s %s=%s %s", name, typ, status, reason), func() error {
		if err := f.get(name, obj); err != nil {
			return err
		}
		got = meta.FindStatusCondition(conditions(obj), typ)
		if got == nil || got.Status != status || got.Reason != reason {
			return fmt.Errorf("condition is %+v", got)
		}
		return nil
	})
	return got
}

func conditions(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *v1.ShopifyInstance:
		return o.Status.Conditions
	case *v1.OrderQueue:
		return o.Status.Conditions
	case *v1.ProductExport:
		return o.Status.Conditions
	case *v1.ImportQueue:
		return o.Status.Conditions
	case *v1.PayoutReport:
		return o.Status.Conditions
	}
	panic("no conditions")
}

// ready waits until the instance is ready.
func (f *fixture) ready() *v1.ShopifyInstance {
	f.t.Helper()
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionReady, metav1.ConditionTrue, "Connected")
	return &si
}

// list lists objects of the fixture's namespace.
func (f *fixture) list(list client.ObjectList) {
	f.t.Helper()
	if err := cp.Client.List(context.Background(), list, client.InNamespace(f.ns)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) queues() []v1.OrderQueue {
	var list v1.OrderQueueList
	f.list(&list)
	return list.Items
}

func (f *fixture) events() []eventsv1.Event {
	var list eventsv1.EventList
	f.list(&list)
	return list.Items
}

// noSecrets fails when a credential shows in the instances, queues or events.
func (f *fixture) noSecrets() {
	f.t.Helper()
	var insts v1.ShopifyInstanceList
	f.list(&insts)
	data, err := json.Marshal([]any{insts, f.queues(), f.events()})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, secret := range []string{shopToken, odooKey, webhookSecret} {
		if strings.Contains(string(data), secret) {
			f.t.Errorf("a credential shows in the status or events: %s", data)
		}
	}
}

// runNow sets the instance's requested-at annotation and waits until it is handled.
func (f *fixture) runNow(value string) *v1.ShopifyInstance {
	f.t.Helper()
	si := &v1.ShopifyInstance{}
	f.requestRun(si, "shop", value)
	return si
}

// requestRun sets an object's requested-at annotation and waits until it is handled.
func (f *fixture) requestRun(obj client.Object, name, value string) {
	f.t.Helper()
	if err := f.get(name, obj); err != nil {
		f.t.Fatal(err)
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	a := obj.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[v1.ReconcileRequestedAnnotation] = value
	obj.SetAnnotations(a)
	if err := cp.Client.Patch(context.Background(), obj, patch); err != nil {
		f.t.Fatal(err)
	}
	eventually(f.t, "run now "+value, func() error {
		if err := f.get(name, obj); err != nil {
			return err
		}
		var handled string
		switch o := obj.(type) {
		case *v1.ShopifyInstance:
			handled = o.Status.LastHandledReconcileAt
		case *v1.ProductExport:
			handled = o.Status.LastHandledReconcileAt
		case *v1.OrderQueue:
			handled = o.Status.LastHandledReconcileAt
		case *v1.ImportQueue:
			handled = o.Status.LastHandledReconcileAt
		}
		if handled != value {
			return fmt.Errorf("lastHandledReconcileAt is %q", handled)
		}
		return nil
	})
}
