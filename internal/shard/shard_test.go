package shard

import (
	"maps"
	"testing"

	"k8s.io/apimachinery/pkg/labels"
)

func TestParse(t *testing.T) {
	for _, s := range []string{"", Label + "=a", "!" + Label, Label + " in (a,b)"} {
		if _, err := Parse(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"team=a", Label + "=a,team=b", "=="} {
		if _, err := Parse(s); err == nil {
			t.Errorf("%q was accepted", s)
		}
	}
}

// Every shard has a lease of its own, the same at every start, and an
// unsharded manager keeps the lease it always had.
func TestLeaseName(t *testing.T) {
	parse := func(s string) labels.Selector {
		sel, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return sel
	}
	names := map[string]bool{}
	for _, s := range []string{"", Label + "=a", Label + "=b", "!" + Label} {
		n := LeaseName("connector", parse(s))
		if names[n] || n != LeaseName("connector", parse(s)) {
			t.Errorf("%q: lease %s is not its own", s, n)
		}
		names[n] = true
	}
	if n := LeaseName("connector", parse("")); n != "connector" {
		t.Errorf("unsharded lease %s", n)
	}
}

func TestCopy(t *testing.T) {
	for _, c := range []struct {
		from, to, want map[string]string
		changed        bool
	}{
		{map[string]string{Label: "a", "team": "x"}, nil, map[string]string{Label: "a"}, true},
		{map[string]string{Label: "b"}, map[string]string{Label: "a", "keep": "1"}, map[string]string{Label: "b", "keep": "1"}, true},
		{nil, map[string]string{Label: "a", "keep": "1"}, map[string]string{"keep": "1"}, true},
		{map[string]string{Label: "a"}, map[string]string{Label: "a"}, map[string]string{Label: "a"}, false},
		{nil, nil, nil, false},
	} {
		to := maps.Clone(c.to)
		if changed := Copy(c.from, &to); changed != c.changed || !maps.Equal(to, c.want) {
			t.Errorf("Copy(%v, %v) = %v %v, want %v %v", c.from, c.to, to, changed, c.want, c.changed)
		}
	}
}
