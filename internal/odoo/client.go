// Package odoo is a client for Odoo 17, 18 and 19 over the external API
// (JSON-RPC on /jsonrpc, JSON-2 on /json/2) with typed operations for the
// sale, stock and invoicing flow.
package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shopify-odoo/connector/internal/backoff"
	"github.com/shopify-odoo/connector/internal/egress"
)

// Protocols.
const (
	ProtocolAuto    = "auto"
	ProtocolJSONRPC = "jsonrpc"
	ProtocolJSON2   = "json2"
)

// Config configures a Client.
type Config struct {
	URL           string
	Database      string
	Username      string
	APIKey        string
	Protocol      string         // auto (default), jsonrpc or json2
	Timeout       time.Duration  // per round trip, 30s by default
	MaxConcurrent int            // calls in flight to this server, 4 by default
	MaxAttempts   int            // attempts for retryable failures, 3 by default
	MaxReply      int64          // bytes read of a reply, DefaultMaxReply by default
	Egress        egress.Policy  // which URLs may receive the credentials
	CABundle      []byte         // PEM authorities trusted instead of the system's
	HTTPClient    *http.Client   // replaces the one built from Egress and CABundle
	Observer      func(CallInfo) // called after every round trip
}

// DefaultMaxReply bounds a reply: the largest the connector asks for is one
// record's images.
const DefaultMaxReply = 32 << 20

// String leaves the API key out, so that logging a Config is safe.
func (c Config) String() string {
	return fmt.Sprintf("odoo.Config{URL:%s Database:%s Username:%s Protocol:%s}", c.URL, c.Database, c.Username, c.Protocol)
}

// CallInfo describes one round trip, for metrics.
type CallInfo struct {
	Model, Method string // Model is "common" for the common service
	Attempt       int
	Duration      time.Duration
	Err           error
}

// Client talks to one Odoo database. It is safe for concurrent use.
type Client struct {
	cfg      Config
	http     *http.Client
	sem      chan struct{}
	reqID    atomic.Int64
	version  string
	major    int
	protocol string
	uid      int64
	adapter  *Adapter
	// company is the only company the calls work in, once set: Odoo's
	// record rules then hide every other company's records from them.
	company atomic.Int64
}

// New validates cfg; Connect must be called before any other method.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" || cfg.Database == "" || cfg.Username == "" || cfg.APIKey == "" {
		return nil, errors.New("odoo: URL, database, username and API key are required")
	}
	switch cfg.Protocol {
	case "":
		cfg.Protocol = ProtocolAuto
	case ProtocolAuto, ProtocolJSONRPC, ProtocolJSON2:
	default:
		return nil, fmt.Errorf("odoo: unknown protocol %q", cfg.Protocol)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if err := cfg.Egress.CheckEndpoint(cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.MaxReply <= 0 {
		cfg.MaxReply = DefaultMaxReply
	}
	hc := cfg.HTTPClient
	if hc == nil {
		var err error
		if hc, err = cfg.Egress.Client(cfg.CABundle, cfg.MaxConcurrent); err != nil {
			return nil, err
		}
	}
	return &Client{cfg: cfg, http: hc, sem: make(chan struct{}, cfg.MaxConcurrent)}, nil
}

// ServerVersion is the server's series, e.g. "18.0".
func (c *Client) ServerVersion() string { return c.version }

// Major is the server's major version, e.g. 18.
func (c *Client) Major() int { return c.major }

// Protocol is the protocol in use after Connect.
func (c *Client) Protocol() string { return c.protocol }

// UID is the authenticated user's id.
func (c *Client) UID() int64 { return c.uid }

// SetCompany makes every later call work in company only: its context's
// allowed_company_ids names it alone, so that it is the current company
// (the one new records get) and the only one whose records are seen.
func (c *Client) SetCompany(company int64) { c.company.Store(company) }

// Company is the company set by SetCompany, 0 before.
func (c *Client) Company() int64 { return c.company.Load() }

type anyCompanyKey struct{}

// withoutCompany marks calls made with ctx as working in all the user's
// companies, as before SetCompany.
func withoutCompany(ctx context.Context) context.Context {
	return context.WithValue(ctx, anyCompanyKey{}, true)
}

// inCompany adds the company to kwargs' context, leaving kwargs untouched.
func (c *Client) inCompany(kwargs map[string]any) map[string]any {
	company := c.company.Load()
	if company == 0 {
		return kwargs
	}
	out := maps.Clone(kwargs)
	if out == nil {
		out = map[string]any{}
	}
	odooCtx := map[string]any{}
	if given, ok := kwargs["context"].(map[string]any); ok {
		maps.Copy(odooCtx, given)
	}
	odooCtx["allowed_company_ids"] = []int64{company}
	out["context"] = odooCtx
	return out
}

// Adapter holds the version-dependent field names and calls.
func (c *Client) Adapter() *Adapter { return c.adapter }

// Connect reads the server version, authenticates, picks the protocol and
// loads the version adapter.
func (c *Client) Connect(ctx context.Context) error {
	var info struct {
		Serie string `json:"server_serie"`
		Info  []any  `json:"server_version_info"`
	}
	if err := c.roundTrip(ctx, "common", "version", func(ctx context.Context) error {
		return c.jsonrpc(ctx, "common", "version", []any{}, &info)
	}); err != nil {
		return err
	}
	c.version = info.Serie
	if len(info.Info) > 0 {
		n, _ := info.Info[0].(float64)
		c.major = int(n)
	}
	if c.major == 0 {
		c.major, _ = strconv.Atoi(strings.SplitN(info.Serie, ".", 2)[0])
	}
	c.protocol = c.cfg.Protocol
	if c.protocol == ProtocolAuto {
		c.protocol = ProtocolJSONRPC
		if c.major >= 19 {
			c.protocol = ProtocolJSON2
		}
	}
	if err := c.authenticate(ctx); err != nil {
		return err
	}
	a, err := loadAdapter(ctx, c)
	if err != nil {
		return err
	}
	c.adapter = a
	return nil
}

func (c *Client) authenticate(ctx context.Context) error {
	if c.protocol == ProtocolJSON2 {
		var uc struct {
			UID int64 `json:"uid"`
		}
		err := c.Call(ctx, "res.users", "context_get", nil, nil, &uc)
		if IsKind(err, AccessDenied) {
			return ErrBadCredentials
		}
		c.uid = uc.UID
		return err
	}
	var uid any
	err := c.roundTrip(ctx, "common", "authenticate", func(ctx context.Context) error {
		return c.jsonrpc(ctx, "common", "authenticate", []any{c.cfg.Database, c.cfg.Username, c.cfg.APIKey, map[string]any{}}, &uid)
	})
	if err != nil {
		return err
	}
	n, ok := uid.(float64)
	if !ok || n == 0 {
		return ErrBadCredentials
	}
	c.uid = int64(n)
	return nil
}

type idempotentKey struct{}

// Idempotent marks calls made with ctx as safe to repeat after a lost reply.
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// readOnly methods are repeated after a transport failure; a write with
// absolute values is too, since applying it twice gives the same record.
var readOnly = map[string]bool{"search": true, "search_read": true, "search_count": true, "read": true, "fields_get": true,
	"name_search": true, "default_get": true, "context_get": true, "address_get": true, "write": true,
	"has_access": true, "check_access_rights": true}

// Call runs model.method with positional args and keyword args; the result
// is decoded into out (which may be nil). A method returning None leaves out
// untouched.
func (c *Client) Call(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error {
	if ctx.Value(anyCompanyKey{}) == nil {
		kwargs = c.inCompany(kwargs)
	}
	return c.roundTrip(ctx, model, method, func(ctx context.Context) error {
		if c.protocol == ProtocolJSON2 {
			return c.json2(ctx, model, method, args, kwargs, out)
		}
		if kwargs == nil {
			kwargs = map[string]any{}
		}
		if args == nil {
			args = []any{}
		}
		return c.jsonrpc(ctx, "object", "execute_kw",
			[]any{c.cfg.Database, c.uid, c.cfg.APIKey, model, method, args, kwargs}, out)
	})
}

// roundTrip runs do under the concurrency bound and the per-call timeout,
// retrying what is safe to retry.
func (c *Client) roundTrip(ctx context.Context, model, method string, do func(context.Context) error) error {
	safe := readOnly[method] || model == "common" || ctx.Value(idempotentKey{}) != nil
	var err error
	for attempt := 1; ; attempt++ {
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		err = do(cctx)
		cancel()
		<-c.sem
		if c.cfg.Observer != nil {
			c.cfg.Observer(CallInfo{Model: model, Method: method, Attempt: attempt, Duration: time.Since(start), Err: err})
		}
		if err == nil || !IsRetryable(err) || ctx.Err() != nil {
			break
		}
		// a serialization failure was rolled back and a refused dial never
		// reached the server: both are safe to repeat for any call
		if !safe && !IsKind(err, Concurrency) && !isDialError(err) {
			return fmt.Errorf("%w: %s.%s: %w", ErrReplyLost, model, method, err)
		}
		if attempt >= c.cfg.MaxAttempts {
			break
		}
		if err := backoff.Sleep(ctx, backoff.Delay(attempt, 50*time.Millisecond, 5*time.Second)); err != nil {
			return err
		}
	}
	return err
}

func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// post sends body and hands the reply's status and JSON to decode, reading
// at most MaxReply bytes of it: a larger reply fails, however it is read.
func (c *Client) post(ctx context.Context, path, model, method string, body any, header http.Header, decode func(status int, d *json.Decoder) error) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header = header
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return egress.Wrap(err)
	}
	defer resp.Body.Close()
	err = decode(resp.StatusCode, json.NewDecoder(egress.LimitReader(resp.Body, c.cfg.MaxReply)))
	var large *egress.TooLargeError
	if errors.As(err, &large) {
		return &Error{Kind: TooLarge, HTTPStatus: resp.StatusCode, Model: model, Method: method,
			Message: fmt.Sprintf("Odoo answered more than %s to %s.%s", egress.MiB(large.Limit), model, method)}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &syntax) && !errors.As(err, &typ) && !errors.As(err, new(*Error)) {
		return egress.Wrap(err) // the body was cut
	}
	return err
}

// into decodes a JSON value straight into out, without a copy of it.
type into struct{ out any }

func (i into) UnmarshalJSON(b []byte) error { return decodeResult(b, i.out) }

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"data"`
}

func (c *Client) jsonrpc(ctx context.Context, service, method string, args []any, out any) error {
	body := map[string]any{"jsonrpc": "2.0", "method": "call", "id": c.reqID.Add(1),
		"params": map[string]any{"service": service, "method": method, "args": args}}
	model, meth := service, method
	if service == "object" {
		model, meth = args[3].(string), args[4].(string)
	}
	return c.post(ctx, "/jsonrpc", model, meth, body, http.Header{}, func(status int, d *json.Decoder) error {
		reply := struct {
			Result into      `json:"result"`
			Error  *rpcError `json:"error"`
		}{Result: into{out}}
		err := d.Decode(&reply)
		var syntax *json.SyntaxError
		if status != http.StatusOK || errors.As(err, &syntax) {
			return &Error{Kind: Transport, HTTPStatus: status, Model: model, Method: meth, Message: http.StatusText(status)}
		}
		if err != nil {
			return err
		}
		if reply.Error != nil {
			msg := reply.Error.Data.Message
			if msg == "" {
				msg = reply.Error.Message
			}
			return &Error{Name: reply.Error.Data.Name, Message: msg, Kind: kindOf(reply.Error.Data.Name, 0),
				HTTPStatus: status, Model: model, Method: meth}
		}
		return nil
	})
}

func decodeResult(raw json.RawMessage, out any) error {
	if out == nil || len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// params names the positional arguments of the methods the client uses, for
// JSON-2 which only takes named ones. Unlisted methods take ids only.
var params = map[string][]string{
	"search":       {"domain", "offset", "limit", "order"},
	"search_read":  {"domain", "fields", "offset", "limit", "order"},
	"search_count": {"domain", "limit"},
	"read":         {"ids", "fields"},
	"create":       {"vals_list"},
	"write":        {"ids", "vals"},
	"fields_get":   {"allfields", "attributes"},
	"name_search":  {"name", "domain", "operator", "limit"},
	"default_get":  {"fields_list"},
	"address_get":  {"ids", "adr_pref"},
	"context_get":  {},
	"has_access":   {"ids", "operation"},
}

func (c *Client) json2(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error {
	names, ok := params[method]
	if !ok {
		names = []string{"ids"}
	}
	if len(args) > len(names) {
		return fmt.Errorf("odoo: %s.%s takes at most %d positional arguments", model, method, len(names))
	}
	body := map[string]any{}
	for k, v := range kwargs {
		body[k] = v
	}
	for i, a := range args {
		body[names[i]] = a
	}
	if v, ok := body["vals_list"].(map[string]any); ok {
		body["vals_list"] = []any{v}
	}
	header := http.Header{}
	header.Set("Authorization", "bearer "+c.cfg.APIKey)
	header.Set("X-Odoo-Database", c.cfg.Database)
	return c.post(ctx, "/json/2/"+model+"/"+method, model, method, body, header, func(status int, d *json.Decoder) error {
		if status == http.StatusOK {
			return d.Decode(&into{out})
		}
		var e struct {
			Name    string `json:"name"`
			Message string `json:"message"`
		}
		if err := d.Decode(&e); err != nil || e.Name == "" {
			return &Error{Kind: Transport, HTTPStatus: status, Model: model, Method: method, Message: http.StatusText(status)}
		}
		return &Error{Name: e.Name, Message: e.Message, Kind: kindOf(e.Name, status), HTTPStatus: status, Model: model, Method: method}
	})
}
