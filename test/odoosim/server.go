// Package odoosim is an in-memory Odoo 17, 18 or 19 speaking JSON-RPC and
// JSON-2 like the real servers recorded in testdata/transcripts.
package odoosim

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed fields_get.json
var fieldsJSON []byte

//go:embed actions.json
var actionsJSON []byte

func init() {
	loadRecordedFields(fieldsJSON)
	if err := json.Unmarshal(actionsJSON, &recordedActions); err != nil {
		panic(err)
	}
}

// Options configure a simulated server.
type Options struct {
	Version  int // 17, 18 or 19
	Database string
	Login    string
	Password string
	APIKey   string
	Catalog  bool // seed the shared product catalogue, its taxes and stock
	// Fresh makes the database as `odoo -i sale_management,stock,account`
	// does with no country given: a US company in USD (EUR exists,
	// inactive), the generic chart's accounts, taxes and journals (and
	// stock_account's), no pricelist, and an administrator outside
	// account.group_account_user. Without it the database is the
	// simulator's own: a French company in EUR, a pricelist, a Shopify
	// Payments journal.
	Fresh bool
	Now   func() time.Time // clock, time.Now by default
	// CustomFields are fields an administrator added, by model, in the
	// schema's notation, e.g. "x_accepts_marketing boolean".
	CustomFields map[string]string
	// Modules installs (true) or removes (false) modules from those of a
	// fresh database made with -i sale_management,stock,account
	// (DefaultModules), e.g. {"stock_sms": false} or {"delivery": true}.
	// Fields and models of modules not installed do not exist.
	Modules map[string]bool
	// Denied are the operations ("read", "write", "create", "unlink") the
	// API user's groups do not grant, by model: the ORM methods refuse
	// them and the access checks say so.
	Denied map[string][]string
	// SecondCompany names a second company seeded beside the first, with
	// its own taxes, journals, warehouse and pricelist, the API user
	// allowed in both (see seedSecondCompany).
	SecondCompany string
}

// The users of the seeded database: OdooBot (the superuser, who made the
// seed data) and the one the API authenticates as.
const superUser, apiUser = int64(1), int64(2)

// FaultKind selects what an injected fault does.
type FaultKind int

const (
	Latency       FaultKind = iota + 1 // delay the reply by Delay, then answer
	HTTPError                          // answer Status (503 by default) with an HTML page, without running the call
	Reset                              // drop the connection without running the call
	LostReply                          // run and commit the call, then drop the connection
	Serialization                      // fail with a PostgreSQL serialization error, without running the call
	Refuse                             // fail with Odoo's ValidationError saying Message, without running the call
)

// Fault is injected into the next Times matching calls (every call if 0).
// Empty Model, Method or Mentions match anything.
type Fault struct {
	Kind          FaultKind
	Model, Method string
	Mentions      string // text the call's arguments must contain
	Times         int
	Delay         time.Duration
	Status        int
	Message       string
}

// Sim is a simulated Odoo server.
type Sim struct {
	opts   Options
	mu     sync.Mutex
	db     *database
	faults []*Fault
	calls  map[string]int
	srv    *httptest.Server
	staff  *httptest.Server
	active atomic.Int64
	peak   atomic.Int64
}

// New builds a server with a seeded database; Start serves it.
func New(o Options) *Sim {
	if o.Version == 0 {
		o.Version = 19
	}
	if o.Database == "" {
		o.Database = "odoo"
	}
	if o.Login == "" {
		o.Login = "admin"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	modules := installedModules(o.Version, o.Modules)
	db := &database{version: o.Version, modules: modules, denied: o.Denied, models: buildSchema(o.Version, o.CustomFields, modules),
		seq: map[string]int{}, now: o.Now}
	db.registerComputes()
	s := &Sim{opts: o, db: db, calls: map[string]int{}}
	seed(db, o)
	return s
}

// Start serves on a loopback port.
func (s *Sim) Start() { s.srv = httptest.NewServer(s) }

type staffKey struct{}

// StaffURL serves the same database on a second port to the people who work
// in Odoo beside the connector: their calls meet no fault and are not
// counted.
func (s *Sim) StaffURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.staff == nil {
		s.staff = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffKey{}, true)))
		}))
	}
	return s.staff.URL
}

// Close stops the servers.
func (s *Sim) Close() {
	for _, srv := range []*httptest.Server{s.srv, s.staff} {
		if srv != nil {
			srv.CloseClientConnections()
			srv.Close()
		}
	}
}

// URL is the base URL once started.
func (s *Sim) URL() string { return s.srv.URL }

// Inject adds a fault.
func (s *Sim) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// Faults returns the faults not yet used up.
func (s *Sim) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = *f
	}
	return out
}

// ClearFaults removes every fault.
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls counts the RPCs received for model and method ("" matches any);
// common-service calls use model "common".
func (s *Sim) Calls(model, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.calls {
		m, meth, _ := strings.Cut(k, " ")
		if (model == "" || model == m) && (method == "" || method == meth) {
			n += c
		}
	}
	return n
}

// ResetCalls zeroes the counters.
func (s *Sim) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// SearchRead reads records as an RPC would, for test assertions.
func (s *Sim) SearchRead(model string, domain []any, fields ...string) ([]map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.db.begin(map[string]any{})
	m := s.db.models[model]
	if m == nil {
		return nil, fmt.Errorf("no model %s", model)
	}
	var fl []any
	for _, f := range fields {
		fl = append(fl, f)
	}
	res, err := doSearchRead(t, m, nil, map[string]any{"domain": domain, "fields": fl})
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(res)
	var out []map[string]any
	return out, json.Unmarshal(b, &out)
}

// fault returns the fault to apply to this call, if any.
func (s *Sim) fault(r *http.Request, model, method string, args any) *Fault {
	if r.Context().Value(staffKey{}) != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[model+" "+method]++
	var text []byte
	mentions := func(m string) bool {
		if text == nil {
			text, _ = json.Marshal(args)
		}
		return bytes.Contains(text, []byte(m))
	}
	for i, f := range s.faults {
		if (f.Model == "" || f.Model == model) && (f.Method == "" || f.Method == method) && (f.Mentions == "" || mentions(f.Mentions)) {
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				}
			}
			return f
		}
	}
	return nil
}

// refusal is the error a fault answers in place of running the call, if any.
func (f *Fault) refusal() error {
	switch {
	case f == nil:
		return nil
	case f.Kind == Serialization:
		return errSerialization
	case f.Kind == Refuse:
		return validationError("%s", f.Message)
	}
	return nil
}

// before applies a fault's effect preceding execution; false means the
// call must not run.
func before(w http.ResponseWriter, f *Fault) bool {
	if f == nil {
		return true
	}
	switch f.Kind {
	case Latency:
		time.Sleep(f.Delay)
	case HTTPError:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status))
		return false
	case Reset:
		drop(w)
		return false
	}
	return true
}

func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0)
			}
			_ = conn.Close()
		}
	}
}

var errSerialization = &odooError{"psycopg2.errors.SerializationFailure", "could not serialize access due to concurrent update", 500}

// execute runs one RPC in its own transaction.
func (s *Sim) execute(model, name string, ids []int64, args map[string]any, ctx map[string]any) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx == nil {
		ctx = map[string]any{}
	}
	t := s.db.begin(ctx)
	t.uid = apiUser
	if err := t.setCompanies(); err != nil {
		return nil, err
	}
	if op := ormOperation[name]; op != "" && !t.allowed(model, op) {
		return nil, t.accessError(model, op)
	}
	res, err := methods[name].run(t, s.db.models[model], ids, args)
	if err != nil {
		t.rollback()
		return nil, err
	}
	return res, nil
}

// PeakConcurrency is the most requests the server has handled at once.
func (s *Sim) PeakConcurrency() int { return int(s.peak.Load()) }

func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.active.Add(1)
	defer s.active.Add(-1)
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	switch {
	case r.URL.Path == "/jsonrpc":
		s.serveJSONRPC(w, r)
	case r.URL.Path == "/web/version":
		s.serveVersion(w, r)
	case strings.HasPrefix(r.URL.Path, "/json/2") && s.opts.Version >= 19:
		s.serveJSON2(w, r)
	default:
		notFound(w)
	}
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n")
}

func (s *Sim) versionInfo() map[string]any {
	v := fmt.Sprintf("%d.0", s.opts.Version)
	full := map[int]string{17: "17.0-20240709", 18: "18.0-20250702", 19: "19.0"}[s.opts.Version]
	if full == "" {
		full = v
	}
	return map[string]any{"server_version": full, "server_version_info": []any{s.opts.Version, 0, 0, "final", 0, ""},
		"server_serie": v, "protocol_version": 1}
}

func (s *Sim) serveVersion(w http.ResponseWriter, r *http.Request) {
	info := s.versionInfo()
	body := map[string]any{"version_info": info["server_version_info"], "version": info["server_version"]}
	if r.Method == http.MethodPost { // type='json' route
		var req struct{ ID any }
		_ = json.NewDecoder(r.Body).Decode(&req)
		writeJSON(w, 200, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": body})
		return
	}
	writeJSON(w, 200, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"name":"builtins.TypeError","message":"Object of type is not JSON serializable"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func decode(r *http.Request, v any) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return err
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	return dec.Decode(v)
}

func (s *Sim) authOK(login, password string) bool {
	return login == s.opts.Login && password != "" && (password == s.opts.Password || password == s.opts.APIKey)
}

func (s *Sim) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID     any `json:"id"`
		Params struct {
			Service string `json:"service"`
			Method  string `json:"method"`
			Args    []any  `json:"args"`
		} `json:"params"`
	}
	if err := decode(r, &req); err != nil {
		writeJSON(w, 400, map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": 400, "message": "Bad Request"}})
		return
	}
	p := req.Params
	model, name := p.Service, p.Method
	if p.Service == "object" && len(p.Args) >= 5 {
		model, name = asString(p.Args[3]), asString(p.Args[4])
	}
	f := s.fault(r, model, name, p.Args)
	if !before(w, f) {
		return
	}
	var res any
	err := f.refusal()
	if err == nil {
		res, err = s.rpc(p.Service, p.Method, p.Args)
	}
	if f != nil && f.Kind == LostReply {
		drop(w)
		return
	}
	out := map[string]any{"jsonrpc": "2.0", "id": req.ID}
	if err != nil {
		oe := asOdooError(err)
		code := 200
		if s.opts.Version >= 19 {
			code = 0
		}
		out["error"] = map[string]any{"code": code, "message": "Odoo Server Error", "data": map[string]any{
			"name": oe.name, "debug": "<traceback omitted>", "message": oe.msg, "arguments": []any{oe.msg}, "context": map[string]any{}}}
	} else if res != nil {
		out["result"] = res
	}
	writeJSON(w, 200, out)
}

func asOdooError(err error) *odooError {
	if oe, ok := err.(*odooError); ok {
		return oe
	}
	return &odooError{"builtins.Exception", err.Error(), 500}
}

func accessDenied() error {
	return &odooError{"odoo.exceptions.AccessDenied", "Access Denied", 401}
}

func (s *Sim) rpc(service, name string, args []any) (any, error) {
	arg := func(i int) string {
		if i < len(args) {
			return asString(args[i])
		}
		return ""
	}
	switch service + "." + name {
	case "common.version":
		return s.versionInfo(), nil
	case "common.login", "common.authenticate":
		if arg(0) != s.opts.Database || !s.authOK(arg(1), arg(2)) {
			return false, nil
		}
		return apiUser, nil
	case "db.list":
		return []any{s.opts.Database}, nil
	case "object.execute_kw", "object.execute":
		if len(args) < 5 {
			return nil, typeError("execute_kw() missing required positional arguments")
		}
		if uid, _ := toInt(args[1]); arg(0) != s.opts.Database || uid != apiUser || !s.authOK(s.opts.Login, arg(2)) {
			return nil, accessDenied()
		}
		model, method := arg(3), arg(4)
		pos, kw := args[5:], map[string]any{}
		if name == "execute_kw" {
			pos, _ = args[5].([]any)
			if len(args) > 6 {
				kw, _ = args[6].(map[string]any)
			}
		}
		return s.objectCall(model, method, pos, kw)
	}
	return nil, &odooError{"builtins.NameError", fmt.Sprintf("Method not available %s", name), 500}
}

func (s *Sim) privateError(model, name string) error {
	if s.opts.Version == 17 {
		return accessError("Private methods (such as %s) cannot be called remotely.", name)
	}
	return accessError("Private methods (such as '%s.%s') cannot be called remotely.", model, name)
}

func (s *Sim) objectCall(model, name string, pos []any, kw map[string]any) (any, error) {
	if strings.HasPrefix(name, "_") {
		return nil, s.privateError(model, name)
	}
	if s.db.models[model] == nil {
		return nil, userError("Object %s doesn't exist", model)
	}
	mt, ok := methods[name]
	if !ok || !mt.allowed(model, s.opts.Version) {
		if s.opts.Version == 17 { // api.call_kw
			return nil, &odooError{"builtins.AttributeError", fmt.Sprintf("The method '%s' does not exist on the model '%s'", name, model), 404}
		}
		// service/model.py get_public_method
		return nil, &odooError{"builtins.AttributeError", fmt.Sprintf("The method '%s.%s' does not exist", model, name), 404}
	}
	if mt.privateSince != 0 && s.opts.Version >= mt.privateSince {
		return nil, s.privateError(model, name)
	}
	ctx, _ := kw["context"].(map[string]any)
	delete(kw, "context")
	ids, named, err := bind(model, name, mt, pos, kw)
	if err != nil {
		return nil, err
	}
	return s.execute(model, name, ids, named, ctx)
}

func json2Error(w http.ResponseWriter, status int, name, msg string) {
	args := []any{msg}
	if strings.HasPrefix(name, "werkzeug") {
		args = append(args, status)
	}
	writeJSON(w, status, map[string]any{"name": name, "message": msg, "arguments": args, "context": map[string]any{}, "debug": "<traceback omitted>"})
}

func (s *Sim) serveJSON2(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Odoo-Database") != s.opts.Database {
		notFound(w)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/json/2"), "/"), "/")
	if len(parts) != 2 || r.Method != http.MethodPost {
		json2Error(w, 404, "werkzeug.exceptions.NotFound", "Did you mean POST /json/2/<model>/<method>?")
		return
	}
	model, name := parts[0], parts[1]
	auth := r.Header.Get("Authorization")
	key, isBearer := strings.CutPrefix(auth, "bearer ")
	if !isBearer {
		key, isBearer = strings.CutPrefix(auth, "Bearer ")
	}
	if !isBearer {
		json2Error(w, 401, "werkzeug.exceptions.Unauthorized", "User not authenticated, use an API Key with a Bearer Authorization header.")
		return
	}
	if key != s.opts.APIKey || key == "" {
		json2Error(w, 401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
		return
	}
	var body map[string]any
	if err := decode(r, &body); err != nil && err.Error() != "EOF" {
		json2Error(w, 400, "werkzeug.exceptions.BadRequest", "Invalid JSON data")
		return
	}
	f := s.fault(r, model, name, body)
	if !before(w, f) {
		return
	}
	res, err := s.json2Call(model, name, body, f)
	if f != nil && f.Kind == LostReply {
		drop(w)
		return
	}
	if err != nil {
		oe := asOdooError(err)
		json2Error(w, oe.status, oe.name, oe.msg)
		return
	}
	writeJSON(w, 200, res)
}

func (s *Sim) json2Call(model, name string, body map[string]any, f *Fault) (any, error) {
	if strings.HasPrefix(name, "_") {
		return nil, s.privateError(model, name)
	}
	if s.db.models[model] == nil {
		return nil, &odooError{"werkzeug.exceptions.NotFound", fmt.Sprintf("the model '%s' does not exist", model), 404}
	}
	mt, ok := methods[name]
	if !ok || !mt.allowed(model, s.opts.Version) {
		return nil, &odooError{"werkzeug.exceptions.NotFound", fmt.Sprintf("The method '%s.%s' does not exist", model, name), 404}
	}
	if mt.privateSince != 0 && s.opts.Version >= mt.privateSince {
		return nil, s.privateError(model, name)
	}
	ctx, _ := body["context"].(map[string]any)
	rawIDs, hasIDs := body["ids"]
	named := map[string]any{}
	for k, v := range body {
		if k == "context" || k == "ids" {
			continue
		}
		if !slices.Contains(mt.params, k) {
			return nil, &odooError{"werkzeug.exceptions.UnprocessableEntity", fmt.Sprintf("got an unexpected keyword argument %s", pyRepr(k)), 422}
		}
		named[k] = v
	}
	if hasIDs && !mt.records {
		return nil, &odooError{"werkzeug.exceptions.UnprocessableEntity", fmt.Sprintf("cannot call %s.%s with ids", model, name), 422}
	}
	for _, p := range mt.params[:mt.required] {
		if _, ok := named[p]; !ok { // inspect.signature(...).bind
			return nil, &odooError{"werkzeug.exceptions.UnprocessableEntity", fmt.Sprintf("missing a required argument: %s", pyRepr(p)), 422}
		}
	}
	ids, _ := toIDs(rawIDs)
	if err := f.refusal(); err != nil {
		return nil, err
	}
	res, err := s.execute(model, name, ids, named, ctx)
	if mt.listOnJSON2 && err == nil {
		res = []any{res}
	}
	return res, err
}
