package importer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Result is what happened to one order.
type Result struct {
	ID          string // the Shopify order's numeric id
	Name        string // e.g. #1001
	State       v1.LineState
	SaleOrderID int64
	SaleOrder   string
	Outcome     v1.Outcome
	Delivered   bool
	Message     string // a short log line; why, when the line failed
	// Retry: the failure may pass on its own (network, Odoo busy); a failure
	// the data or the spec causes is not retried.
	Retry bool
}

// Importer imports Shopify orders of one instance into its Odoo.
type Importer struct {
	Shopify  *shopify.Client
	Odoo     *odoo.Client
	Settings Settings
	// Cache is shared by the imports of one instance: it spares looking up
	// named records again, and keeps concurrent imports from creating the
	// same customer twice. Optional.
	Cache *Cache
	// Products imports the products orders name that Odoo lacks, when
	// spec.orders.unknownProducts is Create.
	Products ProductCreator
	// AllOrders says the app has read_all_orders: without it Shopify hides
	// the orders created more than 60 days ago, as if they did not exist.
	AllOrders bool
}

// Import brings the orders with the given numeric ids into Odoo and returns
// one result per id, in the same order. An order already imported is brought
// up to date instead of created again: every step looks at what Odoo has
// before it acts, so a retry after any failure never makes a second order,
// invoice or payment. The error is for a failure that stopped the whole
// batch (e.g. Shopify unreachable); per-order failures are in the results.
func (im *Importer) Import(ctx context.Context, ids []string) ([]Result, error) {
	gids := make([]string, len(ids))
	for i, id := range ids {
		gids[i] = keys.GID(keys.TypeOrder, id)
	}
	orders, err := im.Shopify.OrdersByIDs(ctx, gids)
	if err != nil {
		return nil, fmt.Errorf("reading the orders from Shopify: %w", err)
	}
	byID := map[string]*shopify.Order{}
	for i := range orders {
		byID[orders[i].LegacyResourceID] = &orders[i]
	}
	r := &run{im: im, c: im.Odoo, s: im.Settings}
	for _, id := range ids {
		id = keys.LegacyID(id)
		o := byID[id]
		it := &item{res: Result{ID: id}}
		r.items = append(r.items, it)
		if o == nil {
			it.fail(false, im.notFound())
			continue
		}
		it.res.Name = o.Name
		p, err := PlanOrder(im.Settings, o)
		var skip *Skip
		switch {
		case errors.As(err, &skip):
			it.res.State, it.res.Message = skip.State, skip.Message
		case err != nil:
			it.fail(false, err.Error())
		default:
			it.plan = p
		}
	}
	if err := r.execute(ctx); err != nil {
		for _, it := range r.live() {
			it.fail(odoo.IsRetryable(err) || errors.Is(err, odoo.ErrReplyLost), "Odoo: "+err.Error())
		}
	}
	for _, it := range r.items {
		if it.plan != nil && it.res.State == "" {
			it.res.State = v1.LineDone
			it.res.Message = it.summary()
		}
	}
	if err := r.tellFailures(ctx); err != nil {
		for _, it := range r.items {
			if it.res.State == v1.LineFailed {
				it.res.Message += "; the activity in Odoo could not be scheduled: " + err.Error()
			}
		}
	}
	out := make([]Result, len(r.items))
	for i, it := range r.items {
		out[i] = it.res
	}
	return out, nil
}

// notFound says why Shopify did not return an order.
func (im *Importer) notFound() string {
	if im.AllOrders {
		return "order not found in Shopify"
	}
	return "Shopify did not return the order: it was created more than 60 days ago, which the app may read " +
		"only with the read_all_orders scope, or it does not exist"
}

// item is one order on its way through a run.
type item struct {
	res   Result
	plan  *Plan      // nil once the order is settled (skipped or failed)
	order odoo.Order // the Odoo order, once it exists
	steps []string   // what this run did, for the line's message
	// created: this run created the order, which it may delete again.
	created bool
	// cancelled: cancelled in Odoo as in Shopify, left live so that the
	// refund step credits its invoice.
	cancelled bool
}

func (it *item) fail(retry bool, msg string) {
	it.settle(v1.LineFailed, msg)
	it.res.Retry = retry
}

// settle ends the order's run in state with a message.
func (it *item) settle(state v1.LineState, msg string) {
	it.plan = nil
	it.res.State, it.res.Message = state, msg
}

func (it *item) did(step string) { it.steps = append(it.steps, step) }

func (it *item) summary() string {
	if len(it.steps) == 0 {
		return "up to date in Odoo as " + it.res.SaleOrder
	}
	return strings.Join(it.steps, ", ")
}

// run holds what one Import call learns of Odoo.
type run struct {
	im    *Importer
	c     *odoo.Client
	s     Settings
	items []*item
	refs  refs
	invs  map[int64]odoo.Invoice // the customer invoices, once read
}

func (r *run) live() []*item {
	var out []*item
	for _, it := range r.items {
		if it.plan != nil {
			out = append(out, it)
		}
	}
	return out
}

// execute runs the steps over every order still live. A step that fails
// for one order settles only that order; an error returned stops the run.
func (r *run) execute(ctx context.Context) error {
	if len(r.live()) == 0 {
		return nil
	}
	steps := []func(context.Context) error{
		r.findExisting,
		r.cancel,
		r.loadRefs,
		r.checkCurrency,
		r.create,
		r.checkTotals,
		r.markRisky,
		r.confirm,
		r.deliver,
		r.invoice,
		r.post,
		r.pay,
		r.refund,
		r.finish,
	}
	for _, step := range steps {
		if len(r.live()) == 0 {
			return nil
		}
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// findExisting looks the orders up by the key stored in origin when they
// were created: an order found is advanced, never created again.
func (r *run) findExisting(ctx context.Context) error {
	keys := map[string]*item{}
	var ks []string
	for _, it := range r.live() {
		keys[it.plan.Key] = it
		ks = append(ks, it.plan.Key)
	}
	found, err := r.c.ImportedOrdersByOrigin(ctx, ks)
	for key, o := range found {
		if it := keys[key]; it != nil && it.order.ID == 0 {
			it.order = o
			it.res.SaleOrderID, it.res.SaleOrder = o.ID, string(o.Name)
		}
	}
	return err
}

// cancel settles the orders cancelled in Shopify: nothing to do for those
// never imported or already cancelled; the others are cancelled in Odoo
// unless something was delivered, which a person has to handle.
func (r *run) cancel(ctx context.Context) error {
	var its []*item
	var ids []int64
	for _, it := range r.live() {
		switch {
		case !it.plan.Cancelled:
		case it.order.ID == 0:
			it.settle(v1.LineCancelled, "cancelled in Shopify before import: nothing created")
		case it.order.State == "cancel" && len(it.order.InvoiceIDs) > 0:
			it.cancelled = true
		case it.order.State == "cancel":
			it.settle(v1.LineCancelled, "cancelled in Shopify and in Odoo")
		default:
			its = append(its, it)
			ids = append(ids, it.order.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	shipped, err := r.c.DoneDeliveries(ctx, ids)
	if err != nil {
		return err
	}
	its, ids = slices.DeleteFunc(its, func(it *item) bool {
		if name, ok := shipped[it.order.ID]; ok {
			it.fail(false, "cancelled in Shopify, but delivery "+name+" is done in Odoo: not cancelled; handle the return in Odoo")
			return true
		}
		return false
	}), nil
	for _, it := range its {
		ids = append(ids, it.order.ID)
	}
	if err := r.batch(ctx, its, ids, "cancelled", r.c.CancelOrders); err != nil {
		return err
	}
	for _, it := range its {
		switch {
		case it.plan == nil:
		case len(it.order.InvoiceIDs) > 0:
			it.order.State, it.cancelled = "cancel", true
		default:
			it.settle(v1.LineCancelled, "cancelled in Odoo, as in Shopify")
		}
	}
	return nil
}

// reread refreshes the Odoo orders of the live items.
func (r *run) reread(ctx context.Context) error {
	var ids []int64
	for _, it := range r.live() {
		if it.order.ID != 0 {
			ids = append(ids, it.order.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := r.c.ImportedOrders(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[int64]odoo.Order{}
	for _, o := range rows {
		byID[o.ID] = o
	}
	for _, it := range r.live() {
		if o, ok := byID[it.order.ID]; ok {
			it.order = o
			it.res.SaleOrderID, it.res.SaleOrder = o.ID, string(o.Name)
		}
	}
	return nil
}

// confirm turns quotations into sales orders where the workflow says so.
func (r *run) confirm(ctx context.Context) error {
	var ids []int64
	var its []*item
	for _, it := range r.live() {
		if wf := it.plan.Workflow; wf != nil && wf.Confirm && (it.order.State == "draft" || it.order.State == "sent") {
			ids = append(ids, it.order.ID)
			its = append(its, it)
		}
	}
	if err := r.batch(ctx, its, ids, "confirmed", r.c.ConfirmOrders); err != nil {
		return err
	}
	for _, it := range its {
		it.order.State = "sale"
	}
	return nil
}

// batch runs one call over many orders; when it fails for a reason of the
// data, it splits the batch to find the orders at fault, so that the others
// go through.
func (r *run) batch(ctx context.Context, its []*item, ids []int64, done string, call func(context.Context, []int64) error) error {
	if len(ids) == 0 {
		return nil
	}
	err := call(ctx, ids)
	switch {
	case err == nil:
		for _, it := range its {
			it.did(done)
		}
		return nil
	case odoo.IsRetryable(err) || errors.Is(err, odoo.ErrReplyLost):
		return err
	case len(ids) == 1:
		its[0].fail(false, "Odoo refused to mark the order "+done+": "+message(err))
		return nil
	}
	half := len(ids) / 2
	if err := r.batch(ctx, its[:half], ids[:half], done, call); err != nil {
		return err
	}
	return r.batch(ctx, its[half:], ids[half:], done, call)
}

// message is Odoo's own words for a business error.
func message(err error) string {
	var oe *odoo.Error
	if errors.As(err, &oe) && oe.Message != "" {
		return oe.Message
	}
	return err.Error()
}

// deliver validates the deliveries of orders Shopify shows as shipped; a
// delivery validated before has no open moves left and is not touched.
func (r *run) deliver(ctx context.Context) error {
	var ids []int64
	var its []*item
	for _, it := range r.live() {
		if it.order.State == "sale" && it.plan.Order.DisplayFulfillmentStatus == "FULFILLED" {
			ids = append(ids, it.order.ID)
			its = append(its, it)
		}
	}
	validate := func(ctx context.Context, ids []int64) error {
		return r.c.ValidateDeliveries(ctx, odoo.Delivery{OrderIDs: ids})
	}
	if err := r.batch(ctx, its, ids, "delivered", validate); err != nil {
		return err
	}
	for _, it := range its {
		it.res.Delivered = it.plan != nil
	}
	return nil
}

// invoice creates one invoice per sales order that has none yet. A new
// invoice is a draft of the order's total: no need to read it back.
func (r *run) invoice(ctx context.Context) error {
	if err := r.readInvoices(ctx); err != nil {
		return err
	}
	var ids []int64
	var its []*item
	for _, it := range r.live() {
		if wf := it.plan.Workflow; wf != nil && wf.CreateInvoice && it.order.State == "sale" && len(it.order.InvoiceIDs) == 0 {
			ids = append(ids, it.order.ID)
			its = append(its, it)
		}
	}
	byOrder := map[int64]*item{}
	for _, it := range its {
		byOrder[it.order.ID] = it
	}
	create := func(ctx context.Context, ids []int64) error {
		made, err := r.c.InvoiceOrders(ctx, ids)
		for id, invs := range made {
			it := byOrder[id]
			it.order.InvoiceIDs = invs
			for _, inv := range invs {
				r.invs[inv] = odoo.Invoice{ID: inv, State: "draft", MoveType: "out_invoice", PaymentState: "not_paid",
					AmountTotal: it.order.AmountTotal, AmountResidual: it.order.AmountTotal}
			}
		}
		return err
	}
	return r.batch(ctx, its, ids, "invoiced", create)
}

// readInvoices reads the customer invoices orders had before this run.
func (r *run) readInvoices(ctx context.Context) error {
	r.invs = map[int64]odoo.Invoice{}
	var ids []int64
	for _, it := range r.live() {
		ids = append(ids, it.order.InvoiceIDs...)
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := r.c.Invoices(ctx, ids)
	for _, inv := range rows {
		if inv.MoveType == "out_invoice" && inv.State != "cancel" {
			r.invs[inv.ID] = inv
		}
	}
	return err
}

// invoiceOf is the order's customer invoice.
func (r *run) invoiceOf(it *item) (odoo.Invoice, bool) {
	for _, id := range it.order.InvoiceIDs {
		if inv, ok := r.invs[id]; ok {
			return inv, true
		}
	}
	return odoo.Invoice{}, false
}

// setInvoice records what a step changed of an invoice.
func (r *run) setInvoice(id int64, change func(*odoo.Invoice)) {
	inv := r.invs[id]
	change(&inv)
	r.invs[id] = inv
}

// post posts the draft invoices where the workflow says so.
func (r *run) post(ctx context.Context) error {
	var ids []int64
	var its []*item
	for _, it := range r.live() {
		if inv, ok := r.invoiceOf(it); ok && inv.State == "draft" && it.plan.Workflow != nil && it.plan.Workflow.PostInvoice {
			ids = append(ids, inv.ID)
			its = append(its, it)
		}
	}
	if err := r.batch(ctx, its, ids, "invoice posted", r.c.PostInvoices); err != nil {
		return err
	}
	for i, id := range ids {
		if its[i].plan != nil {
			r.setInvoice(id, func(inv *odoo.Invoice) { inv.State = "posted" })
		}
	}
	return nil
}

// pay registers one payment per successful Shopify transaction, in the
// journal of the transaction's gateway. What was registered before shows
// in the invoice's residual, so a transaction is never registered twice.
// Invoices paid in full by one transaction are paid together, one wizard
// per journal.
func (r *run) pay(ctx context.Context) error {
	full := map[int64][]int64{} // by journal
	fullItems := map[int64][]*item{}
	paid := func(it *item, inv int64) {
		if it.plan != nil {
			r.setInvoice(inv, func(inv *odoo.Invoice) { inv.PaymentState, inv.AmountResidual = "paid", 0 })
		}
	}
	for _, it := range r.live() {
		wf := it.plan.Workflow
		inv, ok := r.invoiceOf(it)
		if !ok || wf == nil || !wf.RegisterPayment || inv.State != "posted" || inv.AmountResidual <= 0 {
			continue
		}
		txs, err := r.unregistered(it.plan, it.plan.Order.Transactions, inv, "SALE", "CAPTURE")
		if err != nil {
			it.fail(false, err.Error())
			continue
		}
		if len(txs) == 1 && txs[0].amount >= inv.AmountResidual-0.005 {
			full[txs[0].journal] = append(full[txs[0].journal], inv.ID)
			fullItems[txs[0].journal] = append(fullItems[txs[0].journal], it)
			continue
		}
		for _, tx := range txs {
			if _, err := r.c.RegisterPayments(ctx, odoo.Payment{InvoiceIDs: []int64{inv.ID}, JournalID: tx.journal, Amount: tx.amount, Memo: tx.memo}); err != nil {
				if odoo.IsRetryable(err) || errors.Is(err, odoo.ErrReplyLost) {
					return err
				}
				it.fail(false, "Odoo refused the payment: "+message(err))
				break
			}
		}
		it.did("paid")
		paid(it, inv.ID)
	}
	for journal, ids := range full {
		register := func(ctx context.Context, ids []int64) error {
			_, err := r.c.RegisterPayments(ctx, odoo.Payment{InvoiceIDs: ids, JournalID: journal})
			return err
		}
		if err := r.batch(ctx, fullItems[journal], ids, "paid", register); err != nil {
			return err
		}
		for i, it := range fullItems[journal] {
			paid(it, ids[i])
		}
	}
	return nil
}

// payment is a Shopify transaction to register. Payments are dated when
// they are registered, like the invoice; the payout report settles the
// money's arrival.
type payment struct {
	journal int64
	amount  float64
	memo    string
}

// unregistered are the successful transactions of kinds not yet registered
// against inv (an invoice, or a credit note for refunds), oldest first: the
// registered amount is its total less its residual.
func (r *run) unregistered(p *Plan, txs []shopify.Transaction, inv odoo.Invoice, kinds ...string) ([]payment, error) {
	registered := inv.AmountTotal - inv.AmountResidual
	var out []payment
	for _, t := range txs {
		if t.Status != "SUCCESS" || !slices.Contains(kinds, t.Kind) {
			continue
		}
		amount, _ := strconv.ParseFloat(t.Amount.Shop.Amount.String(), 64)
		if registered >= amount-0.005 {
			registered -= amount
			continue
		}
		amount -= max(registered, 0)
		registered = 0
		journal, err := r.journalFor(p, t.Gateway)
		if err != nil {
			return nil, err
		}
		out = append(out, payment{journal: journal, amount: amount, memo: p.Order.Name + " " + t.Gateway})
	}
	return out, nil
}

// journalFor is the journal of the workflow row for the order's status and
// this gateway, else the journal of the order's own row, else that of the
// first row for this gateway (a cancelled order has no row of its own).
func (r *run) journalFor(p *Plan, gateway string) (int64, error) {
	var name string
	if p.Workflow != nil {
		name = p.Workflow.Journal
	}
	rows, _ := r.s.Workflows(p.POS)
	if wf, err := matchWorkflow(rows, p.Order.DisplayFinancialStatus, []string{gateway}); err == nil && wf.Journal != "" {
		name = wf.Journal
	}
	for i := 0; name == "" && i < len(rows); i++ {
		if rows[i].Gateway == "" || rows[i].Gateway == "*" || rows[i].Gateway == gateway {
			name = rows[i].Journal
		}
	}
	id, ok := r.refs.Journals[name]
	if !ok {
		return 0, fmt.Errorf("journal %q not found in Odoo", name)
	}
	return id, nil
}

// finish reads the invoices back and sets what each order became, as
// Odoo's states say: a posted invoice of 0.00 is paid without a payment, and
// a payment may be in_payment until its bank line is matched.
func (r *run) finish(ctx context.Context) error {
	var ids []int64
	for _, it := range r.live() {
		if inv, ok := r.invoiceOf(it); ok {
			ids = append(ids, inv.ID)
		}
	}
	if len(ids) > 0 {
		rows, err := r.c.Invoices(ctx, ids)
		if err != nil {
			return err
		}
		for _, inv := range rows {
			r.invs[inv.ID] = inv
		}
	}
	for _, it := range r.live() {
		inv, invoiced := r.invoiceOf(it)
		switch {
		case it.plan.Risky && it.order.State != "sale":
			it.res.Outcome = v1.OutcomeRiskyQuotation
		case invoiced && (inv.PaymentState == "paid" || inv.PaymentState == "in_payment"):
			it.res.Outcome = v1.OutcomePaid
		case invoiced:
			it.res.Outcome = v1.OutcomeInvoiced
		case it.order.State == "sale":
			it.res.Outcome = v1.OutcomeSalesOrder
		default:
			it.res.Outcome = v1.OutcomeQuotation
		}
	}
	return nil
}
