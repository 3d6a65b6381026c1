// Package security checks what keeps credentials safe on the wire.
package security

import (
	"context"
	"encoding/pem"
	"errors"
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

// With the instance's CA bundle, an Odoo whose certificate a private CA
// signed is trusted, and only that Odoo's client trusts it.
func TestCABundleTrustsAPrivateCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{"server_serie":"18.0","server_version_info":[18]}}`))
	}))
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	oc, err := odoo.New(odoo.Config{URL: srv.URL, Database: "db", Username: "admin", APIKey: "key", CABundle: ca})
	if err != nil {
		t.Fatal(err)
	}
	// the reply to authenticate is no uid: the TLS handshake passed
	if err := oc.Connect(context.Background()); !errors.Is(err, odoo.ErrBadCredentials) {
		t.Errorf("with the bundle: %v", err)
	}
	if _, err := odoo.New(odoo.Config{URL: srv.URL, Database: "db", Username: "admin", APIKey: "key", CABundle: []byte("not PEM")}); err == nil {
		t.Error("a bundle without a certificate is accepted")
	}
}
