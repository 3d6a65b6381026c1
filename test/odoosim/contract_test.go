package odoosim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// transcriptDir is where CI keeps the recordings of real servers.
const transcriptDir = "testdata/transcripts"

func readLines(t *testing.T, file string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(transcriptDir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// replay maps the ids the recorded server returned to the ones the
// simulator returns, per model, so that later requests refer to the
// simulator's records.
type replay struct {
	sim *Sim
	ids map[string]map[string]any // model -> recorded id -> simulated id
}

func (r *replay) id(model string, v any) any {
	if n, ok := v.(json.Number); ok {
		if got, ok := r.ids[model][n.String()]; ok {
			return got
		}
	}
	return v
}

func (r *replay) idList(model string, v any) any {
	l, ok := v.([]any)
	if !ok {
		return r.id(model, v)
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = r.id(model, e)
	}
	return out
}

func (r *replay) learn(model string, want, got any) {
	if model == "" {
		return
	}
	if w, ok := want.(json.Number); ok {
		if r.ids[model] == nil {
			r.ids[model] = map[string]any{}
		}
		if _, known := r.ids[model][w.String()]; !known {
			r.ids[model][w.String()] = got
		}
		return
	}
	wl, ok1 := want.([]any)
	gl, ok2 := got.([]any)
	if ok1 && ok2 {
		for i := 0; i < len(wl) && i < len(gl); i++ {
			r.learn(model, wl[i], gl[i])
		}
	}
}

func (r *replay) field(model, name string) *field {
	m := r.sim.db.models[model]
	if m == nil {
		return nil
	}
	f, _ := r.sim.db.fieldOf(m, name)
	if rel := createOnlyRelations[model][name]; f == nil && rel != "" {
		return &field{name: name, typ: "many2one", rel: rel}
	}
	return f
}

// learnResult pairs ids in a recorded result with the simulated one.
func (r *replay) learnResult(model, method string, want, got any) {
	switch method {
	case "create", "search":
		r.learn(model, want, got)
		return
	case "address_get":
		wm, _ := want.(map[string]any)
		gm, _ := got.(map[string]any)
		for k := range wm {
			r.learn("res.partner", wm[k], gm[k])
		}
		return
	case "name_search":
		wl, _ := want.([]any)
		gl, _ := got.([]any)
		for i := 0; i < len(wl) && i < len(gl); i++ {
			r.learn(model, wl[i].([]any)[0], gl[i].([]any)[0])
		}
		return
	}
	if wm, ok := want.(map[string]any); ok {
		gm, _ := got.(map[string]any)
		if m, ok := wm["res_model"].(string); ok && gm != nil {
			r.learn(m, wm["res_id"], gm["res_id"])
			// an action listing records: domain [("id", "in", ids)]
			wd, _ := wm["domain"].([]any)
			gd, _ := gm["domain"].([]any)
			if len(wd) == 1 && len(gd) == 1 {
				wl, _ := wd[0].([]any)
				gl, _ := gd[0].([]any)
				if len(wl) == 3 && len(gl) == 3 && wl[0] == "id" && gl[0] == "id" {
					r.learn(m, wl[2], gl[2])
				}
			}
		}
		return
	}
	wl, _ := want.([]any)
	gl, _ := got.([]any)
	for i := 0; i < len(wl) && i < len(gl); i++ {
		wr, _ := wl[i].(map[string]any)
		gr, _ := gl[i].(map[string]any)
		for k, wv := range wr {
			if k == "id" {
				r.learn(model, wv, gr[k])
				continue
			}
			f := r.field(model, k)
			if f == nil || f.rel == "" {
				continue
			}
			if f.typ == "many2one" {
				if wp, ok := wv.([]any); ok {
					if gp, ok := gr[k].([]any); ok {
						r.learn(f.rel, wp[0], gp[0])
					}
				}
				continue
			}
			r.learn(f.rel, wv, gr[k])
		}
	}
}

func (r *replay) mapVals(model string, v any) any {
	if l, ok := v.([]any); ok {
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = r.mapVals(model, e)
		}
		return out
	}
	vals, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, val := range vals {
		out[k] = val
		if k == "res_id" { // a many2one_reference: to the model named by model or res_model_id
			out[k] = r.id(r.docModel(vals["model"], vals["res_model_id"]), val)
			continue
		}
		f := r.field(model, k)
		if f == nil || f.rel == "" {
			continue
		}
		if f.typ == "many2one" {
			out[k] = r.id(f.rel, val)
			continue
		}
		cmds, _ := val.([]any)
		var mapped []any
		for _, c := range cmds {
			cmd, _ := c.([]any)
			cmd = slices.Clone(cmd)
			switch op := fmt.Sprint(cmd[0]); {
			case op == "0" || op == "1":
				cmd[2] = r.mapVals(f.rel, cmd[2])
				fallthrough
			case len(cmd) > 1 && op != "6":
				cmd[1] = r.id(f.rel, cmd[1])
			case op == "6":
				cmd[2] = r.idList(f.rel, cmd[2])
			}
			mapped = append(mapped, cmd)
		}
		out[k] = mapped
	}
	return out
}

// docModel is the model a res_id refers to: named, or an ir.model's id.
func (r *replay) docModel(name, irModel any) string {
	if doc := r.sim.db.models["ir.model"].records[asInt(r.id("ir.model", irModel))]; doc != nil {
		return asString(doc["model"])
	}
	return asString(name)
}

func (r *replay) mapDomain(model string, d any) any {
	l, ok := d.([]any)
	if !ok {
		return d
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = e
		leaf, ok := e.([]any)
		if !ok || len(leaf) != 3 {
			continue
		}
		name, _ := leaf[0].(string)
		rel := ""
		if name == "id" {
			rel = model
		} else if name == "res_id" {
			rel = r.docModel(domainValue(l, "model"), nil)
		} else if f := r.field(model, name); f != nil {
			rel = f.rel
		}
		if rel != "" {
			out[i] = []any{leaf[0], leaf[1], r.idList(rel, leaf[2])}
		}
	}
	return out
}

func (r *replay) mapContext(ctx any) any {
	c, ok := ctx.(map[string]any)
	if !ok {
		return ctx
	}
	out := map[string]any{}
	for k, v := range c {
		out[k] = v
	}
	if m, ok := c["active_model"].(string); ok {
		out["active_ids"] = r.idList(m, c["active_ids"])
		if v, ok := c["active_id"]; ok {
			out["active_id"] = r.id(m, v)
		}
	}
	return out
}

// domainValue is the value a domain compares field with by "=".
func domainValue(d []any, field string) any {
	for _, e := range d {
		if leaf, ok := e.([]any); ok && len(leaf) == 3 && leaf[0] == field && leaf[1] == "=" {
			return leaf[2]
		}
	}
	return nil
}

// mapCall rewrites one call's named arguments.
func (r *replay) mapCall(model string, named map[string]any) {
	for k, v := range named {
		switch k {
		case "ids":
			named[k] = r.idList(model, v)
		case "vals_list", "vals":
			named[k] = r.mapVals(model, v)
		case "domain":
			named[k] = r.mapDomain(model, v)
		case "context":
			named[k] = r.mapContext(v)
		}
	}
}

var digits = regexp.MustCompile(`\d+`)

// compareShape reports how got differs from want in keys, types, and, inside
// errors, in exception names and messages (numbers aside).
func compareShape(path string, want, got any, inErr, loose bool) []string {
	kind := func(v any) string {
		switch x := v.(type) {
		case json.Number:
			if strings.ContainsAny(x.String(), ".eE") {
				return "float"
			}
			return "int"
		case nil:
			return "null"
		}
		return fmt.Sprintf("%T", v)
	}
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s: want %s %v, got %s %v", path, kind(want), want, kind(got), got)}
	}
	var diffs []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: missing key %q", path, k))
				continue
			}
			diffs = append(diffs, compareShape(path+"."+k, wv, gv, inErr || k == "error", loose && k == "result")...)
		}
		if !loose {
			for k := range g {
				if _, ok := w[k]; !ok {
					diffs = append(diffs, fmt.Sprintf("%s: unexpected key %q", path, k))
				}
			}
		}
	case []any:
		g := got.([]any)
		if (len(w) == 0) != (len(g) == 0) {
			return []string{fmt.Sprintf("%s: want %d elements, got %d", path, len(w), len(g))}
		}
		for i := range g {
			diffs = append(diffs, compareShape(fmt.Sprintf("%s[%d]", path, i), w[min(i, len(w)-1)], g[i], inErr, false)...)
		}
	case string:
		if inErr && digits.ReplaceAllString(w, "#") != digits.ReplaceAllString(got.(string), "#") {
			diffs = append(diffs, fmt.Sprintf("%s: want %q, got %q", path, w, got))
		}
	case json.Number:
		if inErr && path != ".id" && w.String() != got.(json.Number).String() {
			diffs = append(diffs, fmt.Sprintf("%s: want %v, got %v", path, w, got))
		}
	}
	return diffs
}

func post(t *testing.T, url string, header map[string]string, body any) (int, string, any) {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(http.MethodPost, url, rd)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var out any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := dec.Decode(&out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// transcripts lists the recordings of one protocol ("jsonrpc" or "json2").
func transcripts(t *testing.T, proto string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(transcriptDir, "*-"+proto+".jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s transcripts: %v", proto, err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files
}

var transcriptVersion = regexp.MustCompile(`odoo(\d+)-`)

// startReplay starts the simulator a recording is replayed against, and
// tells whether it is a conformance recording: one of a whole operator run
// against a database just made with `odoo -i sale_management,stock,account`,
// so the simulator starts as fresh as it.
func startReplay(t *testing.T, file, db, key string) (*replay, bool) {
	t.Helper()
	m := transcriptVersion.FindStringSubmatch(file)
	if m == nil {
		t.Fatalf("%s: no version in the name", file)
	}
	v := 0
	fmt.Sscan(m[1], &v)
	conformance := strings.HasPrefix(file, "conformance-")
	o := Options{Version: v, Database: db, Login: "admin", Password: "admin", APIKey: key, Fresh: conformance}
	if strings.HasPrefix(file, "companies-") {
		// the recorded databases' second company, which the recordings find
		o.SecondCompany = SecondCompanyName
	}
	sim := New(o)
	sim.Start()
	t.Cleanup(sim.Close)
	return &replay{sim: sim, ids: map[string]map[string]any{}}, conformance
}

// moneyFields are the values of sale orders and invoices a conformance
// replay compares exactly, beyond their shape.
var moneyFields = map[string][]string{
	"sale.order":   {"amount_untaxed", "amount_tax", "amount_total", "state"},
	"account.move": {"amount_untaxed", "amount_tax", "amount_total", "amount_residual", "payment_state", "state"},
}

// compareValues reports the money fields of a read whose values differ from
// the recorded ones; records pair by their (mapped) ids.
func (r *replay) compareValues(model, method string, want, got any) []string {
	fields := moneyFields[model]
	if fields == nil || method != "read" && method != "search_read" {
		return nil
	}
	wl, _ := want.([]any)
	gl, _ := got.([]any)
	byID := map[string]map[string]any{}
	for _, g := range gl {
		if gr, ok := g.(map[string]any); ok {
			byID[fmt.Sprint(gr["id"])] = gr
		}
	}
	var diffs []string
	for i, w := range wl {
		wr, _ := w.(map[string]any)
		gr := byID[fmt.Sprint(r.id(model, wr["id"]))]
		if gr == nil && i < len(gl) {
			gr, _ = gl[i].(map[string]any)
		}
		if gr == nil {
			diffs = append(diffs, fmt.Sprintf("%s %v (%v): not returned", model, wr["id"], wr["name"]))
			continue
		}
		for _, f := range fields {
			wv, ok := wr[f]
			if !ok {
				continue
			}
			gv := gr[f]
			same := fmt.Sprint(wv) == fmt.Sprint(gv)
			if wn, ok := wv.(json.Number); ok {
				gn, _ := gv.(json.Number)
				wf, _ := wn.Float64()
				gf, err := gn.Float64()
				same = err == nil && wf == gf
			}
			if !same {
				diffs = append(diffs, fmt.Sprintf("%s %v (%v) %s: want %v, got %v", model, wr["id"], wr["name"], f, wv, gv))
			}
		}
	}
	return diffs
}

func TestContractJSONRPC(t *testing.T) {
	for _, file := range transcripts(t, "jsonrpc") {
		t.Run(strings.TrimSuffix(file, ".jsonl"), func(t *testing.T) {
			lines := readLines(t, file)
			// the recorded database, password and API key come from the
			// successful authenticate calls, or from the calls themselves
			var db, key string
			for _, l := range lines {
				p := l["req"].(map[string]any)["params"].(map[string]any)
				args, _ := p["args"].([]any)
				res := l["resp"].(map[string]any)["body"].(map[string]any)["result"]
				if p["method"] == "authenticate" && res != false {
					db = args[0].(string)
					if args[2] != "admin" {
						key = args[2].(string)
					}
				}
				body := l["resp"].(map[string]any)["body"].(map[string]any)
				if p["method"] == "execute_kw" && body["error"] == nil {
					db = args[0].(string)
					if args[2] != "admin" {
						key = args[2].(string)
					}
				}
			}
			r, conformance := startReplay(t, file, db, key)
			for i, l := range lines {
				req := l["req"].(map[string]any)
				p := req["params"].(map[string]any)
				args, _ := p["args"].([]any)
				model, method := "", ""
				if p["service"] == "object" {
					model, method = args[3].(string), args[4].(string)
					pos := slices.Clone(args[5].([]any))
					kw := map[string]any{}
					if len(args) > 6 {
						kw = args[6].(map[string]any)
					}
					named := map[string]any{"context": kw["context"]}
					if mt, ok := methods[method]; ok && mt.records && len(pos) > 0 {
						named["ids"] = pos[0]
					}
					switch method {
					case "create":
						named["vals_list"] = pos[0]
					case "write":
						named["vals"] = pos[1]
					case "search", "search_read", "search_count":
						named["domain"] = pos[0]
					}
					r.mapCall(model, named)
					if _, ok := named["ids"]; ok {
						pos[0] = named["ids"]
					}
					switch method {
					case "create":
						pos[0] = named["vals_list"]
					case "write":
						pos[1] = named["vals"]
					case "search", "search_read", "search_count":
						pos[0] = named["domain"]
					}
					if kw["context"] != nil {
						kw = withKey(kw, "context", named["context"])
					}
					args = append(slices.Clone(args[:5]), pos, kw)
				}
				body := map[string]any{"jsonrpc": "2.0", "method": "call", "id": req["id"],
					"params": map[string]any{"service": p["service"], "method": p["method"], "args": args}}
				status, _, got := post(t, r.sim.URL()+"/jsonrpc", nil, body)
				resp := l["resp"].(map[string]any)
				if fmt.Sprint(resp["http_status"]) != fmt.Sprint(status) {
					t.Errorf("line %d %s.%s: status %d, want %v", i+1, model, method, status, resp["http_status"])
				}
				want := resp["body"].(map[string]any)
				for _, d := range compareShape("", want, got, false, method == "fields_get") {
					t.Errorf("line %d %s.%s: %s", i+1, model, method, d)
				}
				if gm, _ := got.(map[string]any); gm != nil && gm["error"] != nil && want["error"] == nil {
					e, _ := gm["error"].(map[string]any)
					data, _ := e["data"].(map[string]any)
					t.Errorf("line %d %s.%s: the simulator failed: %v", i+1, model, method, data["message"])
				}
				if gm, ok := got.(map[string]any); ok {
					r.learnResult(model, method, want["result"], gm["result"])
					if conformance {
						for _, d := range r.compareValues(model, method, want["result"], gm["result"]) {
							t.Errorf("line %d %s.%s: %s", i+1, model, method, d)
						}
					}
				}
			}
		})
	}
}

func TestContractJSON2(t *testing.T) {
	for _, file := range transcripts(t, "json2") {
		t.Run(strings.TrimSuffix(file, ".jsonl"), func(t *testing.T) {
			lines := readLines(t, file)
			// the recorded database is the one the requests name
			db := ""
			for _, l := range lines {
				if h, ok := l["headers"].(map[string]any)["X-Odoo-Database"].(string); ok && db == "" {
					db = h
				}
			}
			const key = "contract-test-key"
			r, conformance := startReplay(t, file, db, key)
			for i, l := range lines {
				url := l["url"].(string)
				path := url[strings.Index(url, "/json/2"):]
				parts := strings.Split(strings.TrimPrefix(path, "/json/2/"), "/")
				model, method := parts[0], parts[len(parts)-1]
				header := map[string]string{"Content-Type": "application/json; charset=utf-8"}
				for k, v := range l["headers"].(map[string]any) {
					header[k] = v.(string)
				}
				// the recordings leave the Authorization header out; the 401s tell
				// which requests had none or a wrong key
				want := l["resp"]
				wantMap, _ := want.(map[string]any)
				switch msg, _ := wantMap["message"].(string); {
				case strings.HasPrefix(msg, "User not authenticated"):
				case msg == "Invalid apikey":
					header["Authorization"] = "bearer wrong"
				default:
					header["Authorization"] = "bearer " + key
				}
				body, _ := l["body"].(map[string]any)
				if body != nil {
					body = withKey(body, "", nil)
					delete(body, "")
					r.mapCall(model, body)
				}
				status, ctype, got := post(t, r.sim.URL()+path, header, body)
				if fmt.Sprint(l["status"]) != fmt.Sprint(status) {
					t.Errorf("line %d %s: status %d, want %v", i+1, path, status, l["status"])
				}
				wantType, _, _ := strings.Cut(l["content_type"].(string), ";")
				if !strings.HasPrefix(ctype, wantType) {
					t.Errorf("line %d %s: content type %s, want %s", i+1, path, ctype, wantType)
				}
				if wantType != "application/json" {
					continue
				}
				for _, d := range compareShape("", want, got, status >= 400, method == "fields_get") {
					t.Errorf("line %d %s: %s", i+1, path, d)
				}
				r.learnResult(model, method, want, got)
				if conformance {
					for _, d := range r.compareValues(model, method, want, got) {
						t.Errorf("line %d %s: %s", i+1, path, d)
					}
				}
			}
		})
	}
}
