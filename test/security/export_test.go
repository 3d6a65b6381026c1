package security

import (
	"crypto/rand"
	"encoding/base64"
	"runtime/debug"
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/export"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Exporting 50 templates with an image of 1 MiB each keeps the heap under
// the chart's 256 MiB, the simulators' copies of the images included:
// images are read a few at a time, hashed, and read again only to upload.
func TestExportOfLargeImagesStaysWithinTheHeap(t *testing.T) {
	oc, os, sc, ss := sims(t, odoosim.Options{}, shopifysim.Options{EmptyCatalog: true})
	os.AddProducts(catalog.Large(50))
	ids, err := oc.Search(ctx(t), "product.template", odoo.Domain{}, 0)
	if err != nil || len(ids) != 50 {
		t.Fatalf("%d templates: %v", len(ids), err)
	}
	for _, id := range ids {
		img := make([]byte, 1<<20)
		rand.Read(img)
		if err := oc.Write(ctx(t), "product.template", []int64{id}, map[string]any{"image_1920": base64.StdEncoding.EncodeToString(img)}); err != nil {
			t.Fatal(err)
		}
	}
	var res export.Result
	// the manager runs with GOMEMLIMIT at its container's limit: the
	// collector keeps garbage under it, and only what is live can pass it
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	peak := heapDuring(func() {
		res, err = export.ExportProducts(ctx(t), oc, sc, export.Products{Selector: v1.ProductSelector{Category: "All / Saleable"}, Status: "Active"}, export.State{})
	})
	if err != nil || res.Counts.Exported != 50 || ss.Store().Uploads() != 50 {
		t.Fatalf("%+v %v; %d uploads", res.Counts, err, ss.Store().Uploads())
	}
	if peak > 256<<20 {
		t.Errorf("heap peaked at %d MiB", peak>>20)
	}
	t.Logf("heap peak %d MiB", peak>>20)
}
