package controllers

import (
	"context"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/webhook"
)

// gone waits until the instance no longer exists.
func (f *fixture) gone(name string) {
	f.t.Helper()
	eventually(f.t, name+" deleted", func() error {
		if err := f.get(name, &v1.ShopifyInstance{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there: %v", err)
		}
		return nil
	})
}

func (f *fixture) delete(name string) {
	f.t.Helper()
	si := &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns}}
	if err := cp.Client.Delete(context.Background(), si); err != nil {
		f.t.Fatal(err)
	}
}

// Deleting an instance removes its webhook subscriptions from the shop.
func TestDeletingAnInstanceRemovesItsSubscriptions(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(true)
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	if n := len(f.subscriptions()); n != len(webhook.Subscriptions) {
		t.Fatalf("%d subscriptions", n)
	}
	f.delete("shop")
	f.gone("shop")
	if subs := f.subscriptions(); len(subs) != 0 {
		t.Errorf("left in the shop: %v", subs)
	}
}

// An instance whose credentials are gone cannot remove its subscriptions:
// it goes away all the same after its tries, and an event says what was left.
func TestAnInstanceWithoutCredentialsIsDeletedAfterItsTries(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.webhookInstance(true)
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionWebhooksSubscribed, metav1.ConditionTrue, "Subscribed")
	gone := secret("shop", nil)
	gone.Namespace = f.ns
	if err := cp.Client.Delete(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	f.condition(&si, "shop", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonCredentialsUnusable)
	f.delete("shop")
	f.gone("shop")
	if n := len(f.subscriptions()); n != len(webhook.Subscriptions) {
		t.Errorf("%d subscriptions left, want all", n)
	}
	eventually(t, "a WebhooksLeft event", func() error {
		for _, e := range f.events() {
			if e.Reason == ReasonWebhooksLeft && e.Regarding.Name == "shop" {
				return nil
			}
		}
		return fmt.Errorf("none")
	})
	f.noSecrets()
}
