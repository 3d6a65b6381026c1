// Package shopify is a client for the Shopify Admin GraphQL API: cost-paced,
// retrying, with typed operations for orders, products, inventory,
// fulfillments and webhooks.
package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopify-odoo/connector/internal/backoff"
	"github.com/shopify-odoo/connector/internal/egress"
)

// DefaultAPIVersion is the Admin API version used when Config leaves it empty.
const DefaultAPIVersion = "2026-10"

// DefaultMaxReply bounds a reply: a page of 250 full orders is a few MiB.
const DefaultMaxReply = 16 << 20

// maxThrottled bounds how often one call is refused by the bucket before giving up.
const maxThrottled = 20

// Config says how to reach one shop.
type Config struct {
	Shop       string // e.g. "example.myshopify.com"
	APIVersion string // default DefaultAPIVersion
	// Endpoint overrides https://{Shop}, e.g. with a simulator's URL.
	Endpoint string
	// AccessToken is a static Admin API token. Without it, ClientID and
	// ClientSecret obtain one with the client-credentials grant.
	AccessToken  string
	ClientID     string
	ClientSecret string
	// Egress says which URLs may receive the credentials and where files
	// come from.
	Egress egress.Policy
	// HTTPClient replaces the client built from Egress, for tests.
	HTTPClient  *http.Client
	MaxReply    int64         // bytes read of a reply, default DefaultMaxReply
	Timeout     time.Duration // per HTTP attempt, default 30s
	MaxAttempts int           // per call on transport and server errors, default 5
	Observer    Observer
	// Withheld is told the protected customer data ("name", "email",
	// "phone", "address") Shopify withheld from a reply, which the call
	// went on without; optional.
	Withheld func(contents []string)
}

// Observer receives the client's metrics; wire it to Prometheus or a log.
// Methods are called from the request goroutine and must be quick.
type Observer interface {
	// QueryCost reports a reply's requested and actual cost points.
	QueryCost(op string, requested, actual float64)
	// Waited reports time spent waiting for the cost bucket; throttled is
	// set when Shopify refused the request first.
	Waited(op string, d time.Duration, throttled bool)
	// Retried reports a retry after a transport or server error.
	Retried(op string, err error)
}

// Stats are the client's counters since New.
type Stats struct {
	Requests   int64
	CostPoints int64 // actual cost points charged
	Throttled  int64 // THROTTLED replies received
	Retries    int64
	WaitTime   time.Duration // spent pacing before sending
}

// Client talks to one shop. It is safe for concurrent use.
type Client struct {
	cfg      Config
	base     string
	http     *http.Client
	files    *egress.Files
	limiter  *limiter
	tokenMu  sync.Mutex
	token    string
	renewAt  time.Time
	now      func() time.Time
	requests atomic.Int64
	points   atomic.Int64
	throttle atomic.Int64
	retries  atomic.Int64
	waited   atomic.Int64
}

// New checks cfg and returns a client. No request is made.
func New(cfg Config) (*Client, error) {
	if cfg.Shop == "" && cfg.Endpoint == "" {
		return nil, errors.New("shopify: Shop or Endpoint is required")
	}
	if cfg.AccessToken == "" && (cfg.ClientID == "" || cfg.ClientSecret == "") {
		return nil, errors.New("shopify: an access token or a client id and secret are required")
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.MaxReply <= 0 {
		cfg.MaxReply = DefaultMaxReply
	}
	base := strings.TrimRight(cfg.Endpoint, "/")
	if base == "" {
		base = "https://" + cfg.Shop
	}
	if err := cfg.Egress.CheckEndpoint(base); err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		var err error
		if hc, err = cfg.Egress.Client(nil, 0); err != nil {
			return nil, err
		}
	}
	u, _ := url.Parse(base)
	files := cfg.Egress.Files(hc, u.Scheme+"://"+u.Host, cfg.Shop)
	return &Client{cfg: cfg, base: base, http: hc, files: files, limiter: limiterFor(base), now: time.Now}, nil
}

// Stats returns the counters since New.
func (c *Client) Stats() Stats {
	return Stats{
		Requests: c.requests.Load(), CostPoints: c.points.Load(), Throttled: c.throttle.Load(),
		Retries: c.retries.Load(), WaitTime: time.Duration(c.waited.Load()),
	}
}

type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code           string `json:"code"`
		RequiredAccess string `json:"requiredAccess"` // set when a scope is missing
	} `json:"extensions"`
}

// optional are the fields, by name, the connector goes on without when
// Shopify withholds them: protected customer data the app is not approved
// for, by what they hold. Shopify answers the rest of the query. A test
// checks the list against the protected fields the documents select.
var optional = map[string]string{
	"firstName": "name", "lastName": "name", "displayName": "name", "name": "name",
	"email": "email", "emailAddress": "email", "phone": "phone", "phoneNumber": "phone",
	"address1": "address", "address2": "address", "zip": "address",
}

// withheld returns what the optional fields among errs hold, and the
// other errors: a field denied for want of a scope, which Shopify says in
// requiredAccess, fails the call.
func withheld(errs []gqlError) (contents []string, others []gqlError) {
	for _, e := range errs {
		var name string
		if len(e.Path) > 0 {
			name, _ = e.Path[len(e.Path)-1].(string)
		}
		if content := optional[name]; e.Extensions.Code == "ACCESS_DENIED" && e.Extensions.RequiredAccess == "" && content != "" {
			contents = append(contents, content)
		} else {
			others = append(others, e)
		}
	}
	slices.Sort(contents)
	return slices.Compact(contents), others
}

type reply struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"` // a list, or a string on auth failures
	Extensions struct {
		Cost   *cost          `json:"cost"`
		Search []searchReport `json:"search"`
	} `json:"extensions"`
}

// searchReport is Shopify's account of a search argument it could not
// fully use: terms on unknown fields are ignored, values a field does not
// accept match nothing.
type searchReport struct {
	Query    string `json:"query"`
	Warnings []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
		Code    string `json:"code"`
	} `json:"warnings"`
}

// do runs a document, pacing, retrying and renewing the token as needed, and
// decodes data into out.
func (c *Client) do(ctx context.Context, d *document, vars map[string]any, out any) error {
	op := d.name
	body, err := json.Marshal(map[string]any{"query": d.text, "variables": vars, "operationName": d.name})
	if err != nil {
		return &Error{Kind: KindGraphQL, Op: op, Err: err}
	}
	attempts, throttled, renewed := 0, 0, false
	for {
		reserved, waited, err := c.limiter.acquire(ctx, op)
		if err != nil {
			return &Error{Kind: KindTransport, Op: op, Err: err}
		}
		if waited > 0 {
			c.waited.Add(int64(waited))
			if c.cfg.Observer != nil {
				c.cfg.Observer.Waited(op, waited, throttled > 0)
			}
		}
		r, err := c.attempt(ctx, op, body)
		var cst *cost
		if r != nil {
			cst = r.Extensions.Cost
		}
		c.limiter.release(op, reserved, cst)
		if cst != nil && cst.ActualQueryCost != nil {
			c.points.Add(int64(*cst.ActualQueryCost))
			if c.cfg.Observer != nil {
				c.cfg.Observer.QueryCost(op, cst.RequestedQueryCost, *cst.ActualQueryCost)
			}
		}
		if err == nil {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(r.Data, out); err != nil {
				return &Error{Kind: KindGraphQL, Op: op, Message: "cannot decode reply", Err: err}
			}
			return nil
		}
		var e *Error
		errors.As(err, &e)
		switch {
		case e.Kind == KindThrottled:
			c.throttle.Add(1)
			if throttled++; throttled >= maxThrottled {
				return e
			}
			if cst != nil {
				continue // the limiter now knows how long to wait
			}
			wait := e.RetryAfter // a bare 429
			if wait <= 0 {
				wait = backoff.Delay(throttled, 200*time.Millisecond, 10*time.Second)
			}
			if err := backoff.Sleep(ctx, wait); err != nil {
				return &Error{Kind: KindTransport, Op: op, Err: err}
			}
			continue
		case e.Kind == KindUnauthorized && c.cfg.AccessToken == "" && !renewed:
			renewed = true
			c.dropToken()
			continue
		case !IsRetryable(e):
			return e
		case d.mutation && !d.idempotent && e.Op == op && e.Status != http.StatusTooManyRequests && !notSent(e.Err):
			// e.Op is "token" when the grant failed before anything was sent.
			e.MaybeApplied = true
			return e
		}
		if attempts++; attempts >= c.cfg.MaxAttempts {
			return e
		}
		c.retries.Add(1)
		if c.cfg.Observer != nil {
			c.cfg.Observer.Retried(op, e)
		}
		if err := backoff.Sleep(ctx, backoff.Delay(attempts, 200*time.Millisecond, 10*time.Second)); err != nil {
			return &Error{Kind: KindTransport, Op: op, Err: err}
		}
	}
}

// notSent reports failures that happened before the request reached Shopify.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// attempt makes one HTTP request. The returned reply may accompany an error
// (THROTTLED carries the bucket state).
func (c *Client) attempt(ctx context.Context, op string, body []byte) (*reply, error) {
	token, err := c.accessToken(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	url := c.base + "/admin/api/" + c.cfg.APIVersion + "/graphql.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Kind: KindTransport, Op: op, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Kind: KindTransport, Op: op, Err: egress.Wrap(err)}
	}
	defer resp.Body.Close()
	var r reply
	jsonErr := json.NewDecoder(egress.LimitReader(resp.Body, c.cfg.MaxReply)).Decode(&r)
	var large *egress.TooLargeError
	var syntax *json.SyntaxError
	switch {
	case errors.As(jsonErr, &large):
		return nil, &Error{Kind: KindGraphQL, Op: op, Status: resp.StatusCode,
			Message: fmt.Sprintf("Shopify answered more than %s to %s", egress.MiB(large.Limit), op)}
	case jsonErr != nil && jsonErr != io.EOF && !errors.As(jsonErr, &syntax) && !errors.As(jsonErr, new(*json.UnmarshalTypeError)):
		return nil, &Error{Kind: KindTransport, Op: op, Status: resp.StatusCode, Err: egress.Wrap(jsonErr)}
	}
	if e := statusError(op, resp.StatusCode); e != nil {
		if secs, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && secs > 0 {
			e.RetryAfter = time.Duration(secs * float64(time.Second))
		}
		if jsonErr == nil {
			e.Message = errorMessage(r.Errors)
			return &r, e
		}
		return nil, e
	}
	if jsonErr != nil {
		return nil, &Error{Kind: KindServer, Op: op, Status: resp.StatusCode, Message: "reply is not JSON"}
	}
	var errs []gqlError
	if len(r.Errors) > 0 && json.Unmarshal(r.Errors, &errs) == nil && len(errs) > 0 {
		contents, others := withheld(errs)
		if len(others) > 0 {
			return &r, graphqlError(op, others)
		}
		if c.cfg.Withheld != nil {
			c.cfg.Withheld(contents)
		}
	}
	// A search Shopify did not understand lists the wrong objects, often
	// none: fail rather than act on that listing.
	for _, s := range r.Extensions.Search {
		for _, w := range s.Warnings {
			return &r, &Error{Kind: KindGraphQL, Op: op, Code: w.Code, Message: fmt.Sprintf("search %q: %s: %s", s.Query, w.Field, w.Message)}
		}
	}
	return &r, nil
}

func statusError(op string, status int) *Error {
	kinds := map[int]Kind{
		http.StatusUnauthorized: KindUnauthorized, http.StatusForbidden: KindForbidden,
		http.StatusPaymentRequired: KindForbidden, http.StatusLocked: KindForbidden,
		http.StatusNotFound: KindNotFound, http.StatusTooManyRequests: KindThrottled,
	}
	switch k, ok := kinds[status]; {
	case ok:
		return &Error{Kind: k, Op: op, Status: status}
	case status >= 500:
		return &Error{Kind: KindServer, Op: op, Status: status}
	case status >= 300:
		return &Error{Kind: KindGraphQL, Op: op, Status: status}
	}
	return nil
}

func errorMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var errs []gqlError
	json.Unmarshal(raw, &errs)
	if len(errs) > 0 {
		return errs[0].Message
	}
	return ""
}

func graphqlError(op string, errs []gqlError) *Error {
	var msgs []string // once each: a field denied on every order of a page says so once
	for _, e := range errs {
		if !slices.Contains(msgs, e.Message) {
			msgs = append(msgs, e.Message)
		}
	}
	e := &Error{Kind: KindGraphQL, Op: op, Code: errs[0].Extensions.Code, Message: strings.Join(msgs, "; ")}
	switch e.Code {
	case "THROTTLED":
		e.Kind = KindThrottled
	case "ACCESS_DENIED":
		e.Kind = KindForbidden
	case "NOT_FOUND":
		e.Kind = KindNotFound
	case "INTERNAL_SERVER_ERROR":
		e.Kind = KindServer
	}
	return e
}

// userErrors turns a mutation's userErrors into an error.
func userErrors(op string, errs []UserError) error {
	if len(errs) == 0 {
		return nil
	}
	return &Error{Kind: KindUserErrors, Op: op, UserErrors: errs}
}

// errorf builds an error for replies that are well formed but unusable.
func errorf(op string, kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Op: op, Message: fmt.Sprintf(format, args...)}
}

// Download reads a file the shop named, such as a product image, by the
// file rules, up to limit bytes.
func (c *Client) Download(ctx context.Context, url string, limit int64) ([]byte, error) {
	return c.files.Get(ctx, url, limit)
}
