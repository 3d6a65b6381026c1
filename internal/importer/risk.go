package importer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// DefaultRiskTag is the tag put on risky quotations when the spec names none.
const DefaultRiskTag = "Shopify: risky"

// RiskTag is the name of the tag of risky quotations.
func RiskTag(o v1.OrdersSpec) string { return cmp.Or(o.Risk.Tag, DefaultRiskTag) }

// riskNote is Shopify's risk of an order, for the chatter and the reviewer.
func riskNote(o *shopify.Order) string {
	levels := make([]string, len(o.Risk.Assessments))
	for i, a := range o.Risk.Assessments {
		levels[i] = strings.ToLower(a.RiskLevel)
	}
	note := riskMarker + " " + o.Name + " as risky: " + riskSummary(o)
	if len(levels) > 0 {
		note += "; assessments: " + strings.Join(levels, ", ")
	}
	return note + ". Confirm or cancel the quotation once reviewed."
}

// riskMarker begins the risk note, which says an order was marked.
const riskMarker = "Shopify flags order"

// markRisky marks the risky quotations where the sales team works: the tag,
// given when the order is created, Shopify's risk in the chatter and a To-Do
// for the reviewer. A quotation found with the note is left alone, so that a
// retry or a later import marks each order once.
func (r *run) markRisky(ctx context.Context) error {
	var its, found []*item
	for _, it := range r.live() {
		if it.plan.Risky && (it.order.State == "draft" || it.order.State == "sent") {
			its = append(its, it)
			if !it.created {
				found = append(found, it)
			}
		}
	}
	if len(found) > 0 {
		if err := r.loadMailRefs(ctx); err != nil {
			return err
		}
		noted, err := r.c.Noted(ctx, "sale.order", orderIDs(found), riskMarker)
		if err != nil {
			return err
		}
		its = slices.DeleteFunc(its, func(it *item) bool { return noted[it.order.ID] })
		found = slices.DeleteFunc(found, func(it *item) bool { return noted[it.order.ID] })
	}
	if len(its) == 0 {
		return nil
	}
	notes := make([]odoo.Note, len(its))
	var todos []odoo.Activity
	for i, it := range its {
		notes[i] = odoo.Note{Model: "sale.order", ResID: it.order.ID, Body: riskNote(it.plan.Order)}
		if u := r.refs.Users[r.s.Orders.Risk.Reviewer]; u != 0 {
			todos = append(todos, odoo.Activity{Model: "sale.order", ResID: it.order.ID, UserID: u,
				Summary: "Review risky Shopify order " + it.plan.Order.Name, Note: notes[i].Body})
		}
	}
	// the tag of an order created before (a crash, or a policy changed since)
	tag := func(ctx context.Context, ids []int64) error { return r.c.TagOrders(ctx, ids, r.refs.riskTag) }
	if err := r.batch(ctx, found, orderIDs(found), "tagged", tag); err != nil {
		return err
	}
	if err := r.c.ScheduleTodos(ctx, r.refs.mail, todos); err != nil {
		return err
	}
	if err := r.c.PostNotes(ctx, r.refs.mail, notes); err != nil {
		return err
	}
	for _, it := range its {
		it.did("marked risky")
	}
	return nil
}

func orderIDs(its []*item) []int64 {
	ids := make([]int64, len(its))
	for i, it := range its {
		ids[i] = it.order.ID
	}
	return ids
}

// loadMailRefs looks up the risk tag, made when missing, and mail's records
// once for the instance's cache.
func (r *run) loadMailRefs(ctx context.Context) error {
	if err := r.loadMail(ctx); err != nil {
		return err
	}
	return lookUpOnce(r, func(f *refs) *int64 { return &f.riskTag }, func() (int64, error) {
		return r.c.TagByName(ctx, RiskTag(r.s.Orders))
	})
}

// loadMail looks up mail's records once for the instance's cache.
func (r *run) loadMail(ctx context.Context) error {
	return lookUpOnce(r, func(f *refs) *odoo.MailRefs { return &f.mail }, func() (odoo.MailRefs, error) {
		return r.c.MailRefs(ctx)
	})
}

// lookUpOnce fills a field of the run's refs from the instance's cache, or
// else from Odoo into both, under the lookups lock so that imports starting
// together look it up once.
func lookUpOnce[T comparable](r *run, field func(*refs) *T, look func() (T, error)) error {
	var zero T
	if *field(&r.refs) != zero {
		return nil
	}
	defer r.im.Cache.lockLookups()()
	r.im.Cache.use(r.s, func(c *Cache) { *field(&r.refs) = *field(&c.refs) })
	if *field(&r.refs) != zero {
		return nil
	}
	v, err := look()
	if err != nil {
		return err
	}
	*field(&r.refs) = v
	r.im.Cache.use(r.s, func(c *Cache) { *field(&c.refs) = v })
	return nil
}

// failureSummary names one order's failure activity; it finds the activity
// again, so that an order has one however often it fails.
func failureSummary(shop, name string) string {
	return fmt.Sprintf("Shopify order %s of %s failed to import", name, shop)
}

// tellFailures gives the onFailure user a To-Do for each failed order that
// has none open, on its sale order or else on the failure record, and marks
// done those of the orders that are now imported.
func (r *run) tellFailures(ctx context.Context) error {
	f := r.s.Orders.OnFailure
	if f == nil {
		return nil
	}
	if r.refs.Users == nil {
		if err := r.loadRefs(ctx); err != nil {
			return err
		}
	}
	if err := r.loadMail(ctx); err != nil {
		return err
	}
	user := r.refs.Users[f.ActivityUser]
	if user == 0 {
		return nil // unresolved: the connection check stalls the instance
	}
	bySummary := map[string]*item{}
	var summaries []string
	for _, it := range r.items {
		if it.res.State == v1.LineFailed || it.res.State == v1.LineDone || it.res.State == v1.LineCancelled {
			s := failureSummary(r.s.Shop, cmp.Or(it.res.Name, it.res.ID))
			bySummary[s] = it
			summaries = append(summaries, s)
		}
	}
	open, err := r.c.OpenTodos(ctx, user, summaries)
	if err != nil {
		return err
	}
	var done []int64
	for _, a := range open {
		if it := bySummary[a.Summary]; it.res.State != v1.LineFailed {
			done = append(done, a.ID)
		}
		delete(bySummary, a.Summary)
	}
	if err := r.c.MarkDone(ctx, done, "Imported into Odoo"); err != nil {
		return err
	}
	var todos []odoo.Activity
	for _, s := range summaries {
		it := bySummary[s]
		if it == nil || it.res.State != v1.LineFailed {
			continue
		}
		a := odoo.Activity{Model: "sale.order", ResID: it.res.SaleOrderID, UserID: user, Summary: s, Note: it.res.Message}
		if a.ResID == 0 {
			if a.Model, a.ResID = r.failureRecord(); a.ResID == 0 {
				continue // no record to carry it
			}
		}
		todos = append(todos, a)
	}
	return r.c.ScheduleTodos(ctx, r.refs.mail, todos)
}

// failureRecord carries the activity of an order without a sale order: the
// spec's, else the journal of the first workflow naming one.
func (r *run) failureRecord() (model string, id int64) {
	if rec := r.s.Orders.OnFailure.Record; rec != nil {
		return rec.Model, r.refs.Records[odoo.Record{Model: rec.Model, Name: rec.Name}]
	}
	for _, w := range r.s.Orders.Workflows {
		if w.Journal != "" {
			return "account.journal", r.refs.Journals[w.Journal]
		}
	}
	return "", 0
}
