// Package security checks what keeps credentials safe on the wire.
package security

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Both clients verify the server's certificate unless told otherwise: a
// server whose certificate no trusted authority signed is refused, and it
// never sees a credential.
func TestCertificatesVerifiedByDefault(t *testing.T) {
	var requests int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests++ }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	oc, err := odoo.New(odoo.Config{URL: srv.URL, Database: "db", Username: "admin", APIKey: "key", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.Connect(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Odoo client: %v", err)
	}
	sc, err := shopify.New(shopify.Config{Endpoint: srv.URL, AccessToken: "shpat_x", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.ShopInfo(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Shopify client: %v", err)
	}
	if requests != 0 {
		t.Errorf("the server got %d requests", requests)
	}
}
