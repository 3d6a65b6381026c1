// Command demo runs the connector on a local control plane: a real
// kube-apiserver and etcd with the CRDs installed and the samples applied.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/shopify-odoo/connector/test/controlplane"
)

const namespace = "demo"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

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

	fmt.Printf(`
The control plane is up, with the CRDs installed and config/samples applied in namespace %q.
In another terminal:

  export KUBECONFIG=%s
  kubectl get shopify-odoo -n %s
  kubectl get orderqueues -n %s

Ctrl-C stops everything.
`, namespace, cp.Kubeconfig, namespace, namespace)
	<-ctx.Done()
	fmt.Println("\nstopping ...")
	return nil
}
