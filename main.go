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
)

func main() {
	var (
		metricsAddr     string
		metricsSecure   bool
		metricsCertDir  string
		probeAddr       string
		leaderElect     bool
		watchNamespaces string
		ctrlOpts        controllers.Options
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address the Prometheus metrics endpoint binds to; 0 turns it off.")
	flag.BoolVar(&metricsSecure, "metrics-secure", true, "Serve metrics over HTTPS to clients the API server authenticates and allows "+
		"to get /metrics; false serves plain HTTP to anyone, for local runs.")
	flag.StringVar(&metricsCertDir, "metrics-cert-dir", "", "Directory with tls.crt and tls.key for the metrics port; empty uses a self-signed certificate.")
	flag.BoolVar(&ctrlOpts.AllowEndpointOverride, "allow-endpoint-override", false, "Let instances set spec.shopify.endpoint, "+
		"for simulators and tests; without it such instances are refused.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one replica works at a time.")
	flag.StringVar(&watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces to watch; empty watches all.")
	flag.StringVar(&ctrlOpts.Webhooks.Addr, "webhook-bind-address", ":9443", "Address Shopify's webhooks are received on, on every replica; 0 turns it off.")
	flag.StringVar(&ctrlOpts.Webhooks.CertDir, "webhook-cert-dir", "", "Directory with tls.crt and tls.key for the webhook port; empty serves plain HTTP behind an Ingress.")
	flag.Int64Var(&ctrlOpts.Webhooks.MaxBody, "webhook-max-body", 2<<20, "Largest webhook body accepted, in bytes.")
	flag.DurationVar(&ctrlOpts.Webhooks.Window, "webhook-batch-window", 2*time.Second, "How long the orders of webhooks are gathered into one OrderQueue.")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(connectorv1alpha1.AddToScheme(scheme))

	var namespaces []string
	if watchNamespaces != "" {
		for _, ns := range strings.Split(watchNamespaces, ",") {
			namespaces = append(namespaces, strings.TrimSpace(ns))
		}
	}
	metrics := metricsserver.Options{BindAddress: metricsAddr, SecureServing: metricsSecure, CertDir: metricsCertDir}
	if metricsSecure {
		metrics.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controllers.CacheOptions(namespaces...),
		Metrics:                metrics,
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "shopify-odoo-connector.connector.shopify-odoo.dev",
	})
	if err != nil {
		log.Error(err, "cannot create the manager")
		os.Exit(1)
	}
	if err := controllers.Setup(mgr, ctrlOpts); err != nil {
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
