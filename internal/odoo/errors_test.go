package odoo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantKind is how each exception the recordings show must be classified.
var wantKind = map[string]Kind{
	"odoo.exceptions.AccessDenied":            AccessDenied,
	"odoo.exceptions.AccessError":             AccessError,
	"odoo.exceptions.UserError":               UserError,
	"odoo.exceptions.ValidationError":         ValidationError,
	"odoo.exceptions.MissingError":            MissingError,
	"builtins.ValueError":                     InvalidRequest,
	"builtins.TypeError":                      InvalidRequest,
	"werkzeug.exceptions.Unauthorized":        AccessDenied,
	"werkzeug.exceptions.NotFound":            NotFound,
	"werkzeug.exceptions.UnprocessableEntity": InvalidRequest,
}

type recorded struct {
	status      int
	contentType string
	body        []byte
}

// TestRecordedErrors replays every error reply of the real servers to the
// client and checks its classification, message and that it is not retried.
func TestRecordedErrors(t *testing.T) {
	files, _ := filepath.Glob("../../test/odoosim/testdata/transcripts/*.jsonl")
	if len(files) < 4 {
		t.Fatalf("want the 4 recordings of the error cases at least, found %v", files)
	}
	n := 0
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<22)
		for sc.Scan() {
			var l struct {
				Resp   json.RawMessage `json:"resp"`
				Status int             `json:"status"`
				CType  string          `json:"content_type"`
				URL    string          `json:"url"`
			}
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			rec := recorded{status: l.Status, contentType: l.CType, body: l.Resp}
			protocol := ProtocolJSON2
			if l.URL == "" {
				var r struct {
					Status int             `json:"http_status"`
					Body   json.RawMessage `json:"body"`
				}
				_ = json.Unmarshal(l.Resp, &r)
				rec = recorded{status: r.Status, contentType: "application/json", body: r.Body}
				protocol = ProtocolJSONRPC
			}
			var name, msg string
			var probe struct {
				Name    string `json:"name"`
				Message string `json:"message"`
				Error   *struct {
					Data struct{ Name, Message string }
				} `json:"error"`
				NonJSON string `json:"<non-json>"`
			}
			_ = json.Unmarshal(rec.body, &probe)
			switch {
			case probe.Error != nil:
				name, msg = probe.Error.Data.Name, probe.Error.Data.Message
			case rec.status >= 400 && probe.NonJSON != "":
				rec.body, rec.contentType = []byte(probe.NonJSON), "text/html"
			case rec.status >= 400:
				name, msg = probe.Name, probe.Message
			default:
				continue
			}
			n++
			err := replayReply(t, protocol, rec)
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("%s: %v is not an *Error", file, err)
			}
			want := wantKind[name]
			if name == "" {
				want = Transport
			}
			if oe.Kind != want || oe.Name != name || name != "" && oe.Message != msg || IsRetryable(err) {
				t.Errorf("%s: %s %q gave %+v retryable=%v", filepath.Base(file), name, msg, oe, IsRetryable(err))
			}
		}
		f.Close()
	}
	if n < 40 {
		t.Errorf("only %d error replies checked", n)
	}
}

func replayReply(t *testing.T, protocol string, rec recorded) error {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", rec.contentType)
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body)
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL, Database: "db", Username: "admin", APIKey: "secret-key", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.protocol, c.uid = protocol, 2
	err = c.Call(context.Background(), "res.partner", "search", []any{[]any{}}, nil, nil)
	if err != nil && strings.Contains(err.Error(), "secret-key") {
		t.Errorf("credentials in error %q", err)
	}
	return err
}

func TestMissingResultIsNone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"jsonrpc": "2.0", "id": 1}`))
	}))
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, Database: "db", Username: "admin", APIKey: "k"})
	c.protocol, c.uid = ProtocolJSONRPC, 2
	out := map[string]any{"untouched": true}
	if err := c.Call(context.Background(), "account.move", "button_draft", []any{[]int64{1}}, nil, &out); err != nil || !out["untouched"].(bool) {
		t.Fatalf("err %v out %v", err, out)
	}
}

func TestRetryableKinds(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&Error{Kind: Concurrency}, true},
		{&Error{Kind: Transport, HTTPStatus: 502}, true},
		{&Error{Kind: Transport, HTTPStatus: 404}, false},
		{&Error{Kind: ServerError, HTTPStatus: 500}, false},
		{&Error{Kind: UserError, HTTPStatus: 422}, false},
		{context.DeadlineExceeded, true},
		{context.Canceled, false},
		{ErrBadCredentials, false},
	} {
		if got := IsRetryable(tc.err); got != tc.want {
			t.Errorf("IsRetryable(%v) = %v", tc.err, got)
		}
	}
	if kindOf("psycopg2.errors.SerializationFailure", 500) != Concurrency || kindOf("psycopg2.errors.LockNotAvailable", 0) != Concurrency {
		t.Error("serialization and lock failures must be Concurrency")
	}
}
