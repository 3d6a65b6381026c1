package decimal

import (
	"encoding/json"
	"testing"
)

func TestParseString(t *testing.T) {
	for in, want := range map[string]string{
		"19.50": "19.50", "-0.05": "-0.05", "3": "3", "+7.1": "7.1", ".5": "0.5", "-.5": "-0.5",
		"1e3": "1000", "1.25e-1": "0.125", "123456789012345678901234.5": "123456789012345678901234.5",
	} {
		d, err := Parse(in)
		if err != nil || d.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", "abc", "1e", "--1", "1-"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestArithmetic(t *testing.T) {
	a, b := MustParse("10.05"), MustParse("0.3")
	cases := []struct{ got, want string }{
		{a.Add(b).String(), "10.35"},
		{a.Sub(b).String(), "9.75"},
		{a.MulInt(3).String(), "30.15"},
		{a.Mul(b).String(), "3.015"},
		{a.Mul(b).Round(2).String(), "3.02"},
		{a.Mul(b).Neg().Round(2).String(), "-3.02"},
		{MustParse("2.345").Round(0).String(), "2"},
		{MustParse("100").Div(MustParse("3"), 2).String(), "33.33"},
		{MustParse("120").Mul(MustParse("20")).Div(MustParse("120"), 2).String(), "20.00"},
		{MustParse("-2").Div(MustParse("3"), 2).String(), "-0.67"},
		{MustParse("1.5").StringFixed(2), "1.50"},
		{Zero.String(), "0"},
		{New(5, 3).String(), "0.005"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %s want %s", i, c.got, c.want)
		}
	}
	if MustParse("1.50").Cmp(MustParse("1.5")) != 0 || !MustParse("0.00").IsZero() || MustParse("-1").Sign() != -1 {
		t.Error("comparison")
	}
	if n, ok := MustParse("42.9").Int64(); n != 42 || !ok {
		t.Error("Int64")
	}
}

func TestJSON(t *testing.T) {
	var v struct{ A, B, C Decimal }
	if err := json.Unmarshal([]byte(`{"A":"12.30","B":0.1,"C":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.String() != "12.30" || v.B.String() != "0.1" || !v.C.IsZero() {
		t.Fatalf("decoded %v %v %v", v.A, v.B, v.C)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"A":"12.30","B":"0.1","C":"0"}` {
		t.Fatalf("encoded %s", out)
	}
	if err := json.Unmarshal([]byte(`{"A":"x"}`), &v); err == nil {
		t.Fatal("accepted garbage")
	}
}
