package security

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/egress"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/heap"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

const token = "shpat_security"

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}

// internal stands for a service inside the cluster: it counts the requests
// that reach it and answers with what must never leave it.
func internal(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"AccessKeyId":"AKIAINTERNAL","SecretAccessKey":"internal-secret"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// A shop names its images; the manager fetches them only from Shopify's
// hosts, the shop's own and --file-hosts, over https, at public addresses
// (checked when dialling, so a name that resolves to loopback is refused
// too), and follows no redirect off the shop's endpoint. The refusal says
// why, without the address dialled, and nothing reaches the service.
func TestImagesOnlyFromShopifyHostsAtPublicAddresses(t *testing.T) {
	svc, hits := internal(t)
	port := svc.Listener.Addr().(*net.TCPAddr).Port
	shop := httptest.NewServer(http.RedirectHandler(svc.URL+"/latest/meta-data", http.StatusTemporaryRedirect))
	defer shop.Close()
	sc, err := shopify.New(shopify.Config{Shop: "my-shop.myshopify.com", Endpoint: shop.URL, AccessToken: token,
		Egress: egress.Policy{FileHosts: []string{"localhost"}}})
	if err != nil {
		t.Fatal(err)
	}
	for url, why := range map[string]string{
		svc.URL + "/secret":                        "files are fetched over https only",
		"https://169.254.169.254/latest/meta-data": "169.254.169.254 is not a host files are fetched from",
		"https://10.0.0.7/secret":                  "10.0.0.7 is not a host files are fetched from",
		"https://metadata.google.internal/":        "metadata.google.internal is not a host files are fetched from",
		fmt.Sprintf("https://localhost:%d/", port): "the host resolves to a loopback address",
		shop.URL + "/image.png":                    "redirected to another host (127.0.0.1)",
	} {
		b, err := sc.Download(ctx(t), url, 1<<20)
		if !egress.IsRefused(err) || !strings.Contains(err.Error(), why) || len(b) != 0 {
			t.Errorf("%s: %q, %v; want refused: %s", url, b, err, why)
		}
		if err != nil && strings.Contains(err.Error(), "dial") {
			t.Errorf("%s: the dial error is told: %v", url, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal service got %d requests", n)
	}
}

// A product import whose image is an internal URL fails its line with the
// refusal: the body lands in no product and the line says no address.
func TestProductImportRefusesAnInternalImage(t *testing.T) {
	svc, hits := internal(t)
	oc, _, sc, ss := sims(t, odoosim.Options{Catalog: true}, shopifysim.Options{Products: 2})
	var target string
	for _, id := range ss.Store().ProductIDs() {
		if err := ss.Store().UpdateProduct(id, func(p shopifysim.Obj) {
			if media, _ := p["media"].([]shopifysim.Obj); len(media) > 0 && target == "" {
				media[0]["image"].(shopifysim.Obj)["url"] = svc.URL + "/latest/meta-data/iam"
				target = id
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	im := &catalogimport.Importer{Shopify: sc, Odoo: oc, Settings: importer.Settings{Shop: "sim-shop.myshopify.com"}}
	id := target[strings.LastIndex(target, "/")+1:]
	res, err := im.Products(ctx(t), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].OdooID != 0 || !strings.HasPrefix(res[0].Message, "downloading the image: refused: http: files are fetched over https only") {
		t.Fatalf("results %+v", res)
	}
	if strings.Contains(res[0].Message, "127.0.0.1") || strings.Contains(res[0].Message, "dial") {
		t.Errorf("the line tells the address: %q", res[0].Message)
	}
	var withImage []int64
	if withImage, err = oc.Search(ctx(t), "product.template", odoo.Domain{odoo.Cond("image_1920", "!=", false)}, 0); err != nil || len(withImage) != 0 {
		t.Errorf("templates with an image: %v %v", withImage, err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal service got %d requests", n)
	}
}

// sims starts Odoo 18 and Shopify simulators with opts and clients of them.
func sims(t *testing.T, oo odoosim.Options, so shopifysim.Options) (*odoo.Client, *odoosim.Sim, *shopify.Client, *shopifysim.Sim) {
	oo.Version, oo.APIKey = 18, "key"
	os := odoosim.New(oo)
	os.Start()
	t.Cleanup(os.Close)
	oc, err := odoo.New(odoo.Config{URL: os.URL(), Database: "odoo", Username: "admin", APIKey: "key"})
	if err == nil {
		err = oc.Connect(ctx(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	so.AccessToken, so.RestoreRate, so.MaxCost = token, 1e5, 1e5
	ss, err := shopifysim.Start(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ss.Close)
	sc, err := shopify.New(shopify.Config{Shop: "sim-shop.myshopify.com", Endpoint: ss.URL(), AccessToken: token, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return oc, os, sc, ss
}

// heapDuring runs fn and returns the peak of the heap meanwhile.
func heapDuring(fn func()) uint64 {
	runtime.GC()
	stop := make(chan struct{})
	peak := heap.Peak(stop)
	fn()
	close(stop)
	return <-peak
}
