package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Recorder is an http.RoundTripper that keeps every Odoo exchange in the
// format of test/odoosim/testdata/transcripts: JSON-RPC as
// {"kind":"jsonrpc","req":...,"resp":{"http_status":..,"body":..}} and
// JSON-2 as {"url","headers","body","status","content_type","resp"}, with
// tracebacks replaced and the Authorization header left out.
type Recorder struct {
	Next http.RoundTripper

	mu    sync.Mutex
	lines map[string][][]byte // by protocol: jsonrpc, json2
}

const tracebackOmitted = "<traceback omitted>"

type rpcLine struct {
	Kind string          `json:"kind"`
	Req  json.RawMessage `json:"req"`
	Resp rpcReply        `json:"resp"`
}

type rpcReply struct {
	HTTPStatus int             `json:"http_status"`
	Body       json.RawMessage `json:"body"`
}

type json2Line struct {
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	Body        json.RawMessage   `json:"body"`
	Status      int               `json:"status"`
	ContentType string            `json:"content_type"`
	Resp        json.RawMessage   `json:"resp"`
}

// RoundTrip forwards the request and records it with its reply.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.Next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	var line any
	kind := "json2"
	if strings.HasSuffix(req.URL.Path, "/jsonrpc") {
		kind = "jsonrpc"
		line = rpcLine{Kind: kind, Req: asJSON(body), Resp: rpcReply{resp.StatusCode, scrub(data, "error", "data")}}
	} else {
		headers := map[string]string{}
		for k := range req.Header {
			if k != "Authorization" {
				headers[k] = req.Header.Get(k)
			}
		}
		line = json2Line{req.URL.String(), headers, asJSON(body), resp.StatusCode, resp.Header.Get("Content-Type"), scrub(data)}
	}
	b, err := marshal(line)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lines == nil {
		r.lines = map[string][][]byte{}
	}
	r.lines[kind] = append(r.lines[kind], b)
	return resp, nil
}

// asJSON is b if it is JSON, else b as a JSON string (an HTML error page),
// and null when empty.
func asJSON(b []byte) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// scrub replaces the traceback (debug) of an error body, found under the
// keys of path.
func scrub(b []byte, path ...string) json.RawMessage {
	if !bytes.Contains(b, []byte(`"debug"`)) {
		return asJSON(b)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var top map[string]any
	if dec.Decode(&top) != nil {
		return asJSON(b)
	}
	m := top
	for _, k := range path {
		if m, _ = m[k].(map[string]any); m == nil {
			return asJSON(b)
		}
	}
	if _, ok := m["debug"]; ok {
		m["debug"] = tracebackOmitted
	}
	out, err := marshal(top)
	if err != nil {
		return asJSON(b)
	}
	return out
}

// marshal is json.Marshal without escaping <, > and &, as the recordings
// of real servers have them.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// Write saves the recorded lines in dir as conformance-odoo<major>-<protocol>.jsonl.
func (r *Recorder) Write(dir string, major int) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, kind := range []string{"jsonrpc", "json2"} {
		if len(r.lines[kind]) == 0 {
			continue
		}
		name := filepath.Join(dir, fmt.Sprintf("conformance-odoo%d-%s.jsonl", major, kind))
		data := append(bytes.Join(r.lines[kind], []byte("\n")), '\n')
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return files, err
		}
		files = append(files, fmt.Sprintf("%s (%d exchanges)", name, len(r.lines[kind])))
	}
	return files, nil
}
