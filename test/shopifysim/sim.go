// Package shopifysim is an in-process Shopify Admin API: it validates every
// document against the real schema, executes it over a generated store,
// charges query cost against a leaky bucket and can inject faults.
package shopifysim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopify-odoo/connector/test/shopifyschema"
)

// Options configure a simulator. Zero values pick the defaults.
type Options struct {
	Shop   string // default "sim-shop.myshopify.com"
	Seed   uint64 // generator seed
	Orders int    // orders generated at start
	// EmptyCatalog starts without products, customers or orders.
	EmptyCatalog bool
	// Products and Customers are more products (of catalog.Large, with an
	// image each) and customers (with addresses, tags and marketing
	// consent) generated at start, beside the catalogue.
	Products, Customers int

	RestoreRate float64 // bucket points per second, default 100
	MaxCost     float64 // bucket size, default 2000
	// AccessToken is accepted as is. ClientID and ClientSecret enable the
	// client-credentials grant; issued tokens live TokenTTL (default 24h).
	AccessToken  string
	ClientID     string
	ClientSecret string
	TokenTTL     time.Duration
	// IdempotencyWindow is how long an @idempotent key is remembered;
	// default 24h (Shopify's own figure was not in the documentation at hand).
	IdempotencyWindow time.Duration
	// WebhookSecret signs webhooks; default ClientSecret.
	WebhookSecret string
	// Scopes are the access scopes granted to the app; nil grants every
	// scope the connector needs, and read_all_orders. Fields the app may
	// not read are answered as Shopify does: null and an ACCESS_DENIED error.
	Scopes []string
	// Withheld is the protected customer data the app is not approved for:
	// "name", "email", "phone" or "address" fields.
	Withheld []string
}

// Faults are injected into the coming requests; counts are consumed as they fire.
type Faults struct {
	Latency      time.Duration // added before each GraphQL reply
	ServerErrors int           // next N GraphQL requests answer HTTP 503
	Resets       int           // next N GraphQL requests are cut before running
	LostReplies  int           // next N mutations run, then the connection is cut
	// DuplicateWebhooks delivers the next N webhooks twice.
	DuplicateWebhooks int
	// Operation restricts the counted faults to one operation name, or
	// webhook topic (e.g. "orders/updated").
	Operation string
}

// Stats count what the simulator saw.
type Stats struct {
	Requests    int
	Throttled   int
	ByOperation map[string]int // executed requests by operation name
}

// Sim is a running simulator.
type Sim struct {
	opts   Options
	schema *ast.Schema
	access *shopifyschema.Access
	srv    *httptest.Server
	store  *Store

	mu      sync.Mutex
	faults  Faults
	stats   Stats
	bucket  float64
	filled  time.Time
	tokens  map[string]time.Time
	revoked bool // the app was uninstalled
	idem    map[string]idemResult
	bulkDir string
}

// Start generates the store and serves it on a loopback port.
func Start(opts Options) (*Sim, error) {
	return start(opts, "127.0.0.1:0")
}

// Listen is Start on a chosen address, for running as a process.
func Listen(opts Options, addr string) (*Sim, error) {
	return start(opts, addr)
}

func start(opts Options, addr string) (*Sim, error) {
	if opts.Shop == "" {
		opts.Shop = "sim-shop.myshopify.com"
	}
	if opts.RestoreRate <= 0 {
		opts.RestoreRate = 100
	}
	if opts.MaxCost <= 0 {
		opts.MaxCost = 2000
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 24 * time.Hour
	}
	if opts.IdempotencyWindow <= 0 {
		opts.IdempotencyWindow = 24 * time.Hour
	}
	if opts.WebhookSecret == "" {
		opts.WebhookSecret = opts.ClientSecret
	}
	if opts.Scopes == nil {
		opts.Scopes = defaultScopes()
	}
	schema, err := shopifyschema.Load()
	if err != nil {
		return nil, err
	}
	access, err := shopifyschema.LoadAccess()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sim{
		opts: opts, schema: schema, access: access, bucket: opts.MaxCost, filled: time.Now(),
		tokens: map[string]time.Time{}, idem: map[string]idemResult{},
		stats: Stats{ByOperation: map[string]int{}},
	}
	s.store = newStore(s, opts.Seed)
	s.store.generate(opts.Orders)
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: s.routes()}}
	s.srv.Start()
	return s, nil
}

// URL is the base URL to use as shopify.Config.Endpoint.
func (s *Sim) URL() string { return s.srv.URL }

// Close stops the server and removes bulk results.
func (s *Sim) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.store.closeBulk()
	s.store.webhooks.wait()
}

// Store is the simulated shop's data.
func (s *Sim) Store() *Store { return s.store }

// SetFaults replaces the faults to inject.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Faults returns the faults not yet taken.
func (s *Sim) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Stats returns a copy of the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByOperation = make(map[string]int, len(s.stats.ByOperation))
	for k, v := range s.stats.ByOperation {
		st.ByOperation[k] = v
	}
	return st
}

// SetBucket sets the points currently available, as if another app of the
// shop had spent the rest.
func (s *Sim) SetBucket(points float64) {
	s.mu.Lock()
	s.bucket, s.filled = points, time.Now()
	s.mu.Unlock()
}

// ExpireTokens revokes every token issued by the client-credentials grant.
func (s *Sim) ExpireTokens() {
	s.mu.Lock()
	clear(s.tokens)
	s.mu.Unlock()
}

func (s *Sim) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/oauth/access_token", s.serveToken)
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.serveGraphQL)
	mux.HandleFunc("GET /bulk/{file}", s.store.serveBulk)
	mux.HandleFunc("POST /staged/{token}", s.store.serveUpload)
	mux.HandleFunc("GET /images/{file}", serveImage)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Sim) serveToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in)
	} else {
		in.ClientID, in.ClientSecret, in.GrantType = r.FormValue("client_id"), r.FormValue("client_secret"), r.FormValue("grant_type")
	}
	if in.GrantType != "client_credentials" || s.opts.ClientID == "" || in.ClientID != s.opts.ClientID || in.ClientSecret != s.opts.ClientSecret {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"})
		return
	}
	tok := "shpat_" + randomHex()
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.opts.TokenTTL)
	s.stats.ByOperation["token"]++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "scope": strings.Join(s.opts.Scopes, ","), "expires_in": int(s.opts.TokenTTL.Seconds()),
	})
}

func (s *Sim) authorized(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok == "" || s.revoked {
		return false
	}
	if tok == s.opts.AccessToken {
		return true
	}
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}

// takeFault consumes one fault of the kind selected by pick, if any applies to op.
func (s *Sim) takeFault(op string, pick func(*Faults) *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.Operation != "" && s.faults.Operation != op {
		return false
	}
	if n := pick(&s.faults); *n > 0 {
		*n--
		return true
	}
	return false
}

// cut drops the connection without a reply.
func cut(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // send RST, like a dropped connection
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// charge takes requested points from the bucket, or reports the shortfall.
func (s *Sim) charge(requested float64) (ok bool, status map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.bucket = min(s.opts.MaxCost, s.bucket+now.Sub(s.filled).Seconds()*s.opts.RestoreRate)
	s.filled = now
	if requested <= s.bucket {
		s.bucket -= requested
		ok = true
	} else {
		s.stats.Throttled++
	}
	return ok, s.throttleStatus()
}

// refund returns the points a query requested but did not use.
func (s *Sim) refund(points float64) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket = min(s.opts.MaxCost, s.bucket+points)
	return s.throttleStatus()
}

func (s *Sim) throttleStatus() map[string]any {
	return map[string]any{"maximumAvailable": s.opts.MaxCost, "currentlyAvailable": int(s.bucket), "restoreRate": s.opts.RestoreRate}
}

func (s *Sim) count(op string) {
	s.mu.Lock()
	s.stats.ByOperation[op]++
	s.mu.Unlock()
}

func (s *Sim) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	latency := s.faults.Latency
	s.mu.Unlock()
	if !s.authorized(r.Header.Get("X-Shopify-Access-Token")) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	var req struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{"message": "Invalid JSON in request body"}}})
		return
	}
	_, op, errs := s.prepare(req.Query, req.OperationName)
	opName := "anonymous"
	if op != nil && op.Name != "" {
		opName = op.Name
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if s.takeFault(opName, func(f *Faults) *int { return &f.Resets }) {
		cut(w)
		return
	}
	if s.takeFault(opName, func(f *Faults) *int { return &f.ServerErrors }) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": "Service Unavailable"})
		return
	}
	if errs != nil {
		writeJSON(w, http.StatusOK, map[string]any{"errors": errs})
		return
	}
	vars, verr := coerceVariables(s.schema, op, req.Variables)
	if verr != nil {
		writeJSON(w, http.StatusOK, map[string]any{"errors": verr})
		return
	}
	requested := s.requestedCost(op, vars)
	costExt := map[string]any{"requestedQueryCost": requested, "actualQueryCost": nil}
	if requested > maxQueryCost {
		costExt["throttleStatus"] = s.refund(0)
		writeJSON(w, http.StatusOK, map[string]any{
			"errors":     []map[string]any{{"message": "Query cost is " + itoa(requested) + ", which exceeds the single query max cost limit (1000).", "extensions": map[string]any{"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": maxQueryCost}}},
			"extensions": map[string]any{"cost": costExt},
		})
		return
	}
	ok, status := s.charge(float64(requested))
	if !ok {
		costExt["throttleStatus"] = status
		writeJSON(w, http.StatusOK, map[string]any{
			"errors":     []map[string]any{{"message": "Throttled", "extensions": map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/limits#rate-limits"}}},
			"extensions": map[string]any{"cost": costExt},
		})
		return
	}
	s.count(opName)
	data, e := s.execute(op, vars)
	costExt["actualQueryCost"] = e.cost
	costExt["throttleStatus"] = s.refund(float64(requested - e.cost))
	if op.Operation == ast.Mutation && s.takeFault(opName, func(f *Faults) *int { return &f.LostReplies }) {
		cut(w)
		return
	}
	ext := map[string]any{"cost": costExt}
	if e.search != nil {
		ext["search"] = e.search
	}
	out := map[string]any{"data": data, "extensions": ext}
	if len(e.errs) > 0 {
		out["errors"] = e.errs
	}
	writeJSON(w, http.StatusOK, out)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// background is the context for work that outlives a request.
var background = context.Background()

func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
