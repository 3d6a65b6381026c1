// Package shard splits instances between manager deployments by a label, as
// Flux does: each manager watches the objects its selector matches, takes a
// lease of its own, and what it creates for an instance carries the
// instance's shard label so that it stays in the instance's shard.
package shard

import (
	"fmt"
	"hash/fnv"

	"k8s.io/apimachinery/pkg/labels"
)

// Label says which shard an object belongs to.
const Label = "sharding.connector.shopify-odoo.dev/key"

// Parse reads a --watch-label-selector. Empty selects everything. A selector
// may only name Label: the objects a manager creates carry their instance's
// value of Label and no other, so a selector on another label would lose
// them to another shard.
func Parse(s string) (labels.Selector, error) {
	sel, err := labels.Parse(s)
	if err != nil {
		return nil, err
	}
	reqs, _ := sel.Requirements()
	for _, r := range reqs {
		if r.Key() != Label {
			return nil, fmt.Errorf("the selector %q names %s: shards are chosen by %s only", s, r.Key(), Label)
		}
	}
	return sel, nil
}

// LeaseName is the leader election lease of the shard sel selects: shards
// elect their leaders apart, and an unsharded manager keeps base.
func LeaseName(base string, sel labels.Selector) string {
	if sel.Empty() {
		return base
	}
	h := fnv.New32a()
	h.Write([]byte(sel.String()))
	return fmt.Sprintf("%s-%08x", base, h.Sum32())
}

// Copy gives to's labels the shard label of from, or takes it away when
// from has none; it reports whether to changed.
func Copy(from map[string]string, to *map[string]string) bool {
	v, ok := from[Label]
	w, had := (*to)[Label]
	if ok == had && v == w {
		return false
	}
	if !ok {
		delete(*to, Label)
		return true
	}
	if *to == nil {
		*to = map[string]string{}
	}
	(*to)[Label] = v
	return true
}
