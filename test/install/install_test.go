package install

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// install is one way of installing the chart.
type install struct {
	release, namespace string
	values             []string // values files, relative to the chart
	// instanceNamespace is where the sample instance goes; outside is a
	// namespace the release must not reach (empty for cluster-wide installs).
	instanceNamespace, outside string
}

var installs = []install{
	{release: "connector", namespace: "connector-system", instanceNamespace: "shop"},
	{release: "scoped", namespace: "scoped-system", values: []string{"ci/namespaced-values.yaml"},
		instanceNamespace: "shop-a", outside: "shop"},
}

// The chart renders with default values and for a namespaced install, both
// apply to a real API server, and the manager running as the chart's
// ServiceAccount makes the sample instance Ready: the RBAC is enough. Verbs
// the chart does not grant are refused: it is not more.
func TestChartInstallsAndItsRBACIsEnough(t *testing.T) {
	ctrllog.SetLogger(logr.Discard()) // envtest's own logs
	helm, kubectl := tools(t)
	manager := filepath.Join(t.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", manager, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the manager: %v\n%s", err, out)
	}
	cp := controlplane.ForTest(t)
	ctx := context.Background()
	for _, ns := range []string{"connector-system", "scoped-system", "shop", "shop-a", "shop-b"} {
		// Pod Security admission warns of pods that break the restricted profile.
		labels := map[string]string{"pod-security.kubernetes.io/warn": "restricted"}
		if err := cp.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}); err != nil {
			t.Fatal(err)
		}
	}
	admin := &kube{t: t, kubectl: kubectl, kubeconfig: cp.Kubeconfig}
	rendered := map[string]string{}
	for _, in := range installs {
		args := []string{"template", in.release, chart, "--namespace", in.namespace}
		for _, v := range in.values {
			args = append(args, "--values", filepath.Join(chart, v))
		}
		out := run(t, helm, args...)
		rendered[in.release] = filepath.Join(t.TempDir(), in.release+".yaml")
		if err := os.WriteFile(rendered[in.release], []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		out = admin.must("apply", "--server-side", "--field-manager=helm", "-f", rendered[in.release])
		t.Logf("%s: %s", in.release, out)
		if strings.Contains(out, "PodSecurity") {
			t.Errorf("%s: the pods break the restricted Pod Security profile", in.release)
		}
	}
	// The chart's optional values, all at once, make objects the API server
	// accepts.
	extras := filepath.Join(t.TempDir(), "extras.yaml")
	out := run(t, helm, "template", "extras", chart, "--namespace", "connector-system", "--set", "crds.install=false",
		"--set", "fullnameOverride=extras", "--set", "commonLabels.team=shop", "--set", "revisionHistoryLimit=3",
		"--set", "image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"--set", "podDisruptionBudget.minAvailable=50%", "--set", "extraEnv[0].name=SSL_CERT_DIR", "--set", "extraEnv[0].value=/ca",
		"--set", "extraVolumes[0].name=ca", "--set", "extraVolumes[0].configMap.name=corporate-ca",
		"--set", "extraVolumeMounts[0].name=ca", "--set", "extraVolumeMounts[0].mountPath=/ca",
		"--set", "webhook.ingress.enabled=true", "--set", "networkPolicy.enabled=true")
	if err := os.WriteFile(extras, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Log(admin.must("apply", "--server-side", "--dry-run=server", "--field-manager=helm", "-f", extras))
	for _, in := range installs {
		t.Run(in.release, func(t *testing.T) {
			admin := &kube{t: t, kubectl: kubectl, kubeconfig: cp.Kubeconfig}
			sa := serviceAccount(t, rendered[in.release])
			token := admin.must("create", "token", sa, "-n", in.namespace)
			self := &kube{t: t, kubectl: kubectl, kubeconfig: kubeconfigFor(t, cp.Kubeconfig, strings.TrimSpace(token))}
			if who := self.must("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"); who != "system:serviceaccount:"+in.namespace+":"+sa {
				t.Fatalf("the token is %q's", who)
			}
			metrics, logPath := startManager(t, manager, self.kubeconfig, rendered[in.release])
			applySample(t, admin, in.instanceNamespace)
			t.Log(admin.must("wait", "--for=condition=Ready", "shopifyinstance/demo", "-n", in.instanceNamespace, "--timeout=120s"))
			// The scopes the samples list are enough for what they turn on.
			for _, step := range []string{"StockExported", "FulfillmentsExported", "PayoutsListed"} {
				admin.must("wait", "--for=condition="+step, "shopifyinstance/demo", "-n", in.instanceNamespace, "--timeout=120s")
			}
			t.Log(admin.must("get", "shopifyinstance/demo", "-n", in.instanceNamespace))
			// A queue creates queues and records events.
			admin.must("apply", "--server-side", "-n", in.instanceNamespace, "-f", filepath.Join(root, "config", "samples", "orderqueue.yaml"))
			t.Log(admin.must("wait", "--for=condition=Ready", "orderqueue/demo-backfill", "-n", in.instanceNamespace, "--timeout=120s"))
			if events := admin.must("get", "events", "-n", in.instanceNamespace, "--field-selector", "involvedObject.name=demo-backfill"); !strings.Contains(events, "Completed") {
				t.Errorf("no Completed event for the queue:\n%s", events)
			} else {
				t.Log(events)
			}
			// Metrics go only to who may get /metrics: the chart's reader role bound to Prometheus's account.
			admin.must("create", "serviceaccount", "prometheus", "-n", in.namespace)
			admin.must("create", "clusterrolebinding", in.release+"-prometheus", "--clusterrole="+role(t, rendered[in.release], "-metrics-reader"),
				"--serviceaccount="+in.namespace+":prometheus")
			reader := admin.must("create", "token", "prometheus", "-n", in.namespace)
			scrape(t, metrics, reader, `shopify_odoo_shopify_cost_points_total{shopify_instance="`+in.instanceNamespace+`/demo"}`,
				`shopify_odoo_odoo_round_trips_total{method="authenticate",model="common",result="ok"}`,
				`shopify_odoo_instance_ready{condition="Ready",shopify_instance="`+in.instanceNamespace+`/demo",status="True"}`,
				`shopify_odoo_step_last_success_timestamp_seconds{shopify_instance="`+in.instanceNamespace+`/demo",step="ImportOrders"}`)
			for who, token := range map[string]string{"no token": "", "the manager's own token": strings.TrimSpace(token)} {
				if _, err := get(metrics, token); err == nil || !strings.Contains(err.Error(), map[bool]string{true: "401", false: "403"}[token == ""]) {
					t.Errorf("metrics with %s: %v", who, err)
				}
			}
			checkRoles(t, admin, rendered[in.release], in.instanceNamespace)

			// Leader election is off when the manager runs outside a pod (it
			// reads its namespace from the pod); the Lease it would take is allowed.
			for _, verb := range []string{"get", "create", "update"} {
				self.must("auth", "can-i", verb, "leases.coordination.k8s.io", "-n", in.namespace)
			}
			refused := [][]string{
				{"get", "pods", "-n", in.instanceNamespace},
				{"get", "configmaps", "-n", in.namespace},
				{"create", "secret", "generic", "stolen", "-n", in.instanceNamespace},
				{"delete", "namespace", in.instanceNamespace, "--dry-run=server"},
				{"create", "clusterrolebinding", "escalate", "--clusterrole=cluster-admin", "--user=me", "--dry-run=server"},
			}
			if in.outside != "" {
				refused = append(refused, []string{"get", "secrets", "-n", in.outside}, []string{"get", "shopifyinstances", "-n", in.outside})
			}
			if log, _ := os.ReadFile(logPath); strings.Contains(strings.ToLower(string(log)), "forbidden") {
				t.Errorf("the manager was refused something:\n%s", log)
			}
			for _, args := range refused {
				out, err := self.run(args...)
				if err == nil || !strings.Contains(strings.ToLower(out), "forbidden") {
					t.Errorf("kubectl %s as %s: want Forbidden, got %v: %s", strings.Join(args, " "), sa, err, out)
				}
			}
		})
	}
}

// tools are helm (HELM, else built by hack/setup-helm.sh) and the kubectl
// hack/setup-envtest.sh built next to kube-apiserver.
func tools(t *testing.T) (helm, kubectl string) {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run through make test, which builds kube-apiserver, kubectl and etcd")
	}
	helm = controlplane.Helm(t)
	return helm, filepath.Join(assets, "kubectl")
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// kube runs kubectl as one identity.
type kube struct {
	t                   *testing.T
	kubectl, kubeconfig string
}

func (k *kube) run(args ...string) (string, error) { return k.runStdin("", args...) }

// runStdin runs kubectl with stdin, for -f -.
func (k *kube) runStdin(stdin string, args ...string) (string, error) {
	cmd := exec.Command(k.kubectl, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (k *kube) must(args ...string) string {
	k.t.Helper()
	out, err := k.run(args...)
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

// kubeconfigFor is the admin's kubeconfig with the credentials replaced by
// a ServiceAccount token.
func kubeconfigFor(t *testing.T, adminConfig, token string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(adminConfig)
	if err != nil {
		t.Fatal(err)
	}
	for name := range cfg.AuthInfos {
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// objects are the rendered objects of a kind.
func objects(t *testing.T, rendered, kind string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := controlplane.Decode(rendered)
	if err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func serviceAccount(t *testing.T, rendered string) string {
	t.Helper()
	sas := objects(t, rendered, "ServiceAccount")
	if len(sas) != 1 {
		t.Fatalf("%d ServiceAccounts rendered", len(sas))
	}
	return sas[0].GetName()
}

// startManager runs the manager binary with the Deployment's arguments,
// its ports moved to free local ones, until the test ends; it returns the
// metrics address and the log's path.
func startManager(t *testing.T, manager, kubeconfig, rendered string) (string, string) {
	t.Helper()
	deps := objects(t, rendered, "Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments rendered", len(deps))
	}
	containers, _, _ := unstructured.NestedSlice(deps[0].Object, "spec", "template", "spec", "containers")
	chartArgs, _, _ := unstructured.NestedStringSlice(containers[0].(map[string]any), "args")
	metrics := controlplane.FreeAddr(t)
	var args []string
	for _, a := range chartArgs {
		flag, _, _ := strings.Cut(a, "=")
		switch flag {
		case "--metrics-bind-address":
			a = flag + "=" + metrics
		case "--health-probe-bind-address", "--webhook-bind-address":
			a = flag + "=" + controlplane.FreeAddr(t)
		case "--leader-elect":
			a = flag + "=false"
		}
		args = append(args, a)
	}
	// The sample instance calls the Shopify simulator.
	args = append(args, "--allow-endpoint-override")
	t.Logf("manager %s", strings.Join(args, " "))
	log, err := os.Create(filepath.Join(t.TempDir(), "manager.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(manager, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			data, _ := os.ReadFile(log.Name())
			t.Logf("manager log:\n%s", data)
		}
		log.Close()
	})
	return metrics, log.Name()
}

// applySample starts the simulators and applies config/samples' Secrets and
// instance into ns, pointed at them.
func applySample(t *testing.T, admin *kube, ns string) {
	t.Helper()
	scopes, err := controlplane.SampleScopes()
	if err != nil {
		t.Fatal(err)
	}
	shop, err := shopifysim.Start(shopifysim.Options{Shop: "demo-store.myshopify.com", Orders: 5, AccessToken: "shpat_demo_token",
		WebhookSecret: "demo-webhook-secret", RestoreRate: 1000, MaxCost: 10000, Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shop.Close)
	odoo := odoosim.New(odoosim.Options{Version: 18, Database: "demo", Login: "admin", APIKey: "demo-odoo-api-key", Catalog: true})
	odoo.Start()
	t.Cleanup(odoo.Close)
	var docs []string
	for _, f := range []string{"shop-credentials.yaml", "shopifyinstance.yaml"} {
		objs, err := controlplane.Decode(filepath.Join(root, "config", "samples", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.GetKind() == "ShopifyInstance" {
				_ = unstructured.SetNestedField(o.Object, shop.URL(), "spec", "shopify", "endpoint")
				_ = unstructured.SetNestedField(o.Object, odoo.URL(), "spec", "odoo", "url")
			}
			data, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(data))
		}
	}
	path := filepath.Join(t.TempDir(), "sample.json")
	if err := os.WriteFile(path, []byte(`{"apiVersion":"v1","kind":"List","items":[`+strings.Join(docs, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	admin.must("apply", "--server-side", "-n", ns, "-f", path)
}

// scrape waits until the metrics endpoint serves each series with a value
// above zero to a client with token.
func scrape(t *testing.T, addr, token string, series ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		body, err := get(addr, token)
		missing := ""
		for _, s := range series {
			if err == nil && !hasPositive(body, s) {
				missing = s
				break
			}
		}
		if err == nil && missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics: %v; missing %s", err, missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// get reads the metrics over HTTPS, as a client with token; the manager's
// certificate is self-signed.
func get(addr, token string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, "https://"+addr+"/metrics", nil)
	if err != nil {
		return "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s", resp.Status)
	}
	return string(data), err
}

func hasPositive(body, series string) bool {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok && v != "0" {
			return true
		}
	}
	return false
}
