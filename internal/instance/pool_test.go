package instance

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/controlplane"
)

func poolInstance() *v1.ShopifyInstance {
	return &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "shop"}, Spec: v1.ShopifyInstanceSpec{
		Shopify: v1.ShopifySpec{Shop: "a.myshopify.com", Endpoint: "http://127.0.0.1:1", CredentialsSecretRef: v1.SecretReference{Name: "shop"}},
		Odoo:    v1.OdooSpec{URL: "http://127.0.0.1:1", Database: "db", CredentialsSecretRef: v1.SecretReference{Name: "odoo"}},
	}}
}

// Against a real API server: spec.shopify.endpoint is refused, before any
// Secret is read, unless the manager allows it; and a Secret without the
// credentials label is not read, whatever the reader holds.
func TestEndpointAndSecretRules(t *testing.T) {
	cp := controlplane.ForTest(t)
	t.Run("endpoint needs the manager's flag", func(t *testing.T) {
		p := NewPool(cp.Client, nil, time.Hour)
		c, err := p.Check(ctx(t), poolInstance(), false)
		if err != nil || c.ShopifyProblem == nil || c.ShopifyProblem.Reason != ReasonEndpointNotAllowed || !c.ShopifyProblem.Stalled {
			t.Fatalf("%+v %v", c, err)
		}
		p.AllowEndpoint = true
		if c, err := p.Check(ctx(t), poolInstance(), false); err != nil || c.ShopifyProblem == nil || c.ShopifyProblem.Reason != ReasonCredentialsUnusable {
			t.Fatalf("allowed: %+v %v", c, err)
		}
	})
	t.Run("Secrets need the label", func(t *testing.T) {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "odoo"}, Data: map[string][]byte{"username": []byte("u"), "apiKey": []byte("k")}}
		if err := cp.Client.Create(ctx(t), s); err != nil {
			t.Fatal(err)
		}
		p := NewPool(cp.Client, nil, time.Hour)
		p.AllowEndpoint = true
		c, err := p.Check(ctx(t), poolInstance(), false)
		if err != nil || c.OdooProblem == nil || c.OdooProblem.Reason != ReasonCredentialsUnusable {
			t.Fatalf("unlabelled: %+v %v", c, err)
		}
		s.Labels = map[string]string{v1.CredentialsLabel: "true"}
		if err := cp.Client.Update(ctx(t), s); err != nil {
			t.Fatal(err)
		}
		if got, err := Secret(ctx(t), cp.Client, client.ObjectKeyFromObject(s)); err != nil || string(got.Data["apiKey"]) != "k" {
			t.Fatalf("labelled: %v %v", got, err)
		}
		if c, err := p.Check(ctx(t), poolInstance(), false); err != nil || c.OdooProblem != nil {
			t.Errorf("a labelled Secret with its keys is still unusable: %+v %v", c.OdooProblem, err)
		}
	})
}
