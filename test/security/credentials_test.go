package security

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopify-odoo/connector/internal/egress"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// An endpoint that answers 307 to another host does not get the
// credentials sent there: neither Odoo's key (in the JSON-RPC body or the
// JSON-2 header) nor Shopify's token or client secret.
func TestRedirectToAnotherHostCarriesNoCredentials(t *testing.T) {
	var got atomic.Int32
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		b, _ := io.ReadAll(r.Body)
		t.Errorf("the other host got %s %s %v %s", r.Method, r.URL, r.Header, b)
	}))
	defer listener.Close()
	// the listener's address by another name, so that it is another host
	other := strings.Replace(listener.URL, "127.0.0.1", "localhost", 1)
	endpoint := httptest.NewServer(http.RedirectHandler(other+"/steal", http.StatusTemporaryRedirect))
	defer endpoint.Close()

	for _, protocol := range []string{odoo.ProtocolJSONRPC, odoo.ProtocolJSON2} {
		oc, err := odoo.New(odoo.Config{URL: endpoint.URL, Database: "db", Username: "admin", APIKey: "odoo-key", Protocol: protocol})
		if err != nil {
			t.Fatal(err)
		}
		err = oc.Connect(ctx(t))
		if !egress.IsRefused(err) || !strings.Contains(err.Error(), "redirected to another host (localhost), which would receive the credentials") {
			t.Errorf("Odoo over %s: %v", protocol, err)
		}
	}
	for _, cfg := range []shopify.Config{{AccessToken: "shpat_token"}, {ClientID: "id", ClientSecret: "client-secret"}} {
		cfg.Endpoint, cfg.MaxAttempts = endpoint.URL, 1
		sc, err := shopify.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = sc.ShopInfo(ctx(t))
		if !egress.IsRefused(err) || !strings.Contains(err.Error(), "redirected to another host (localhost)") {
			t.Errorf("Shopify: %v", err)
		}
	}
	if n := got.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// Credentials go over https only, but to loopback and to the hosts an
// administrator lists in --insecure-http-hosts.
func TestPlainHTTPOnlyToLoopbackOrListedHosts(t *testing.T) {
	for _, c := range []struct {
		url    string
		policy egress.Policy
		ok     bool
	}{
		{"https://odoo.example.com", egress.Policy{}, true},
		{"http://127.0.0.1:8069", egress.Policy{}, true},
		{"http://localhost:8069", egress.Policy{}, true},
		{"http://[::1]:8069", egress.Policy{}, true},
		{"http://odoo.example.com", egress.Policy{}, false},
		{"http://10.0.0.5:8069", egress.Policy{}, false},
		{"http://odoo.internal:8069", egress.Policy{InsecureHosts: []string{"odoo.internal"}}, true},
		{"http://odoo.internal:8069", egress.Policy{InsecureHosts: []string{"odoo.internal:80"}}, false},
		{"ftp://odoo.example.com", egress.Policy{}, false},
	} {
		_, oerr := odoo.New(odoo.Config{URL: c.url, Database: "db", Username: "u", APIKey: "k", Egress: c.policy})
		_, serr := shopify.New(shopify.Config{Endpoint: c.url, AccessToken: "t", Egress: c.policy})
		for _, err := range []error{oerr, serr} {
			if c.ok != (err == nil) || err != nil && !egress.IsRefused(err) {
				t.Errorf("%s with %+v: %v", c.url, c.policy, err)
			}
		}
	}
	_, err := odoo.New(odoo.Config{URL: "http://odoo.example.com", Database: "db", Username: "u", APIKey: "k"})
	if want := "refused: http://odoo.example.com is plain http to a host other than loopback; use https, or an administrator lists the host in --insecure-http-hosts"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// huge answers every request with a JSON reply of 64 MiB, streamed.
func huge(t *testing.T, wrap func(w io.Writer, fill func())) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(`"abcdefghijklmnopqrstuvwxyz0123",`, 1<<15)) // 1 MiB
		wrap(w, func() {
			for range 64 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			w.Write([]byte(`"end"`))
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A 64 MiB reply fails with a clear error, and the heap stays below the
// chart's 256 MiB limit while it is read.
func TestHugeRepliesFailClearlyWithinTheHeap(t *testing.T) {
	odooSrv := huge(t, func(w io.Writer, fill func()) {
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"server_serie":"18.0","server_version_info":[`)
		fill()
		io.WriteString(w, `]}}`)
	})
	shopSrv := huge(t, func(w io.Writer, fill func()) {
		io.WriteString(w, `{"data":{"shop":{"name":"x","tags":[`)
		fill()
		io.WriteString(w, `]}}}`)
	})
	var oerr, serr error
	peak := heapDuring(func() {
		oc, err := odoo.New(odoo.Config{URL: odooSrv.URL, Database: "db", Username: "u", APIKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		oerr = oc.Connect(ctx(t))
		sc, err := shopify.New(shopify.Config{Endpoint: shopSrv.URL, AccessToken: "t"})
		if err != nil {
			t.Fatal(err)
		}
		_, serr = sc.ShopInfo(ctx(t))
	})
	if oerr == nil || oerr.Error() != "Odoo answered more than 32 MiB to common.version" || !odoo.IsKind(oerr, odoo.TooLarge) {
		t.Errorf("Odoo: %v", oerr)
	}
	var se *shopify.Error
	if !errors.As(serr, &se) || se.Message != "Shopify answered more than 16 MiB to ShopInfo" || shopify.IsRetryable(serr) {
		t.Errorf("Shopify: %v", serr)
	}
	if peak > 256<<20 {
		t.Errorf("heap peaked at %d MiB", peak>>20)
	}
	t.Logf("heap peak %d MiB", peak>>20)
}
