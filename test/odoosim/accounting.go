package odoosim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Journal items, bank statements and reconciliation, as far as a payout
// report needs them: accounts; a payment's entry with its line on the
// outstanding receipts (or payments) account; bank statement lines whose
// entry has a liquidity line and a counterpart line, on the suspense account
// unless counterpart_account_id names another; and account.move.line's
// public reconcile. Invoice amounts and payment states are kept as before,
// from the payments themselves.

func init() {
	schemaSrc["account.account"] = `code char ! | name char ! | reconcile boolean | active boolean | company_id m2o res.company |
		account_type sel=asset_receivable,asset_cash,asset_current,asset_non_current,asset_prepayments,asset_fixed,liability_payable,liability_credit_card,liability_current,liability_non_current,equity,equity_unaffected,income,income_other,expense,expense_other,expense_depreciation,expense_direct_cost,off_balance`
	schemaSrc["res.company"] += ` | account_journal_suspense_account_id m2o account.account |
		account_journal_payment_debit_account_id m2o account.account | account_journal_payment_credit_account_id m2o account.account`
	schemaSrc["account.journal"] += " | default_account_id m2o account.account | suspense_account_id m2o account.account"
	schemaSrc["account.payment.method.line"] += " | payment_account_id m2o account.account"
	schemaSrc["account.payment"] += " | move_id m2o account.move | outstanding_account_id m2o account.account"
	schemaSrc["account.move"] += " | invoice_payments_widget binary ~"
	schemaSrc["account.move.line"] += ` | account_id m2o account.account | partner_id m2o res.partner | date date |
		debit float | credit float | balance float | amount_residual float | reconciled boolean |
		payment_id m2o account.payment | statement_line_id m2o account.bank.statement.line`
	schemaSrc["account.bank.statement"] = `name char | reference char | journal_id m2o account.journal | date date |
		company_id m2o res.company | line_ids o2m account.bank.statement.line statement_id |
		balance_start float | balance_end float ~ | balance_end_real float`
	schemaSrc["account.bank.statement.line"] = `statement_id m2o account.bank.statement | journal_id m2o account.journal ! |
		move_id m2o account.move | date date | payment_ref char | amount float | partner_id m2o res.partner |
		ref char | is_reconciled boolean ~ | company_id m2o res.company`
	defaultOrder["account.bank.statement"] = "date desc, id desc"
	defaultOrder["account.bank.statement.line"] = "date desc, id desc"
}

// createOnly are create keywords that are no fields: the model's create
// pops them. The simulator keeps them under "_" + name.
var createOnly = map[string][]string{"account.bank.statement.line": {"counterpart_account_id"},
	"stock.quant": {"inventory_quantity_auto_apply"}}

// createOnlyRelations are the models the relational create keywords refer to.
var createOnlyRelations = map[string]map[string]string{"account.bank.statement.line": {"counterpart_account_id": "account.account"}}

func (db *database) registerAccountingComputes(set func(model, field string, fn func(t *tx, r Record) any)) {
	set("account.bank.statement", "balance_end", func(t *tx, r Record) any {
		sum := toFloat(r["balance_start"])
		for _, l := range idList(r["line_ids"]) {
			sum += toFloat(t.val("account.bank.statement.line", l, "amount"))
		}
		return round2(sum)
	})
	set("account.bank.statement.line", "is_reconciled", func(t *tx, r Record) any {
		suspense := asInt(t.val("account.journal", asInt(r["journal_id"]), "suspense_account_id"))
		for _, l := range idList(t.val("account.move", asInt(r["move_id"]), "invoice_line_ids")) {
			if asInt(t.val("account.move.line", l, "account_id")) == suspense {
				return false
			}
		}
		return true
	})
	set("account.move", "invoice_payments_widget", func(t *tx, r Record) any { return t.paymentsWidget(r) })
}

// paymentsWidget is the invoice's payments as Odoo's invoice form shows
// them, false when there are none (account_move.py
// _compute_payments_widget_reconciled_info): one entry per reconciled
// payment, named after its journal item, with the payment's entry as the
// reference.
func (t *tx) paymentsWidget(r Record) any {
	var content []any
	for _, pid := range idList(r["_payment_ids"]) {
		p := t.rec("account.payment", pid)
		if p == nil || p["state"] == "draft" || p["state"] == "cancel" || p["state"] == "canceled" {
			continue
		}
		mv := t.model("account.move")
		move := asInt(p["move_id"])
		ref := t.displayName(mv, move)
		if move == 0 {
			ref = asString(p["name"])
		}
		currency := t.val("res.company", 1, "currency_id")
		entry := map[string]any{"name": t.paymentLineName(p), "journal_name": t.displayName(t.model("account.journal"), asInt(p["journal_id"])),
			"company_name": false, "amount": flt(toFloat(p["amount"])), "currency_id": currency, "date": p["date"],
			"partial_id": p["_partial_id"], "account_payment_id": pid,
			"payment_method_name": t.val("account.payment.method.line", asInt(p["payment_method_line_id"]), "name"),
			"move_id":             move, "ref": ref, "is_exchange": false,
			"amount_company_currency": t.formatAmount(toFloat(p["amount"]), asInt(currency)), "amount_foreign_currency": false}
		if t.db.version >= 19 {
			entry["is_refund"] = false // a payment's entry is no credit note
		}
		if entry["payment_method_name"] == nil {
			entry["payment_method_name"] = false
		}
		content = append(content, entry)
	}
	if content == nil {
		return false
	}
	return map[string]any{"title": "Less Payment", "outstanding": false, "content": content}
}

// paymentLineName is the label of a payment's journal items: its payment
// method, then its memo (account_payment.py _get_aml_default_display_name_list).
func (t *tx) paymentLineName(p Record) string {
	label := asString(t.val("account.payment.method.line", asInt(p["payment_method_line_id"]), "name"))
	if label == "" {
		label = "No Payment Method"
	}
	memo := asString(p["memo"])
	if t.db.version == 17 {
		memo = asString(p["ref"])
	}
	if memo != "" {
		return label + ": " + memo
	}
	return label
}

// formatAmount is formatLang with a currency, in English: grouped
// thousands, the symbol before or after the amount with a no-break space.
func (t *tx) formatAmount(v float64, currency int64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	for i := len(intPart) - 3; i > 0; i -= 3 {
		intPart = intPart[:i] + "," + intPart[i:]
	}
	s = intPart + "." + frac
	if v < 0 {
		s = "-" + s
	}
	symbol := asString(t.val("res.currency", currency, "symbol"))
	if asString(t.val("res.currency", currency, "name")) == "USD" { // res.currency position 'before'
		return symbol + "\u00a0" + s
	}
	return s + "\u00a0" + symbol
}

// chartAccounts are the generic chart of accounts' (account/data/template/
// account.account-generic_coa.csv, codes on 6 digits) by version, each as
// [id, code, name, account_type, reconcile]: a fresh database numbers them
// in the file's order.
//
//go:embed accounts.json
var accountsJSON []byte

// seedAccounts gives the company its accounts, and the bank and cash
// journals theirs: the generic chart's and the utility accounts
// chart_template.py makes on a fresh database (ids as the recordings of
// fresh 18 and 19 databases show them), a small chart otherwise.
func seedAccounts(s seeder, fresh bool) {
	acc := func(code, name, typ string, reconcile bool) int64 {
		return s.add("account.account", map[string]any{"code": code, "name": name, "account_type": typ, "reconcile": reconcile,
			"active": true, "company_id": int64(1)})
	}
	var bank, cash, suspense, receipts, payments int64
	if fresh {
		var chart map[string][][5]any
		if err := json.Unmarshal(accountsJSON, &chart); err != nil {
			panic(err)
		}
		for _, a := range chart[fmt.Sprint(s.t.db.version)] {
			s.at("account.account", int64(a[0].(float64)), map[string]any{"code": a[1], "name": a[2], "account_type": a[3],
				"reconcile": a[4], "active": true, "company_id": int64(1)})
		}
		// the utility accounts follow: the suspense, outstanding
		// receipts and payments, liquidity transfer and journal accounts
		at := func(id int64, code, name, typ string, reconcile bool) int64 {
			s.t.model("account.account").nextID = id
			return acc(code, name, typ, reconcile)
		}
		if s.t.db.version >= 19 {
			suspense = at(46, "101402", "Bank Suspense Account", "asset_current", false)
			at(47, "101701", "Liquidity Transfer", "asset_current", true)
			receipts = at(48, "101403", "Outstanding Receipts", "asset_current", true)
			payments = at(49, "101404", "Outstanding Payments", "asset_current", true)
			bank = at(50, "101401", "Bank", "asset_cash", false)
		} else if s.t.db.version == 17 {
			at(41, "101701", "Liquidity Transfer", "asset_current", true)
			suspense = at(43, "101402", "Bank Suspense Account", "asset_current", false)
			receipts = at(44, "101403", "Outstanding Receipts", "asset_current", true)
			payments = at(45, "101404", "Outstanding Payments", "asset_current", true)
			bank = at(46, "101401", "Bank", "asset_cash", false)
			cash = at(47, "101501", "Cash", "asset_cash", false)
		} else {
			cash = at(45, "101501", "Cash", "asset_cash", false)
			at(46, "101701", "Liquidity Transfer", "asset_current", true)
			suspense = at(47, "101402", "Bank Suspense Account", "asset_current", false)
			receipts = at(49, "101403", "Outstanding Receipts", "asset_current", true)
			payments = at(50, "101404", "Outstanding Payments", "asset_current", true)
			bank = at(51, "101401", "Bank", "asset_cash", false)
		}
	} else {
		bank = acc("101401", "Bank", "asset_cash", false)
		suspense = acc("101402", "Bank Suspense Account", "asset_current", false)
		receipts = acc("101403", "Outstanding Receipts", "asset_current", true)
		payments = acc("101404", "Outstanding Payments", "asset_current", true)
		cash = acc("101501", "Cash", "asset_cash", false)
		acc("121000", "Account Receivable", "asset_receivable", true)
		acc("400000", "Product Sales", "income", false)
		acc("620000", "Bank Fees", "expense", false)
	}
	t := s.t
	co := t.rec("res.company", 1)
	co["account_journal_suspense_account_id"], co["account_journal_payment_debit_account_id"] = suspense, receipts
	co["account_journal_payment_credit_account_id"] = payments
	for _, j := range t.sortedIDs(t.model("account.journal")) {
		jr := t.rec("account.journal", j)
		switch {
		case jr["type"] == "cash" && cash != 0:
			jr["default_account_id"], jr["suspense_account_id"] = cash, suspense
		case jr["code"] == "BNK1":
			jr["default_account_id"], jr["suspense_account_id"] = bank, suspense
		case jr["type"] == "bank" || jr["type"] == "cash":
			journalAccount(t, jr)
		}
	}
	if !fresh {
		for _, l := range t.sortedIDs(t.model("account.payment.method.line")) {
			t.rec("account.payment.method.line", l)["payment_account_id"] = receipts
		}
	}
}

// journalAccount gives a new bank or cash journal its account, coded after
// the last of its kind (101401, 101402, ... for banks; 101501, ... for
// cash), and the company's suspense account (account_journal.py
// _prepare_liquidity_account_vals, _fill_missing_values).
func journalAccount(t *tx, jr Record) {
	if asInt(jr["default_account_id"]) == 0 {
		prefix := int64(101400)
		if jr["type"] == "cash" {
			prefix = 101500
		}
		code := prefix + 1
		for _, r := range t.model("account.account").records {
			if n, err := strconv.ParseInt(asString(r["code"]), 10, 64); err == nil && n >= code && n < prefix+100 {
				code = n + 1
			}
		}
		id, err := t.create(t.model("account.account"), map[string]any{"code": fmt.Sprint(code), "name": jr["name"],
			"account_type": "asset_cash", "reconcile": false, "active": true, "company_id": int64(1)})
		if err != nil {
			panic(err)
		}
		jr["default_account_id"] = id
	}
	if asInt(jr["suspense_account_id"]) == 0 {
		jr["suspense_account_id"] = t.val("res.company", 1, "account_journal_suspense_account_id")
	}
}

// createJournal is account.journal's create: a bank or cash journal gets
// its account, suspense account and manual payment method.
func createJournal(t *tx, r Record, _ map[string]any) error {
	if t.seeding || r["type"] != "bank" && r["type"] != "cash" {
		return nil
	}
	journalAccount(t, r)
	if len(idList(r["inbound_payment_method_line_ids"])) == 0 {
		_, err := t.create(t.model("account.payment.method.line"), map[string]any{"name": "Manual Payment", "journal_id": r["id"], "payment_type": "inbound"})
		return err
	}
	return nil
}

// receivable is the account of the customers' receivables: the partners'
// default, the first receivable account.
func (t *tx) receivable() int64 {
	ids, _ := t.search(t.model("account.account"), []any{[]any{"account_type", "=", "asset_receivable"}}, 0, 1, "id")
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// paymentEntry posts a payment's entry (account_payment.py
// _prepare_move_line_default_vals): a line on the outstanding account, open
// until a bank statement line is reconciled with it, and its counterpart on
// the receivable account, reconciled with the invoices. The outstanding
// account is the payment method line's, else the company's outstanding
// receipts (payments for money sent).
func (t *tx) paymentEntry(pid int64) error {
	p := t.rec("account.payment", pid)
	account := asInt(t.val("account.payment.method.line", asInt(p["payment_method_line_id"]), "payment_account_id"))
	if account == 0 {
		field := "account_journal_payment_debit_account_id"
		if p["payment_type"] == "outbound" {
			field = "account_journal_payment_credit_account_id"
		}
		account = asInt(t.val("res.company", 1, field))
	}
	if account == 0 {
		return nil // no outstanding account: Odoo 18+ records the payment without an entry
	}
	balance := toFloat(p["amount"])
	if p["payment_type"] == "outbound" {
		balance = -balance
	}
	memo := p["memo"]
	if t.db.version == 17 {
		memo = p["ref"]
	}
	mid, err := t.create(t.model("account.move"), map[string]any{"move_type": "entry", "state": "posted", "name": p["name"],
		"journal_id": p["journal_id"], "date": p["date"], "partner_id": p["partner_id"], "ref": memo})
	if err != nil {
		return err
	}
	p["move_id"], p["outstanding_account_id"] = mid, account
	t.db.seq["partial"]++
	p["_partial_id"] = int64(t.db.seq["partial"])
	v := t.itemVals(mid, account, p["partner_id"], p["date"], balance, pid)
	v["name"] = t.paymentLineName(p)
	if _, err = t.create(t.model("account.move.line"), v); err != nil {
		return err
	}
	if rec := t.receivable(); rec != 0 {
		v := t.itemVals(mid, rec, p["partner_id"], p["date"], -balance, pid)
		v["amount_residual"], v["reconciled"], v["name"] = 0.0, true, t.paymentLineName(p)
		_, err = t.create(t.model("account.move.line"), v)
	}
	return err
}

func (t *tx) itemVals(move, account int64, partner, date any, balance float64, payment int64) map[string]any {
	return map[string]any{"move_id": move, "account_id": account, "partner_id": partner, "date": date, "name": "",
		"debit": max(balance, 0), "credit": max(-balance, 0), "balance": balance, "amount_residual": balance,
		"payment_id": payment}
}

func createStatementLine(t *tx, r Record, _ map[string]any) error {
	if r["date"] == nil {
		r["date"] = t.today()
	}
	journal := asInt(r["journal_id"])
	if st := asInt(r["statement_id"]); st != 0 && asInt(t.val("account.bank.statement", st, "journal_id")) != journal {
		return validationError("The journal of a bank statement line must always be the same as the bank statement one.")
	}
	liquidity := asInt(t.val("account.journal", journal, "default_account_id"))
	counterpart := asInt(r["_counterpart_account_id"])
	if counterpart == 0 {
		counterpart = asInt(t.val("account.journal", journal, "suspense_account_id"))
	}
	if liquidity == 0 || counterpart == 0 {
		return userError("You can't create a new statement line without a suspense account set on the %s journal.", t.displayName(t.model("account.journal"), journal))
	}
	code := asString(t.val("account.journal", journal, "code"))
	mid, err := t.create(t.model("account.move"), map[string]any{"move_type": "entry", "state": "posted", "journal_id": journal,
		"date": r["date"], "partner_id": r["partner_id"], "ref": r["payment_ref"], "name": t.nextName(code + "/" + asString(r["date"])[:4] + "/%05d")})
	if err != nil {
		return err
	}
	r["move_id"] = mid
	amount := toFloat(r["amount"])
	for _, l := range []struct {
		account int64
		balance float64
	}{{liquidity, amount}, {counterpart, -amount}} {
		v := t.itemVals(mid, l.account, r["partner_id"], r["date"], l.balance, 0)
		v["statement_line_id"], v["name"] = r["id"], r["payment_ref"]
		if _, err := t.create(t.model("account.move.line"), v); err != nil {
			return err
		}
	}
	return nil
}

// reconcileLines is account.move.line.reconcile: items of one reconcilable
// account, none reconciled yet, matched debit against credit.
func reconcileLines(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	lines, err := t.records(m, ids)
	if err != nil {
		return nil, err
	}
	var account int64
	for _, l := range lines {
		if truthy(l["reconciled"]) {
			return nil, userError("You are trying to reconcile some entries that are already reconciled.")
		}
		if account != 0 && asInt(l["account_id"]) != account {
			return nil, userError("Entries are not from the same account.")
		}
		account = asInt(l["account_id"])
		if !truthy(t.val("account.account", account, "reconcile")) {
			return nil, userError("Account %s does not allow reconciliation. First change the configuration of this account to allow it.",
				t.displayName(t.model("account.account"), account))
		}
	}
	var debit, credit float64
	for _, l := range lines {
		if b := toFloat(l["amount_residual"]); b > 0 {
			debit += b
		} else {
			credit -= b
		}
	}
	left := [2]float64{min(debit, credit), min(debit, credit)}
	slices.SortFunc(lines, func(a, b Record) int { return int(asInt(a["id"]) - asInt(b["id"])) })
	for _, l := range lines {
		b := toFloat(l["amount_residual"])
		side := 0
		if b < 0 {
			side = 1
		}
		take := min(math.Abs(b), left[side])
		left[side] -= take
		r := t.touch(m, asInt(l["id"]))
		r["amount_residual"] = round2(b - math.Copysign(take, b))
		r["reconciled"] = r["amount_residual"] == 0.0
	}
	return nil, nil
}
