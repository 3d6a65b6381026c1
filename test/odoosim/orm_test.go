package odoosim

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// call runs one RPC the way the JSON-RPC endpoint does, with JSON-shaped args.
func call(t *testing.T, s *Sim, model, method string, args []any, kw map[string]any) (any, error) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"a": args, "k": kw})
	var in struct {
		A []any          `json:"a"`
		K map[string]any `json:"k"`
	}
	_ = json.Unmarshal(b, &in)
	if in.K == nil {
		in.K = map[string]any{}
	}
	res, err := s.objectCall(model, method, in.A, in.K)
	if err != nil {
		return nil, err
	}
	b, _ = json.Marshal(res)
	var out any
	_ = json.Unmarshal(b, &out)
	return out, nil
}

func ids(t *testing.T, v any) []int64 {
	t.Helper()
	out, ok := toIDs(v)
	if !ok {
		t.Fatalf("not ids: %v", v)
	}
	return out
}

func errName(err error) string {
	var oe *odooError
	if errors.As(err, &oe) {
		return oe.name
	}
	return ""
}

func TestDomains(t *testing.T) {
	s := New(Options{Version: 17, Catalog: true})
	search := func(domain ...any) []int64 {
		t.Helper()
		res, err := call(t, s, "res.country", "search", []any{domain}, map[string]any{"order": "code"})
		if err != nil {
			t.Fatal(err)
		}
		return ids(t, res)
	}
	codes := func(domain ...any) string {
		var out []string
		for _, id := range search(domain...) {
			out = append(out, asString(s.db.models["res.country"].records[id]["code"]))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		domain []any
		want   string
	}{
		{[]any{[]any{"code", "in", []any{"FR", "DE"}}}, "DE,FR"},
		{[]any{"|", []any{"code", "=", "FR"}, []any{"code", "=", "JP"}}, "FR,JP"},
		{[]any{"!", []any{"code", "not in", []any{"FR", "DE"}}}, "DE,FR"},
		{[]any{"&", []any{"name", "ilike", "united"}, []any{"code", "!=", "US"}}, "GB"},
		{[]any{[]any{"name", "=like", "_ustr%"}}, "AU"},
		{[]any{[]any{"state_ids.code", "=", "QC"}}, "CA"},
		{[]any{"&", []any{"phone_code", ">=", 81}, []any{"phone_code", "<", 90}}, "CN,JP,VN"},
	} {
		if got := codes(tc.domain...); got != tc.want {
			t.Errorf("%v: %s, want %s", pyRepr(tc.domain), got, tc.want)
		}
	}
	res, err := call(t, s, "stock.quant", "search_count", []any{[]any{[]any{"location_id", "child_of", 7}}}, nil)
	if err != nil || res.(float64) != 120 {
		t.Errorf("child_of: %v %v", res, err)
	}
	if _, err := call(t, s, "res.country", "search", []any{[]any{[]any{"nope", "=", 1}}}, nil); errName(err) != "builtins.ValueError" {
		t.Errorf("bad field: %v", err)
	}
}

func TestCommandsAndAtomicity(t *testing.T) {
	s := New(Options{Version: 19})
	res, err := call(t, s, "res.partner", "create", []any{map[string]any{"name": "Parent",
		"child_ids": []any{[]any{0, 0, map[string]any{"name": "A"}}, []any{0, 0, map[string]any{"name": "B"}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	parent := int64(res.(float64))
	kids := func() []int64 { return idList(s.db.models["res.partner"].records[parent]["child_ids"]) }
	if len(kids()) != 2 {
		t.Fatalf("children %v", kids())
	}
	a, b := kids()[0], kids()[1]
	steps := []struct {
		cmd  []any
		want []int64
	}{
		{[]any{[]any{1, a, map[string]any{"name": "A2"}}}, []int64{a, b}},
		{[]any{[]any{2, b}}, []int64{a}},
		{[]any{[]any{5}}, []int64{}},
	}
	for _, st := range steps {
		if _, err := call(t, s, "res.partner", "write", []any{[]any{parent}, map[string]any{"child_ids": st.cmd}}, nil); err != nil {
			t.Fatal(err)
		}
		if got := kids(); !slices.Equal(got, st.want) && len(got)+len(st.want) > 0 {
			t.Errorf("%v: children %v, want %v", st.cmd, got, st.want)
		}
		if len(st.want) > 0 && asString(s.db.models["res.partner"].records[a]["name"]) != "A2" {
			t.Error("command 1 not applied")
		}
	}
	if s.db.models["res.partner"].records[b] != nil {
		t.Error("command 2 must delete")
	}
	res, _ = call(t, s, "product.template", "create", []any{map[string]any{"name": "T", "taxes_id": []any{[]any{6, 0, []any{1, 2}}}}}, nil)
	tmpl := int64(res.(float64))
	tax := func(any) []int64 { return idList(s.db.models["product.template"].records[tmpl]["taxes_id"]) }
	for _, st := range []struct {
		cmd  []any
		want []int64
	}{{[]any{[]any{3, 1}}, []int64{2}}, {[]any{[]any{4, 1}}, []int64{2, 1}}, {[]any{[]any{6, 0, []any{1}}}, []int64{1}}} {
		if _, err := call(t, s, "product.template", "write", []any{[]any{tmpl}, map[string]any{"taxes_id": st.cmd}}, nil); err != nil {
			t.Fatal(err)
		}
		if got := tax(nil); !slices.Equal(got, st.want) {
			t.Errorf("%v: taxes %v, want %v", st.cmd, got, st.want)
		}
	}
	if len(s.db.models["product.product"].records) != 1 {
		t.Error("a template without variants gets one")
	}

	before := len(s.db.models["res.partner"].records)
	_, err = call(t, s, "res.partner", "create", []any{[]any{map[string]any{"name": "ok"}, map[string]any{"email": "no name"}}}, nil)
	if errName(err) != "odoo.exceptions.ValidationError" || len(s.db.models["res.partner"].records) != before {
		t.Errorf("failed batch must create nothing: %v, %d records", err, len(s.db.models["res.partner"].records)-before)
	}
	if _, err := call(t, s, "sale.order.line", "create", []any{map[string]any{"order_id": 1, "tax_id": []any{}}}, nil); errName(err) != "builtins.ValueError" {
		t.Errorf("17's tax_id on 19: %v", err)
	}
}

func TestAmountsRoundLikeOdoo(t *testing.T) {
	if floatRound(4.995, 0.01) != 5.0 || floatRound(-4.995, 0.01) != -5.0 || floatRound(1.005, 0.01) != 1.01 {
		t.Error("float_round half-up")
	}
	for _, v := range []int{17, 18, 19} {
		s := New(Options{Version: v, Catalog: true})
		tx := s.db.begin(nil)
		incl, excl := int64(3), int64(4) // VAT 20% incl., VAT 20%
		if got := tx.amounts(24.99, 2, 0, []int64{incl}); got != [3]float64{41.65, 8.33, 49.98} {
			t.Errorf("%d included: %v", v, got)
		}
		if got := tx.amounts(18.5, 2, 10, []int64{excl}); got != [3]float64{33.3, 6.66, 39.96} {
			t.Errorf("%d excluded: %v", v, got)
		}
	}
}

func TestRPCGuards(t *testing.T) {
	s := New(Options{Version: 18, Database: "db", APIKey: "key", Password: "pw"})
	if _, err := s.rpc("object", "execute_kw", []any{"db", json.Number("2"), "bad", "res.partner", "search", []any{[]any{}}}); errName(err) != "odoo.exceptions.AccessDenied" {
		t.Errorf("bad key: %v", err)
	}
	if _, err := s.rpc("object", "execute_kw", []any{"db", json.Number("2"), "key", "res.partner", "_compute_display_name", []any{[]any{}}}); errName(err) != "odoo.exceptions.AccessError" {
		t.Errorf("private method: %v", err)
	}
	for _, pw := range []string{"pw", "key"} {
		if uid, _ := s.rpc("common", "authenticate", []any{"db", "admin", pw, map[string]any{}}); uid != int64(2) {
			t.Errorf("authenticate with %s: %v", pw, uid)
		}
	}
	if uid, _ := s.rpc("common", "authenticate", []any{"db", "admin", "", map[string]any{}}); uid != false {
		t.Errorf("empty password accepted: %v", uid)
	}
}
