package conformance

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// orderEnd is what one Shopify order became at both ends, as text to
// compare: each field lists its records, sorted.
type orderEnd struct {
	Sale, Invoices, Payments, Pickings, Credits, Shopify string
}

var endFields = []string{"sale orders", "invoices", "payments", "pickings", "credit notes", "in Shopify"}

func (e orderEnd) fields() []string {
	return []string{e.Sale, e.Invoices, e.Payments, e.Pickings, e.Credits, e.Shopify}
}

// collect reads what each order of the store became: its sale orders
// (state, total, tags, the summaries of their open activities), invoices and credit notes (state, payment state, total),
// the payments of those (+ on invoices, - on credit notes), its pickings
// (type, state), and its state in Shopify.
func (r *run) collect(ctx context.Context) (map[string]orderEnd, error) {
	c := r.oc
	type lists struct{ sale, inv, pay, pick, credit []string }
	byName := map[string]*lists{}
	name := map[string]string{} // by the sale order's origin
	out := map[string]orderEnd{}
	r.store.Store().Each(func(o shopifysim.Obj) {
		n := o["name"].(string)
		byName[n] = &lists{}
		name[keys.Order(r.spec.Shopify.Shop, o["legacyResourceId"].(string))] = n
		cancelled := ""
		if o["cancelledAt"] != nil {
			cancelled = ", cancelled"
		}
		out[n] = orderEnd{Shopify: fmt.Sprintf("%s %s, %d fulfilments, %d refunds%s", o["displayFinancialStatus"], o["displayFulfillmentStatus"],
			len(o["fulfillments"].([]shopifysim.Obj)), len(o["refunds"].([]shopifysim.Obj)), cancelled)}
	})
	var sales []struct {
		ID       int64     `json:"id"`
		Origin   odoo.Text `json:"origin"`
		State    odoo.Text `json:"state"`
		Total    float64   `json:"amount_total"`
		Invoices []int64   `json:"invoice_ids"`
		Tags     []int64   `json:"tag_ids"`
	}
	if err := c.SearchRead(ctx, "sale.order", odoo.Domain{odoo.Cond("origin", "=like", keys.Order(r.spec.Shopify.Shop, "%"))},
		[]string{"origin", "state", "amount_total", "invoice_ids", "tag_ids"}, 0, "id", &sales); err != nil {
		return nil, err
	}
	tags := map[int64][]int64{}
	for _, s := range sales {
		tags[s.ID] = s.Tags
	}
	marks, err := marks(ctx, c, tags)
	if err != nil {
		return nil, err
	}
	saleOf, moveOf := map[int64]*lists{}, map[int64]*lists{}
	saleIDs, invIDs := []int64{}, []int64{} // never null in a domain
	for _, s := range sales {
		l := byName[name[string(s.Origin)]]
		if l == nil {
			continue // of another store of the same shop: a database run against before
		}
		l.sale = append(l.sale, fmt.Sprintf("%s %.2f%s", s.State, s.Total, marks[s.ID]))
		saleOf[s.ID] = l
		saleIDs = append(saleIDs, s.ID)
		for _, id := range s.Invoices {
			moveOf[id] = l
			invIDs = append(invIDs, id)
		}
	}
	var pickings []struct {
		Sale  odoo.Many2One `json:"sale_id"`
		Type  odoo.Text     `json:"picking_type_code"`
		State odoo.Text     `json:"state"`
	}
	if err := c.SearchRead(ctx, "stock.picking", odoo.Domain{odoo.In("sale_id", saleIDs)}, []string{"sale_id", "picking_type_code", "state"},
		0, "id", &pickings); err != nil {
		return nil, err
	}
	for _, p := range pickings {
		saleOf[p.Sale.ID].pick = append(saleOf[p.Sale.ID].pick, string(p.Type)+" "+string(p.State))
	}
	var moves []struct {
		ID       int64         `json:"id"`
		Type     odoo.Text     `json:"move_type"`
		State    odoo.Text     `json:"state"`
		Payment  odoo.Text     `json:"payment_state"`
		Total    float64       `json:"amount_total"`
		Reversed odoo.Many2One `json:"reversed_entry_id"`
	}
	if err := c.SearchRead(ctx, "account.move", odoo.Domain{"|", odoo.In("id", invIDs), odoo.In("reversed_entry_id", invIDs)},
		[]string{"move_type", "state", "payment_state", "amount_total", "reversed_entry_id"}, 0, "id", &moves); err != nil {
		return nil, err
	}
	var moveIDs []int64
	for _, m := range moves {
		l := moveOf[m.ID]
		if l == nil { // a credit note not on the sale order
			l = moveOf[m.Reversed.ID]
			moveOf[m.ID] = l
		}
		s := fmt.Sprintf("%s %s %.2f", m.State, m.Payment, m.Total)
		if m.Type == "out_refund" {
			l.credit = append(l.credit, s)
		} else {
			l.inv = append(l.inv, s)
		}
		moveIDs = append(moveIDs, m.ID)
	}
	payments, err := c.MovePayments(ctx, moveIDs)
	if err != nil {
		return nil, err
	}
	for _, m := range moves {
		sign := "+"
		if m.Type == "out_refund" {
			sign = "-"
		}
		for _, p := range payments[m.ID] {
			moveOf[m.ID].pay = append(moveOf[m.ID].pay, fmt.Sprintf("%s%.2f", sign, p.Amount))
		}
	}
	join := func(xs []string) string { return strings.Join(slices.Sorted(slices.Values(xs)), "; ") }
	for n, l := range byName {
		e := out[n]
		e.Sale, e.Invoices, e.Payments, e.Pickings, e.Credits = join(l.sale), join(l.inv), join(l.pay), join(l.pick), join(l.credit)
		out[n] = e
	}
	return out, nil
}

// marks are the names of the tags and the summaries of the open activities
// of sale orders, by sale order.
func marks(ctx context.Context, c *odoo.Client, tags map[int64][]int64) (map[int64]string, error) {
	var tagIDs []int64
	for _, ids := range tags {
		tagIDs = append(tagIDs, ids...)
	}
	var tagRows []struct {
		ID   int64     `json:"id"`
		Name odoo.Text `json:"name"`
	}
	if err := c.Read(ctx, "crm.tag", tagIDs, []string{"name"}, &tagRows); err != nil {
		return nil, err
	}
	name := map[int64]string{}
	for _, t := range tagRows {
		name[t.ID] = string(t.Name)
	}
	var acts []struct {
		ResID   int64     `json:"res_id"`
		Summary odoo.Text `json:"summary"`
	}
	if err := c.SearchRead(ctx, "mail.activity", odoo.Domain{odoo.Cond("res_model", "=", "sale.order"), odoo.In("res_id", slices.Collect(maps.Keys(tags)))},
		[]string{"res_id", "summary"}, 0, "id", &acts); err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for id, ids := range tags {
		for _, t := range ids {
			out[id] += fmt.Sprintf(" [%s]", name[t])
		}
	}
	for _, a := range acts {
		out[a.ResID] += fmt.Sprintf(" (to do: %s)", a.Summary)
	}
	return out, nil
}

// diff lists how the orders differ between a and b, named an and bn.
func diff(a, b map[string]orderEnd, an, bn string) []string {
	var out []string
	for _, n := range byNumber(slices.Collect(maps.Keys(a))) {
		fa, fb := a[n].fields(), b[n].fields()
		for i := range fa {
			if fa[i] != fb[i] {
				out = append(out, fmt.Sprintf("%s %s: %s [%s], %s [%s]", n, endFields[i], an, fa[i], bn, fb[i]))
			}
		}
	}
	return out
}

// byNumber sorts order names such as #1002 and #998 by their number.
func byNumber(names []string) []string {
	num := func(s string) int {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "#"))
		return n
	}
	slices.SortFunc(names, func(x, y string) int { return cmp.Or(cmp.Compare(num(x), num(y)), strings.Compare(x, y)) })
	return names
}
