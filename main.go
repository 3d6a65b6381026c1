// Command manager runs the Shopify–Odoo connector's controllers.
package main

import (
	"flag"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	connectorv1alpha1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/internal/egress"
	"github.com/shopify-odoo/connector/internal/shard"
)

// leaderElection are the lease's timings.
type leaderElection struct{ lease, renew, retry time.Duration }

func main() {
	var (
		metricsAddr     string
		metricsSecure   bool
		metricsCertDir  string
		probeAddr       string
		leaderElect     bool
		watchNamespaces string
		webhooks        controllers.WebhookOptions
		insecureHosts   string
		fileHosts       string
		work            controllers.Options
		shardSelector   string
		election        leaderElection
		qps             float64
		burst           int
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address the Prometheus metrics endpoint binds to; 0 turns it off.")
	flag.BoolVar(&metricsSecure, "metrics-secure", true, "Serve metrics over HTTPS to clients the API server authenticates and allows "+
		"to get /metrics; false serves plain HTTP to anyone, for local runs.")
	flag.StringVar(&metricsCertDir, "metrics-cert-dir", "", "Directory with tls.crt and tls.key for the metrics port; empty uses a self-signed certificate.")
	flag.BoolVar(&work.AllowEndpointOverride, "allow-endpoint-override", false, "Let instances set spec.shopify.endpoint, "+
		"for simulators and tests; without it such instances are refused.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one replica works at a time.")
	flag.StringVar(&watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces to watch; empty watches all.")
	flag.StringVar(&webhooks.Addr, "webhook-bind-address", ":9443", "Address Shopify's webhooks are received on, on every replica; 0 turns it off.")
	flag.StringVar(&webhooks.CertDir, "webhook-cert-dir", "", "Directory with tls.crt and tls.key for the webhook port; empty serves plain HTTP behind an Ingress.")
	flag.Int64Var(&webhooks.MaxBody, "webhook-max-body", 2<<20, "Largest webhook body accepted, in bytes.")
	flag.DurationVar(&webhooks.Window, "webhook-batch-window", 2*time.Second, "How long the orders of webhooks are gathered into one OrderQueue.")
	flag.StringVar(&insecureHosts, "insecure-http-hosts", "", "Comma-separated hosts (or host:port) Odoo and Shopify endpoints may reach over plain http; loopback always may.")
	flag.StringVar(&fileHosts, "file-hosts", "", "Comma-separated hosts images and bulk results may be fetched from besides Shopify's and the shop's; their addresses must be public.")
	// Workers and deadlines: how many objects of each kind are worked on at once, and how long one may hold a worker.
	flag.IntVar(&work.InstanceConcurrency, "instance-concurrency", 50, "ShopifyInstances checked and run at once: a shop that never answers holds one for the check deadline.")
	flag.IntVar(&work.QueueConcurrency, "queue-concurrency", 2, "OrderQueues, and ImportQueues, imported at once.")
	flag.IntVar(&work.ExportConcurrency, "export-concurrency", 2, "ProductExports run at once.")
	flag.IntVar(&work.PayoutConcurrency, "payout-concurrency", 2, "PayoutReports run at once.")
	flag.DurationVar(&work.Limits.Check, "check-deadline", 30*time.Second, "Longest check of an instance's Shopify and Odoo, checked at once.")
	flag.DurationVar(&work.Limits.Step, "step-deadline", 2*time.Minute, "Longest step of a pass: an instance's import, stock or fulfilment export, a queue's batch.")
	flag.DurationVar(&work.Limits.Export, "export-deadline", 30*time.Minute, "Longest ProductExport pass.")
	flag.DurationVar(&work.Limits.Bulk, "bulk-timeout", time.Hour, "Longest Shopify bulk operation; one still running is cancelled and started again.")
	flag.StringVar(&shardSelector, "watch-label-selector", "", "Watch only the objects this selector on "+shard.Label+" matches, e.g. "+shard.Label+"=shard1, or !"+shard.Label+" for those of no shard; each shard elects its own leader.")
	flag.DurationVar(&election.lease, "leader-elect-lease-duration", 15*time.Second, "How long a lease held by a leader that stopped renewing it lasts before another replica takes over.")
	flag.DurationVar(&election.renew, "leader-elect-renew-deadline", 10*time.Second, "How long the leader tries to renew its lease before it stops working.")
	flag.DurationVar(&election.retry, "leader-elect-retry-period", 2*time.Second, "How often replicas try to take or renew the lease.")
	flag.Float64Var(&qps, "kube-api-qps", 50, "Requests per second to the API server, sustained.")
	flag.IntVar(&burst, "kube-api-burst", 300, "Requests to the API server in a burst above kube-api-qps.")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(connectorv1alpha1.AddToScheme(scheme))

	sel, err := shard.Parse(shardSelector)
	if err != nil {
		log.Error(err, "bad --watch-label-selector")
		os.Exit(1)
	}
	work.Shard = sel
	namespaces := list(watchNamespaces)
	metrics := metricsserver.Options{BindAddress: metricsAddr, SecureServing: metricsSecure, CertDir: metricsCertDir}
	if metricsSecure {
		metrics.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	cfg := ctrl.GetConfigOrDie()
	cfg.QPS, cfg.Burst = float32(qps), burst
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controllers.ShardCache(controllers.CacheOptions(namespaces...), sel),
		Metrics:                metrics,
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       shard.LeaseName("shopify-odoo-connector.connector.shopify-odoo.dev", sel),
		// Safe: the manager returns only once its controllers stopped.
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &election.lease,
		RenewDeadline:                 &election.renew,
		RetryPeriod:                   &election.retry,
	})
	if err != nil {
		log.Error(err, "cannot create the manager")
		os.Exit(1)
	}
	work.Webhooks = webhooks
	work.Egress = egress.Policy{InsecureHosts: list(insecureHosts), FileHosts: list(fileHosts)}
	if err := controllers.Setup(mgr, work); err != nil {
		log.Error(err, "cannot set up the controllers")
		os.Exit(1)
	}
	utilruntime.Must(mgr.AddHealthzCheck("healthz", healthz.Ping))
	utilruntime.Must(mgr.AddReadyzCheck("readyz", healthz.Ping))

	log.Info("starting manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

// list splits a comma-separated flag, leaving out empty items.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
