// Package egress holds the rules for every connection the manager makes:
// which endpoints may receive credentials and over what, where files may be
// fetched from, how much of a reply is read, and what of a failure may be
// told to the people who read conditions and events.
package egress

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Policy is the operator's egress settings. The zero value is the strict
// default: https everywhere but loopback, files only from Shopify's hosts.
type Policy struct {
	// InsecureHosts may be reached over plain http besides loopback, e.g. an
	// Odoo inside the cluster: "odoo.internal" or "odoo.internal:8069".
	InsecureHosts []string
	// FileHosts may serve images and bulk results besides Shopify's own
	// (FileHostsDefault) and the shop's. Their addresses must still be
	// public.
	FileHosts []string
}

// FileHostsDefault are the hosts Shopify serves images, bulk results and
// staged uploads from.
var FileHostsDefault = []string{"cdn.shopify.com", "storage.googleapis.com", "shopify-staged-uploads.storage.googleapis.com"}

// RefusedError is a connection the rules do not allow. Its text says why,
// without what the other side answered.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

func refusedf(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// IsRefused tells whether err is, or wraps, a refusal of the rules.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

// CheckEndpoint refuses an endpoint that would receive credentials over
// plain http, unless it is loopback or one of InsecureHosts.
func (p Policy) CheckEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return refusedf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) || p.insecure(u) {
			return nil
		}
		return refusedf("%s://%s is plain http to a host other than loopback; use https, or an administrator lists the host in --insecure-http-hosts", u.Scheme, u.Host)
	}
	return refusedf("%s://%s: only https (and http to loopback) is allowed", u.Scheme, u.Host)
}

func (p Policy) insecure(u *url.URL) bool {
	return slices.ContainsFunc(p.InsecureHosts, func(h string) bool {
		return strings.EqualFold(h, u.Host) || strings.EqualFold(h, u.Hostname())
	})
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Client is the HTTP client of an endpoint that receives credentials:
// caPEM, when given, replaces the system's authorities; a redirect is only
// followed to the same host and port, and never from https to a plain http
// the policy does not allow, since the request carries credentials in its
// headers or body.
func (p Policy) Client(caPEM []byte, maxIdlePerHost int) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if maxIdlePerHost > 0 {
		tr.MaxIdleConnsPerHost = maxIdlePerHost
	}
	if len(caPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, refusedf("the CA bundle holds no PEM certificate")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return refusedf("more than 5 redirects")
		}
		if req.URL.Host != via[0].URL.Host {
			return refusedf("redirected to another host (%s), which would receive the credentials", req.URL.Hostname())
		}
		return p.CheckEndpoint(req.URL.String())
	}}, nil
}

// dialTimeout bounds a connection attempt to a file host.
const dialTimeout = 10 * time.Second
