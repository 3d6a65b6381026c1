// Package controlplane starts a real kube-apiserver and etcd (envtest) with the
// project's CRDs installed, for the tests and the demo.
package controlplane

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	apiruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/shopify-odoo/connector/api/v1alpha1"
)

// ControlPlane is a running kube-apiserver and etcd.
type ControlPlane struct {
	env *envtest.Environment
	// Config reaches the API server as a cluster admin.
	Config *rest.Config
	// Client is a client for Config that knows the project's kinds.
	Client client.Client
	// Scheme has the built-in kinds and the project's.
	Scheme *apiruntime.Scheme
	// Kubeconfig is the path of a kubeconfig file for kubectl.
	Kubeconfig string
}

// RepoRoot is the directory of the project's go.mod.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Start starts the control plane and writes its kubeconfig into dir.
func Start(dir string) (*ControlPlane, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, errors.New("KUBEBUILDER_ASSETS is not set: run through make (make test, make demo), " +
			"which builds kube-apiserver and etcd with hack/setup-envtest.sh and sets it")
	}
	scheme := apiruntime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver and etcd: %w", err)
	}
	cp := &ControlPlane{env: env, Config: cfg, Scheme: scheme}
	if err := cp.setup(dir); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return cp, nil
}

func (cp *ControlPlane) setup(dir string) error {
	c, err := client.New(cp.Config, client.Options{Scheme: cp.Scheme})
	if err != nil {
		return err
	}
	cp.Client = c
	admin, err := cp.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		return err
	}
	cp.Kubeconfig = filepath.Join(dir, "kubeconfig")
	return os.WriteFile(cp.Kubeconfig, kc, 0o600)
}

// Stop stops the API server and etcd.
func (cp *ControlPlane) Stop() error { return cp.env.Stop() }

// ForTest starts a control plane that stops when the test ends.
func ForTest(t testing.TB) *ControlPlane {
	t.Helper()
	cp, err := Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	return cp
}
