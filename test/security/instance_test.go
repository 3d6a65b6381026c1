package security

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// An instance whose Odoo is plain http on a host other than loopback is
// Stalled with the reason, on the real API server.
func TestPlainHTTPOdooStallsTheInstance(t *testing.T) {
	cp := controlplane.ForTest(t)
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Scheme: cp.Scheme, Cache: controllers.CacheOptions(), Metrics: metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}})
	if err == nil {
		err = controllers.Setup(mgr, controllers.Options{Webhooks: controllers.WebhookOptions{Addr: "0"}, AllowEndpointOverride: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(c) }()
	defer func() { cancel(); <-done }()

	_, _, _, ss := sims(t, odoosim.Options{}, shopifysim.Options{})
	ns := "default"
	for name, data := range map[string]map[string]string{"shop": {"accessToken": token}, "odoo": {"username": "admin", "apiKey": "key"}} {
		if err := cp.Client.Create(ctx(t), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns,
			Labels: map[string]string{v1.CredentialsLabel: "true"}}, StringData: data}); err != nil {
			t.Fatal(err)
		}
	}
	inst := &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: ns}, Spec: v1.ShopifyInstanceSpec{
		Shopify: v1.ShopifySpec{Shop: "sim-shop.myshopify.com", Endpoint: ss.URL(), CredentialsSecretRef: v1.SecretReference{Name: "shop"}},
		Odoo:    v1.OdooSpec{URL: "http://odoo.example.com:8069", Database: "odoo", CredentialsSecretRef: v1.SecretReference{Name: "odoo"}},
	}}
	if err := cp.Client.Create(ctx(t), inst); err != nil {
		t.Fatal(err)
	}
	want := "Odoo: refused: http://odoo.example.com:8069 is plain http to a host other than loopback; use https, or an administrator lists the host in --insecure-http-hosts"
	deadline := time.Now().Add(time.Minute)
	for {
		if err := cp.Client.Get(ctx(t), client.ObjectKeyFromObject(inst), inst); err != nil {
			t.Fatal(err)
		}
		s := meta.FindStatusCondition(inst.Status.Conditions, v1.ConditionStalled)
		if s != nil && s.Status == metav1.ConditionTrue && s.Reason == instance.ReasonEndpointRefused && s.Message == want &&
			s.ObservedGeneration == inst.Generation {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("conditions %+v", inst.Status.Conditions)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
