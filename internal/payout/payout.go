// Package payout brings a Shopify Payments payout into an Odoo bank journal:
// one bank statement per payout, a line per balance transaction and one for
// the fees, each charge and refund reconciled with the payment Odoo has for
// the order's invoice or the refund's credit note.
package payout

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Settings say where payouts go in Odoo.
type Settings struct {
	Shop           string // the myshopify.com domain, part of every key
	Journal        string // bank journal name
	FeeAccount     string // account code for fees and adjustments
	ReserveAccount string // account code for reserves; empty leaves them to a person
}

// Unmatched is a balance transaction left for a person in Odoo.
type Unmatched struct {
	ID, Type, Order, Amount, Reason string
}

// Report is what a run found and did.
type Report struct {
	Payout    shopify.Payout
	Statement string // the Odoo statement's name; empty until imported
	// Shopify's figures, and the sum of the Odoo statement's lines.
	Gross, Fees, Net, Odoo decimal.Decimal
	Transactions, Matched  int
	Unmatched              []Unmatched
}

// ErrNotFound says Shopify has no payout with the id.
var ErrNotFound = errors.New("no such payout")

// SettingsError says a journal or an account of the settings is not in Odoo.
type SettingsError struct{ Missing []string }

func (e *SettingsError) Error() string { return "not found in Odoo: " + strings.Join(e.Missing, ", ") }

// Paid says whether the payout has reached the bank: only then is it imported.
func (r Report) Paid() bool { return r.Payout.Status == "PAID" }

// Run imports the payout once and reconciles what it can. A payout not paid
// yet is only read. Running it again creates nothing: the statement is
// found by its reference, and what is reconciled stays so.
func Run(ctx context.Context, sc *shopify.Client, oc *odoo.Client, s Settings, payoutID string) (Report, error) {
	p, err := sc.PayoutByID(ctx, payoutID)
	if err != nil {
		return Report{}, fmt.Errorf("reading the payout from Shopify: %w", err)
	}
	if p == nil {
		return Report{}, fmt.Errorf("payout %s: %w", payoutID, ErrNotFound)
	}
	rep := Report{Payout: *p, Net: p.Net.Amount}
	if !rep.Paid() {
		return rep, nil
	}
	txs, err := sc.PayoutTransactions(ctx, payoutID)
	if err != nil {
		return rep, fmt.Errorf("reading the payout's transactions from Shopify: %w", err)
	}
	rep.Transactions = len(txs)
	for _, t := range txs {
		rep.Gross, rep.Fees = rep.Gross.Add(t.Amount.Amount), rep.Fees.Add(t.Fee.Amount)
	}
	refs, err := lookupSettings(ctx, oc, s)
	if err != nil {
		return rep, err
	}
	plan, err := planLines(ctx, oc, s, refs, p, txs)
	if err != nil {
		return rep, err
	}
	st, err := statement(ctx, oc, plan)
	if err != nil {
		return rep, err
	}
	rep.Statement = string(st.Name)
	lines, err := oc.StatementLines(ctx, st.ID)
	if err != nil {
		return rep, err
	}
	sum := 0.0
	for _, l := range lines {
		sum += l.Amount
	}
	rep.Odoo = decimal.Money(sum)
	if err := reconcile(ctx, oc, plan, lines, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// settingsRefs are the settings' Odoo ids.
type settingsRefs struct{ journal, fee, reserve int64 }

func lookupSettings(ctx context.Context, oc *odoo.Client, s Settings) (settingsRefs, error) {
	codes := []string{s.FeeAccount}
	if s.ReserveAccount != "" {
		codes = append(codes, s.ReserveAccount)
	}
	r, err := oc.Resolve(ctx, odoo.Names{BankJournal: s.Journal, Accounts: codes})
	var u *odoo.Unresolved
	if errors.As(err, &u) {
		return settingsRefs{}, &SettingsError{Missing: u.Missing}
	}
	return settingsRefs{journal: r.BankJournal, fee: r.Accounts[s.FeeAccount], reserve: r.Accounts[s.ReserveAccount]}, err
}

// statement finds the payout's statement, or creates it. When the create's
// reply is lost, the statement may exist all the same: it is looked up
// again before the error is returned.
func statement(ctx context.Context, oc *odoo.Client, plan plan) (*odoo.Statement, error) {
	if st, err := oc.StatementByRef(ctx, plan.statement.Ref); err != nil || st != nil {
		return st, err
	}
	_, cerr := oc.CreateStatement(ctx, plan.statement)
	st, err := oc.StatementByRef(ctx, plan.statement.Ref)
	switch {
	case err != nil:
		return nil, err
	case st == nil && cerr != nil:
		return nil, fmt.Errorf("creating the bank statement: %w", cerr)
	case st == nil:
		return nil, errors.New("the bank statement Odoo created cannot be found by its reference")
	}
	return st, nil
}

// reconcile matches each planned line's counterpart item with its
// payment's open item, and counts what is matched.
func reconcile(ctx context.Context, oc *odoo.Client, plan plan, lines []odoo.StatementLine, rep *Report) error {
	byRef := map[string]odoo.StatementLine{}
	var moves []int64
	for _, l := range lines {
		byRef[string(l.Ref)] = l
		moves = append(moves, l.Move.ID)
	}
	var payMoves []int64
	for _, pl := range plan.lines {
		for _, p := range pl.payments {
			payMoves = append(payMoves, p.Move.ID)
		}
	}
	items, err := oc.JournalItems(ctx, append(moves, payMoves...))
	if err != nil {
		return err
	}
	byMove := map[int64][]odoo.JournalItem{}
	for _, it := range items {
		byMove[it.Move.ID] = append(byMove[it.Move.ID], it)
	}
	used := map[int64]bool{}
	for _, pl := range plan.lines {
		if pl.tx == nil { // the fees
			continue
		}
		l, ok := byRef[pl.line.Ref]
		reason := pl.reason
		switch {
		case !ok:
			reason = "not on the Odoo statement: book it by hand"
		case pl.payments != nil:
			if reason, err = match(ctx, oc, pl, byMove[l.Move.ID], byMove, used); err != nil {
				return err
			}
		}
		if reason == "" {
			rep.Matched++
		} else {
			rep.Unmatched = append(rep.Unmatched, unmatched(pl.tx, reason))
		}
	}
	return nil
}

// match reconciles a line's counterpart item with the open item of one of
// its payments that has the opposite amount, and says why when it cannot.
// The error is for a reconcile whose outcome is unknown: the next run sees.
func match(ctx context.Context, oc *odoo.Client, pl planned, own []odoo.JournalItem, byMove map[int64][]odoo.JournalItem, used map[int64]bool) (string, error) {
	var counterpart *odoo.JournalItem
	for i, it := range own {
		if it.Account.ID == pl.line.CounterpartAccountID {
			counterpart = &own[i]
		}
	}
	switch {
	case counterpart == nil:
		return "imported before its payment was in Odoo: reconcile it there", nil
	case counterpart.Reconciled:
		return "", nil
	}
	for _, p := range pl.payments {
		for _, it := range byMove[p.Move.ID] {
			if it.Account.ID != counterpart.Account.ID || it.Reconciled || used[it.ID] || math.Abs(it.Residual+counterpart.Residual) > 0.005 {
				continue
			}
			used[it.ID] = true
			err := oc.Reconcile(ctx, []int64{counterpart.ID, it.ID})
			if err != nil && (errors.Is(err, odoo.ErrReplyLost) || odoo.IsRetryable(err)) {
				return "", fmt.Errorf("reconciling in Odoo: %w", err)
			} else if err != nil {
				return "Odoo refused the reconciliation: " + err.Error(), nil
			}
			return "", nil
		}
	}
	return fmt.Sprintf("no open payment of %.2f left to match in Odoo", math.Abs(counterpart.Residual)), nil
}

func unmatched(t *shopify.BalanceTransaction, reason string) Unmatched {
	u := Unmatched{ID: legacyID(t.ID), Type: t.Type, Amount: t.Amount.Amount.String(), Reason: reason}
	if t.AssociatedOrder != nil {
		u.Order = t.AssociatedOrder.Name
	}
	return u
}

// legacyID is the number at the end of a GID.
func legacyID(gid string) string { return gid[strings.LastIndexByte(gid, '/')+1:] }

// keyOf is the Odoo key of a Shopify object under the payout's.
func keyOf(ref, what string) string { return ref + "/" + what }

// orderKey is the key of the sale order of a transaction's order.
func orderKey(shop string, t *shopify.BalanceTransaction) string {
	return keys.Order(shop, legacyID(t.AssociatedOrder.ID))
}
