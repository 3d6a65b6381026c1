package egress

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
)

// Files fetches images and bulk results and posts staged uploads. A URL on
// the shop endpoint's own origin, which already receives the credentials,
// goes through that endpoint's client; any other must be https to an
// allowed host whose address is public. Addresses are checked when the
// connection is dialled, so a redirect or a second DNS answer is checked
// too. Files never sends credentials.
type Files struct {
	hosts   []string
	origin  string
	trusted *http.Client
	client  *http.Client
}

// Files is the file client of a shop reached through trusted at origin
// (scheme://host[:port]); hosts are allowed besides FileHostsDefault and
// the policy's FileHosts, e.g. the shop's own domain.
func (p Policy) Files(trusted *http.Client, origin string, hosts ...string) *Files {
	f := &Files{hosts: slices.Concat(FileHostsDefault, p.FileHosts, hosts), origin: origin, trusted: trusted}
	d := &net.Dialer{Timeout: dialTimeout, Control: publicOnly}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // the address dialled must be the file host's, to be checked
	tr.DialContext = d.DialContext
	f.client = &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return refusedf("more than 5 redirects")
		}
		return f.allowed(req.URL)
	}}
	return f
}

// Do sends req where the rules allow it.
func (f *Files) Do(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) == f.origin {
		return f.trusted.Do(req)
	}
	if err := f.allowed(req.URL); err != nil {
		return nil, err
	}
	return f.client.Do(req)
}

// Get reads the file at rawURL, up to limit bytes.
func (f *Files) Get(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, refusedf("not a URL")
	}
	resp, err := f.Do(req)
	if err != nil {
		return nil, Wrap(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(LimitReader(resp.Body, limit))
	return b, Wrap(err)
}

func (f *Files) allowed(u *url.URL) error {
	if originOf(u) == f.origin {
		return nil
	}
	if u.Scheme != "https" {
		return refusedf("%s: files are fetched over https only", u.Scheme)
	}
	if !slices.ContainsFunc(f.hosts, func(h string) bool { return strings.EqualFold(h, u.Hostname()) }) {
		return refusedf("%s is not a host files are fetched from (Shopify's, the shop's or --file-hosts)", u.Hostname())
	}
	return nil
}

func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// publicOnly refuses to connect to an address that is not public. It runs
// after DNS, on the address about to be dialled.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return refusedf("bad address")
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return refusedf("bad address")
	}
	if class := addressClass(ip.Unmap()); class != "" {
		return refusedf("the host resolves to a %s address", class)
	}
	return nil
}

// addressClass names what makes ip not public, or is empty.
func addressClass(ip netip.Addr) string {
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsPrivate():
		return "private"
	case cgnat.Contains(ip):
		return "shared (CGNAT)"
	case ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || !ip.IsGlobalUnicast():
		return "non-public"
	}
	return ""
}
