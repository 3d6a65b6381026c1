package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/heap"
)

// TestServesTLSFromCertDir serves a receiver over TLS with the certificate
// of a directory, as when a Secret is mounted there.
func TestServesTLSFromCertDir(t *testing.T) {
	dir := t.TempDir()
	pool := writeCert(t, dir)
	addr := controlplane.FreeAddr(t)
	s := &sink{}
	srv := &Server{Addr: addr, CertDir: dir, Receiver: NewReceiver(Options{Lookup: s.lookup, Enqueue: s.enqueue, Log: logr.Discard()})}
	if srv.NeedLeaderElection() {
		t.Error("every replica must receive webhooks")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Start(ctx) }()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var resp *http.Response
	waitFor(t, func() bool {
		var err error
		resp, err = c.Post("https://"+addr+Path("ns", "shop"), "application/json", strings.NewReader(orderBody))
		return err == nil
	})
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an unsigned delivery over TLS: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// An attacker's uploads, each declaring the largest body and stalling on
// its last byte, keep the heap far under the chart's 256Mi memory limit:
// bodies are read a few at a time, and a stalled one gives its slot back
// when the answer is due.
func TestStalledUploadsKeepTheHeapBounded(t *testing.T) {
	const uploads, maxBody = 100, 2 << 20
	addr := controlplane.FreeAddr(t)
	s := &sink{}
	srv := &Server{Addr: addr, Receiver: NewReceiver(Options{Lookup: s.lookup, Enqueue: s.enqueue, Log: logr.Discard(), MaxBody: maxBody})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	payload := make([]byte, maxBody-1)
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n%s: %s\r\n%s: %s\r\n%s: forged\r\n\r\n",
		Path("ns", "shop"), addr, maxBody, shopify.HeaderTopic, TopicOrdersCreate, shopify.HeaderShopDomain, shop, shopify.HeaderHmac)
	var answered sync.WaitGroup
	for range uploads {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		answered.Go(func() {
			if _, err := io.WriteString(c, header); err == nil {
				_, _ = c.Write(payload) // fails once the server hangs up
			}
			_, _ = io.Copy(io.Discard, c)
		})
	}
	stop := make(chan struct{})
	peak := heap.Peak(stop)
	answered.Wait()
	close(stop)
	if p := <-peak; p > 128<<20 {
		t.Errorf("%d stalled uploads took the heap to %d MiB", uploads, p>>20)
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 as tls.crt and
// tls.key and returns a pool that trusts it.
func writeCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("tls.crt", "CERTIFICATE", der)
	write("tls.key", "EC PRIVATE KEY", kder)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}
