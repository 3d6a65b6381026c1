package odoosim

import (
	"fmt"
	"slices"
	"strings"
)

const ptavModel = "product.template.attribute.value"

// syncVariants does what Odoo's _create_variant_ids does for attributes
// that always create variants: a template attribute value for each value of
// each attribute line, a variant for each combination, and the variants of
// combinations no longer possible archived.
func syncVariants(t *tx, tmpl Record) error {
	tid := asInt(tmpl["id"])
	combos := [][]int64{nil}
	for _, lid := range idList(tmpl["attribute_line_ids"]) {
		line := t.rec("product.template.attribute.line", lid)
		have := map[int64]int64{}
		for _, p := range idList(line["product_template_value_ids"]) {
			have[asInt(t.val(ptavModel, p, "product_attribute_value_id"))] = p
		}
		var axis []int64
		for _, v := range idList(line["value_ids"]) {
			p := have[v]
			if p == 0 {
				var err error
				if p, err = t.create(t.model(ptavModel), map[string]any{"product_attribute_value_id": float64(v), "attribute_line_id": float64(lid)}); err != nil {
					return err
				}
			}
			axis = append(axis, p)
		}
		if len(axis) == 0 {
			continue
		}
		var next [][]int64
		for _, c := range combos {
			for _, p := range axis {
				next = append(next, append(slices.Clone(c), p))
			}
		}
		combos = next
	}
	key := func(ids []int64) string {
		ids = slices.Sorted(slices.Values(ids))
		return strings.Trim(fmt.Sprint(ids), "[]")
	}
	existing := map[string]int64{}
	m := t.model("product.product")
	for id, r := range m.records {
		if asInt(r["product_tmpl_id"]) == tid {
			existing[key(idList(r["product_template_attribute_value_ids"]))] = id
		}
	}
	keep := map[int64]bool{}
	for _, c := range combos {
		if id := existing[key(c)]; id != 0 {
			keep[id] = true
			t.touch(m, id)["active"] = true
			continue
		}
		vals := map[string]any{"product_tmpl_id": float64(tid)}
		if len(c) > 0 {
			ids := make([]any, len(c))
			for i, p := range c {
				ids[i] = float64(p)
			}
			vals["product_template_attribute_value_ids"] = []any{[]any{6.0, 0.0, ids}}
		}
		id, err := t.create(m, vals)
		if err != nil {
			return err
		}
		keep[id] = true
	}
	for _, id := range existing {
		if !keep[id] {
			t.touch(m, id)["active"] = false
		}
	}
	return nil
}
