// Command demo runs the connector on a local control plane: a real
// kube-apiserver and etcd with the CRDs installed, the Shopify and Odoo
// simulators the samples point at, the samples applied and the manager
// running in this process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// The addresses and credentials config/samples uses.
const (
	shopifyAddr = "127.0.0.1:18081"
	odooAddr    = "127.0.0.1:18069"
)

const namespace = "demo"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	orders := flag.Int("orders", 300, "orders in the simulated Shopify store")
	version := flag.Int("odoo-version", 18, "Odoo version to simulate: 17, 18 or 19")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The app has the scopes the samples list, no more.
	scopes, err := controlplane.SampleScopes()
	if err != nil {
		return err
	}
	// A standard store's rate, 100 points a second: about 78 full orders.
	shop, err := shopifysim.Listen(shopifysim.Options{Shop: "demo-store.myshopify.com", Orders: *orders,
		AccessToken: "shpat_demo_token", WebhookSecret: "demo-webhook-secret", Scopes: scopes}, shopifyAddr)
	if err != nil {
		return fmt.Errorf("Shopify simulator on %s: %w", shopifyAddr, err)
	}
	defer shop.Close()
	odoo, err := serveOdoo(odoosim.New(odoosim.Options{Version: *version, Database: "demo", Login: "admin",
		Password: "admin", APIKey: "demo-odoo-api-key", Catalog: true, Modules: map[string]bool{"delivery": true}}))
	if err != nil {
		return err
	}
	defer odoo.Close()

	dir := filepath.Join(controlplane.RepoRoot(), "bin", "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Println("starting kube-apiserver and etcd ...")
	cp, err := controlplane.Start(dir)
	if err != nil {
		return err
	}
	defer func() { _ = cp.Stop() }()

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if err := cp.Client.Create(ctx, ns); err != nil {
		return err
	}
	samples, err := filepath.Glob(filepath.Join(controlplane.RepoRoot(), "config", "samples", "*.yaml"))
	if err != nil {
		return err
	}
	var paths []string
	for _, p := range samples {
		if filepath.Base(p) != "kustomization.yaml" {
			paths = append(paths, p)
		}
	}
	if err := controlplane.Apply(ctx, cp.Client, namespace, paths...); err != nil {
		return err
	}
	// The seeded orders are older than the instance: import them too.
	inst := &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "demo"}}
	importAll := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"orders":{"importAfter":"2020-01-01T00:00:00Z"}}}`))
	if err := cp.Client.Patch(ctx, inst, importAll); err != nil {
		return err
	}
	mgrDone, err := startManager(ctx, cp)
	if err != nil {
		return err
	}

	fmt.Printf(`
Shopify simulator (%d orders): http://%s   Odoo %d simulator: http://%s
The control plane is up, with the CRDs installed, config/samples applied in namespace %q
and the manager running. In another terminal, watch the queues fill and complete:

  export KUBECONFIG=%s
  kubectl get shopify-odoo -n %s
  kubectl get orderqueues -n %s -w

Ctrl-C stops everything.
`, *orders, shopifyAddr, *version, odooAddr, namespace, cp.Kubeconfig, namespace, namespace)
	<-ctx.Done()
	fmt.Println("\nstopping ...")
	return <-mgrDone
}

// startManager runs the controllers as main.go wires them, until ctx ends;
// the channel gives the manager's error when it stops.
func startManager(ctx context.Context, cp *controlplane.ControlPlane) (<-chan error, error) {
	ctrl.SetLogger(zap.New())
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Scheme: cp.Scheme, Cache: controllers.CacheOptions(), Metrics: metricsserver.Options{BindAddress: "0"}})
	if err != nil {
		return nil, err
	}
	// The samples point the instance at the simulators.
	if err := controllers.Setup(mgr, controllers.Options{AllowEndpointOverride: true}); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	return done, nil
}

func serveOdoo(h http.Handler) (*http.Server, error) {
	l, err := net.Listen("tcp", odooAddr)
	if err != nil {
		return nil, fmt.Errorf("Odoo simulator on %s: %w", odooAddr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "demo: Odoo simulator:", err)
		}
	}()
	return srv, nil
}
