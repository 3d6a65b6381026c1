// Package crd tests the CRDs against a real kube-apiserver: what it accepts,
// what it refuses and with which message, and what kubectl shows.
package crd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/controlplane"
)

var cp *controlplane.ControlPlane

func TestMain(m *testing.M) {
	var err error
	dir, err := os.MkdirTemp("", "crd-test")
	if err == nil {
		cp, err = controlplane.Start(dir)
	}
	if err != nil {
		println(err.Error())
		os.Exit(1)
	}
	code := m.Run()
	_ = cp.Stop()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "t-"}}
	if err := cp.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func TestSamplesAreAccepted(t *testing.T) {
	ns := namespace(t)
	samples, _ := filepath.Glob(filepath.Join(controlplane.RepoRoot(), "config", "samples", "*.yaml"))
	var paths []string
	kinds := map[string]bool{}
	for _, p := range samples {
		if filepath.Base(p) == "kustomization.yaml" {
			continue
		}
		paths = append(paths, p)
		objs, err := controlplane.Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			kinds[o.GetKind()] = true
		}
	}
	if err := controlplane.Apply(context.Background(), cp.Client, ns, paths...); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ShopifyInstance", "OrderQueue", "ProductExport", "Secret"} {
		if !kinds[k] {
			t.Errorf("config/samples has no %s", k)
		}
	}
}

func instance() *v1.ShopifyInstance {
	return &v1.ShopifyInstance{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "shop-"},
		Spec: v1.ShopifyInstanceSpec{
			Shopify: v1.ShopifySpec{Shop: "my-store.myshopify.com", CredentialsSecretRef: v1.SecretReference{Name: "s"}},
			Odoo:    v1.OdooSpec{URL: "https://odoo.example.com", Database: "prod", CredentialsSecretRef: v1.SecretReference{Name: "o"}},
		},
	}
}

func queue() *v1.OrderQueue {
	return &v1.OrderQueue{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "q-"},
		Spec: v1.OrderQueueSpec{
			InstanceRef: v1.InstanceReference{Name: "shop"},
			Type:        v1.QueueUnshipped,
			OrderIDs:    []string{"1001", "gid://shopify/Order/1002"},
		},
	}
}

func export() *v1.ProductExport {
	return &v1.ProductExport{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "pe-"},
		Spec: v1.ProductExportSpec{
			InstanceRef: v1.InstanceReference{Name: "shop"},
			Selector:    v1.ProductSelector{Category: "All / Saleable"},
		},
	}
}

func TestInvalidObjectsAreRejected(t *testing.T) {
	jan := metav1.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := metav1.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		obj  func() client.Object
		want string
	}{
		{"shop not a myshopify domain", func() client.Object {
			si := instance()
			si.Spec.Shopify.Shop = "www.my-store.com"
			return si
		}, "shop must be the store's myshopify.com domain"},
		{"api version", func() client.Object {
			si := instance()
			si.Spec.Shopify.APIVersion = "latest"
			return si
		}, "apiVersion must be a Shopify API version"},
		{"api version before 2026-04", func() client.Object {
			si := instance()
			si.Spec.Shopify.APIVersion = "2026-01"
			return si
		}, "apiVersion must be 2026-04 or later"},
		{"odoo url", func() client.Object {
			si := instance()
			si.Spec.Odoo.URL = "odoo.example.com"
			return si
		}, "url must be an http or https URL"},
		{"queue size 0", func() client.Object {
			// As a manifest would say it: the Go type leaves a zero out.
			u := &unstructured.Unstructured{}
			obj, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(instance())
			u.SetUnstructuredContent(obj)
			u.SetGroupVersionKind(v1.GroupVersion.WithKind("ShopifyInstance"))
			_ = unstructured.SetNestedField(u.Object, int64(0), "spec", "orders", "queueSize")
			return u
		}, "spec.orders.queueSize in body should be greater than or equal to 1"},
		{"queue size 1000", func() client.Object {
			si := instance()
			si.Spec.Orders.QueueSize = 1000
			return si
		}, "should be less than or equal to 250"},
		{"import interval too short", func() client.Object {
			si := instance()
			si.Spec.Orders.ImportInterval = &metav1.Duration{Duration: 5e9}
			return si
		}, "importInterval must be at least 1m"},
		{"payment without journal", func() client.Object {
			si := instance()
			si.Spec.Orders.Workflows = []v1.Workflow{{FinancialStatus: "paid", Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true}}
			return si
		}, "registerPayment needs journal"},
		{"invoice without confirm", func() client.Object {
			si := instance()
			si.Spec.Orders.Workflows = []v1.Workflow{{FinancialStatus: "paid", CreateInvoice: true}}
			return si
		}, "createInvoice needs confirm"},
		{"unknown products created without a category", func() client.Object {
			si := instance()
			si.Spec.Orders.UnknownProducts = v1.UnknownCreate
			return si
		}, "unknownProducts Create needs productCategory"},
		{"a product type for products never created", func() client.Object {
			si := instance()
			si.Spec.Orders.ProductType = v1.ProductService
			return si
		}, "productCategory and productType are for unknownProducts Create"},
		{"point of sale invoice without confirm", func() client.Object {
			si := instance()
			si.Spec.Orders.POS = v1.POSSpec{Enabled: true, Workflows: []v1.Workflow{{FinancialStatus: "paid", CreateInvoice: true}}}
			return si
		}, "createInvoice needs confirm"},
		{"stock without locations", func() client.Object {
			si := instance()
			si.Spec.Stock.Enabled = true
			return si
		}, "stock.locations must map at least one Shopify location"},
		{"webhooks without a base URL", func() client.Object {
			si := instance()
			si.Spec.Webhooks.Enabled = true
			return si
		}, "publicBaseURL is required when enabled is true"},
		{"webhooks over plain http", func() client.Object {
			si := instance()
			si.Spec.Webhooks = v1.WebhooksSpec{Enabled: true, PublicBaseURL: "http://connector.example.com"}
			return si
		}, "publicBaseURL must be an https URL"},
		{"location to both warehouse and location", func() client.Object {
			si := instance()
			si.Spec.Stock.Locations = []v1.LocationMapping{{ShopifyLocation: "Main", OdooWarehouse: "WH", OdooLocation: "WH/Stock"}}
			return si
		}, "set exactly one of odooWarehouse and odooLocation"},
		{"both orderIDs and window", func() client.Object {
			q := queue()
			q.Spec.Window = &v1.TimeWindow{From: jan, To: feb}
			return q
		}, "set exactly one of orderIDs and window"},
		{"neither orderIDs nor window", func() client.Object {
			q := queue()
			q.Spec.OrderIDs = nil
			return q
		}, "set exactly one of orderIDs and window"},
		{"window from after to", func() client.Object {
			q := queue()
			q.Spec.OrderIDs = nil
			q.Spec.Window = &v1.TimeWindow{From: feb, To: jan}
			return q
		}, "window.from must be before window.to"},
		{"bad order id", func() client.Object {
			q := queue()
			q.Spec.OrderIDs = []string{"#1001"}
			return q
		}, "an order id must be a number or gid://shopify/Order/<number>"},
		{"more orders than a queue holds", func() client.Object {
			q := queue()
			q.Spec.OrderIDs = nil
			for i := range 251 {
				q.Spec.OrderIDs = append(q.Spec.OrderIDs, fmt.Sprint(1000+i))
			}
			return q
		}, "must have at most 250 items"},
		{"unknown queue type", func() client.Object {
			q := queue()
			q.Spec.Type = "partial"
			return q
		}, `supported values: "unshipped", "shipped"`},
		{"stock by window", func() client.Object {
			return &v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "stock"}, Spec: v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"},
				Resource: v1.ImportStock, Window: &v1.TimeWindow{From: jan, To: feb}}}
		}, "a Stock import takes all: true or ids of variants"},
		{"two selectors", func() client.Object {
			pe := export()
			pe.Spec.Selector.DefaultCodes = []string{"SKU-1"}
			return pe
		}, "set exactly one of ids, defaultCodes, category and domain"},
		{"domain not a list", func() client.Object {
			pe := export()
			pe.Spec.Selector = v1.ProductSelector{Domain: "sale_ok = True"}
			return pe
		}, "domain must be a JSON list"},
	}
	ns := namespace(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := tc.obj()
			obj.SetNamespace(ns)
			err := cp.Client.Create(context.Background(), obj)
			if err == nil {
				t.Fatalf("accepted; want an error saying %q", tc.want)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestValidObjectsAreAccepted(t *testing.T) {
	ns := namespace(t)
	si := instance()
	si.Spec.Orders = v1.OrdersSpec{
		QueueSettings:  v1.QueueSettings{QueueSize: 250, QueueRetention: &metav1.Duration{}, FailedQueueRetention: &metav1.Duration{Duration: 1e12}},
		ImportInterval: &metav1.Duration{Duration: 60e9},
		Workflows:      []v1.Workflow{{FinancialStatus: "paid", Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true, Journal: "Bank"}},
		RoundingLimit:  "0.05", RoundingProduct: "ROUNDING",
		POS:             v1.POSSpec{Enabled: true, NamePrefix: "POS-", GuestCustomer: "Walk-in", Workflows: []v1.Workflow{{FinancialStatus: "any", Confirm: true}}},
		UnknownProducts: v1.UnknownCreate, ProductCategory: "All / Saleable", ProductType: v1.ProductConsumable,
		CustomItemProduct: "CUSTOM",
	}
	si.Spec.Webhooks = v1.WebhooksSpec{Enabled: true, PublicBaseURL: "https://connector.example.com/shop"}
	si.Spec.Shopify.APIVersion = "2026-04"
	q := queue()
	q.Spec.OrderIDs = nil
	q.Spec.Window = &v1.TimeWindow{From: metav1.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: metav1.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)}
	stock := &v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "stock"}, Spec: v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"},
		Resource: v1.ImportStock, IDs: []string{"gid://shopify/ProductVariant/42", "43"}}}
	for _, obj := range []client.Object{si, queue(), q, export(), stock} {
		obj.SetNamespace(ns)
		if err := cp.Client.Create(context.Background(), obj); err != nil {
			t.Errorf("%T rejected: %v", obj, err)
		}
	}
}

func TestQueueIdentityIsImmutable(t *testing.T) {
	ctx := context.Background()
	q := queue()
	q.Namespace = namespace(t)
	if err := cp.Client.Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	edits := []struct {
		edit func(*v1.OrderQueue)
		want string
	}{
		{func(q *v1.OrderQueue) { q.Spec.InstanceRef.Name = "other" }, "instanceRef is immutable"},
		{func(q *v1.OrderQueue) { q.Spec.Type = v1.QueueShipped }, "type is immutable"},
		{func(q *v1.OrderQueue) { q.Spec.OrderIDs = append(q.Spec.OrderIDs, "1003") }, "orderIDs are immutable"},
	}
	for _, e := range edits {
		changed := q.DeepCopy()
		e.edit(changed)
		err := cp.Client.Update(ctx, changed)
		if err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("update: got %v, want an error saying %q", err, e.want)
		}
	}
	// The source is not part of the queue's identity.
	q.Spec.Source = v1.SourceManual
	if err := cp.Client.Update(ctx, q); err != nil {
		t.Errorf("changing the source: %v", err)
	}
}

// A queue's spec is fixed once made, but for suspend.
func TestQueuesMaySuspendOnly(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	oq := queue()
	oq.Name, oq.Namespace = "q-suspend", ns
	iq := &v1.ImportQueue{ObjectMeta: metav1.ObjectMeta{Name: "iq-suspend", Namespace: ns},
		Spec: v1.ImportQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Resource: v1.ImportProducts, IDs: []string{"1"}}}
	for _, obj := range []client.Object{oq, iq} {
		if err := cp.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	oq.Spec.Suspend, iq.Spec.Suspend = true, true
	for _, obj := range []client.Object{oq, iq} {
		if err := cp.Client.Update(ctx, obj); err != nil {
			t.Errorf("suspending %s: %v", obj.GetName(), err)
		}
	}
	for _, change := range []func(){
		func() { iq.Spec.IDs = []string{"2"} },
		func() { iq.Spec.Source = v1.SourceManual },
		func() { iq.Spec.IDs, iq.Spec.All = nil, true },
	} {
		var fresh v1.ImportQueue
		if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(iq), &fresh); err != nil {
			t.Fatal(err)
		}
		iq = &fresh
		change()
		if err := cp.Client.Update(ctx, iq); err == nil || !strings.Contains(err.Error(), "spec is immutable but for suspend") {
			t.Errorf("changing %+v: %v", iq.Spec, err)
		}
	}
}

func TestKubectlShowsQueueColumns(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	q := queue()
	q.Name, q.Namespace = "q-columns", ns
	q.Spec.Source = v1.SourceScheduled
	if err := cp.Client.Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	q.Status.Phase, q.Status.Attempt = v1.PhasePartiallyCompleted, 2
	q.Status.Counts = v1.OrderCounts{LineCounts: v1.LineCounts{Total: 2, Done: 1, Failed: 1}}
	if err := cp.Client.Status().Update(ctx, q); err != nil {
		t.Fatal(err)
	}
	for _, resource := range []string{"orderqueues", "oq", "shopify-odoo"} {
		out, err := exec.Command(filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl"), "--kubeconfig", cp.Kubeconfig, "get", resource, "-n", ns).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl get %s: %v\n%s", resource, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if resource == "shopify-odoo" {
			if !strings.Contains(string(out), "orderqueue.connector.shopify-odoo.dev/q-columns") {
				t.Errorf("kubectl get shopify-odoo does not list the queue:\n%s", out)
			}
			continue
		}
		if got := strings.Fields(lines[0]); strings.Join(got, " ") != "NAME INSTANCE TYPE SOURCE ORDERS DONE FAILED PHASE ATTEMPT AGE" {
			t.Errorf("kubectl get %s header: %q", resource, lines[0])
		}
		if got := strings.Fields(lines[1]); len(got) < 9 || strings.Join(got[:9], " ") != "q-columns shop unshipped scheduled 2 1 1 PartiallyCompleted 2" {
			t.Errorf("kubectl get %s row: %q", resource, lines[1])
		}
	}
}

// The status of a full queue stays far below etcd's object size limit.
func TestFullQueueStatusIsBounded(t *testing.T) {
	ctx := context.Background()
	q := queue()
	q.Namespace = namespace(t)
	if err := cp.Client.Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	msg := strings.Repeat("m", 512)
	for i := range v1.MaxQueueSize {
		id := fmt.Sprint(9999999999000 + i)
		q.Status.Lines = append(q.Status.Lines, v1.OrderLine{LineStatus: v1.LineStatus{ID: id, Name: "#" + id, State: v1.LineFailed, Attempts: 9, Message: msg}, SaleOrderID: 1 << 40, SaleOrder: "SHOP-#" + id})
	}
	if err := cp.Client.Status().Update(ctx, q); err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(v1.GroupVersion.WithKind("OrderQueue"))
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(q), u); err != nil {
		t.Fatal(err)
	}
	data, _ := u.MarshalJSON()
	if len(data) > 256<<10 {
		t.Errorf("a full queue is %d bytes; it must stay well under etcd's 1.5 MiB", len(data))
	}
	q.Status.Lines = append(q.Status.Lines, v1.OrderLine{LineStatus: v1.LineStatus{ID: "1", State: v1.LineDraft}})
	if err := cp.Client.Status().Update(ctx, q); err == nil || !strings.Contains(err.Error(), "must have at most 250 items") {
		t.Errorf("a 251st line: got %v", err)
	}
}

// The scopes shop-credentials.yaml lists are what the samples turn on
// needs, no more: write scopes stand for their read scopes.
func TestSampleScopes(t *testing.T) {
	listed, err := controlplane.SampleScopes()
	if err != nil {
		t.Fatal(err)
	}
	needed := []string{shopify.ScopeAllOrders} // the demo's seeded orders are older than 60 days
	samples, _ := filepath.Glob(filepath.Join(controlplane.RepoRoot(), "config", "samples", "*.yaml"))
	for _, p := range samples {
		objs, err := controlplane.Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			for _, f := range sampleFeatures(o) {
				needed = append(needed, f.Scopes()...)
			}
		}
	}
	for _, s := range needed {
		if !shopify.HasScope(listed, s) {
			t.Errorf("the samples need %s, which shop-credentials.yaml does not list", s)
		}
	}
	for _, s := range listed {
		if !slices.ContainsFunc(needed, func(n string) bool { return shopify.HasScope([]string{s}, n) }) {
			t.Errorf("shop-credentials.yaml lists %s, which the samples do not need", s)
		}
	}
}

// sampleFeatures are the features a sample object turns on.
func sampleFeatures(o *unstructured.Unstructured) []shopify.Feature {
	on := func(path ...string) bool {
		b, _, _ := unstructured.NestedBool(o.Object, append([]string{"spec"}, path...)...)
		return b
	}
	switch o.GetKind() {
	case "ShopifyInstance":
		out := []shopify.Feature{shopify.FeatureOrders}
		for f, enabled := range map[shopify.Feature]bool{
			shopify.FeatureFulfillments: on("fulfillment", "enabled") || on("orders", "cancelInShopify", "enabled"),
			shopify.FeatureStock:        on("stock", "enabled"),
			shopify.FeaturePayouts:      on("payouts", "enabled"),
			shopify.FeatureProducts:     on("products", "import", "enabled"),
			shopify.FeatureCustomers:    on("orders", "customers", "import", "enabled"),
		} {
			if enabled {
				out = append(out, f)
			}
		}
		return out
	case "ProductExport":
		if pubs, _, _ := unstructured.NestedStringSlice(o.Object, "spec", "publications"); len(pubs) > 0 {
			return []shopify.Feature{shopify.FeatureProducts, shopify.FeaturePublishing}
		}
		return []shopify.Feature{shopify.FeatureProducts}
	case "ImportQueue":
		resource, _, _ := unstructured.NestedString(o.Object, "spec", "resource")
		return []shopify.Feature{map[string]shopify.Feature{"Products": shopify.FeatureProducts, "Customers": shopify.FeatureCustomers,
			"Stock": shopify.FeatureStockImport}[resource]}
	case "PayoutReport":
		return []shopify.Feature{shopify.FeaturePayouts}
	}
	return nil
}
