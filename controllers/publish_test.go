package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// publishedOn names, per exported product, the publications it is on.
func (f *fixture) publishedOn() map[string][]string {
	out := map[string][]string{}
	for _, id := range f.shop.Store().ProductIDs() {
		out[id] = f.shop.Store().PublishedOn(id)
	}
	return out
}

// Exported products are published on the publications the export names;
// a publication taken off the list has them unpublished from it, and the
// merchant's other channels are left alone.
func TestProductsPublishedThenUnpublishedWhenDeselected(t *testing.T) {
	f := newFixtureWith(t, 18, shopifysim.Options{EmptyCatalog: true})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(nil)
	f.productExport(func(s *v1.ProductExportSpec) {
		s.Selector = v1.ProductSelector{DefaultCodes: []string{"SKU-01-M", "SKU-02-S-Nav"}}
		s.Publications = []string{"Online Store", "Point of Sale"}
	})
	var pe v1.ProductExport
	f.condition(&pe, "saleable", v1.ConditionReady, metav1.ConditionTrue, "Exported")
	on := f.publishedOn()
	if len(on) != 2 {
		t.Fatalf("%d products exported", len(on))
	}
	for id, pubs := range on {
		if !slices.Equal(pubs, []string{"Online Store", "Point of Sale"}) {
			t.Errorf("%s is on %v", id, pubs)
		}
	}
	if got := fmt.Sprint(pe.Status.Publications); !strings.Contains(got, "Online Store") || !strings.Contains(got, "Point of Sale") {
		t.Errorf("status publications %s", got)
	}

	// The merchant puts one product on the Shop channel by hand.
	shop := f.shopify()
	pubs, err := shop.Publications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	handPicked := f.shop.Store().ProductIDs()[0]
	for _, p := range pubs {
		if p.Name == "Shop" {
			if err := shop.Publish(context.Background(), handPicked, []string{p.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}

	patch := client.MergeFrom(pe.DeepCopy())
	pe.Spec.Publications = []string{"Online Store"}
	if err := cp.Client.Patch(context.Background(), &pe, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, "products off the Point of Sale", func() error {
		if err := f.get("saleable", &pe); err != nil {
			return err
		}
		if pe.Status.ObservedGeneration != pe.Generation || len(pe.Status.Publications) != 1 {
			return fmt.Errorf("status %+v", pe.Status)
		}
		return nil
	})
	for id, pubs := range f.publishedOn() {
		want := []string{"Online Store"}
		if id == handPicked {
			want = []string{"Online Store", "Shop"}
		}
		if !slices.Equal(pubs, want) {
			t.Errorf("%s is on %v, want %v", id, pubs, want)
		}
	}
	if c := pe.Status.Counts; c != (v1.ExportCounts{Selected: 2, Updated: 2}) {
		t.Errorf("counts %+v", c)
	}
}

// A publication the shop does not have stops the export before anything
// is sent, and says which ones it has.
func TestUnknownPublicationStallsTheExport(t *testing.T) {
	f := newFixtureWith(t, 19, shopifysim.Options{EmptyCatalog: true})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(nil)
	f.productExport(func(s *v1.ProductExportSpec) { s.Publications = []string{"Online Store", "Wholesale"} })
	var pe v1.ProductExport
	c := f.condition(&pe, "saleable", v1.ConditionStalled, metav1.ConditionTrue, ReasonBadSettings)
	if want := `spec.publications names "Wholesale", which the shop has no publication of; it has "Online Store", "Point of Sale", "Shop"`; c.Message != want {
		t.Errorf("message: %s", c.Message)
	}
	if n := f.shop.Store().ProductCount(); n != 0 {
		t.Errorf("%d products exported", n)
	}
}

// An app without write_publications exports nothing when asked to publish,
// and says which scope it lacks.
func TestPublishingNeedsItsScope(t *testing.T) {
	scopes := append(shopify.FeatureOrders.Scopes(), shopify.FeatureProducts.Scopes()...)
	f := newFixtureWith(t, 17, shopifysim.Options{EmptyCatalog: true, Scopes: scopes})
	f.secrets(goodShopify(), goodOdoo())
	f.instance(nil)
	f.productExport(func(s *v1.ProductExportSpec) { s.Publications = []string{"Online Store"} })
	var pe v1.ProductExport
	c := f.condition(&pe, "saleable", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonMissingScope)
	if !strings.Contains(c.Message, "publishing: write_publications;") {
		t.Errorf("message: %s", c.Message)
	}
	if n := f.shop.Store().ProductCount(); n != 0 {
		t.Errorf("%d products exported", n)
	}
}
