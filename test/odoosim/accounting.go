package odoosim

import (
	"fmt"
	"math"
	"slices"
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
		account_type sel=asset_receivable,asset_cash,asset_current,liability_payable,liability_current,income,expense`
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
var createOnly = map[string][]string{"account.bank.statement.line": {"counterpart_account_id"}}

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
// them, false when there are none.
func (t *tx) paymentsWidget(r Record) any {
	var content []any
	for _, pid := range idList(r["_payment_ids"]) {
		p := t.rec("account.payment", pid)
		if p == nil || p["state"] == "draft" || p["state"] == "cancel" || p["state"] == "canceled" {
			continue
		}
		content = append(content, map[string]any{"name": p["name"], "journal_name": t.displayName(t.model("account.journal"), asInt(p["journal_id"])),
			"amount": flt(toFloat(p["amount"])), "currency_id": int64(1), "date": p["date"], "account_payment_id": pid,
			"move_id": asInt(p["move_id"]), "ref": p["name"], "is_exchange": false})
	}
	if content == nil {
		return false
	}
	return map[string]any{"title": "Less Payment", "outstanding": false, "content": content}
}

// seedAccounts gives the company a small chart and the bank and cash
// journals their accounts.
func seedAccounts(s seeder) {
	acc := func(code, name, typ string, reconcile bool) int64 {
		return s.add("account.account", map[string]any{"code": code, "name": name, "account_type": typ, "reconcile": reconcile,
			"active": true, "company_id": int64(1)})
	}
	bank := acc("101401", "Bank", "asset_cash", false)
	suspense := acc("101402", "Bank Suspense Account", "asset_current", false)
	receipts := acc("101403", "Outstanding Receipts", "asset_current", true)
	acc("101404", "Outstanding Payments", "asset_current", true)
	cash := acc("101501", "Cash", "asset_cash", false)
	acc("121000", "Account Receivable", "asset_receivable", true)
	acc("400000", "Product Sales", "income", false)
	acc("620000", "Expenses", "expense", false)
	t, next := s.t, 5
	for _, j := range t.sortedIDs(t.model("account.journal")) {
		jr := t.rec("account.journal", j)
		switch {
		case jr["type"] == "cash":
			jr["default_account_id"], jr["suspense_account_id"] = cash, suspense
		case jr["code"] == "BNK1":
			jr["default_account_id"], jr["suspense_account_id"] = bank, suspense
		case jr["type"] == "bank":
			jr["default_account_id"] = acc(fmt.Sprintf("10140%d", next), asString(jr["name"]), "asset_cash", false)
			next++
			jr["suspense_account_id"] = suspense
		}
	}
	for _, l := range t.sortedIDs(t.model("account.payment.method.line")) {
		t.rec("account.payment.method.line", l)["payment_account_id"] = receipts
	}
}

// paymentEntry posts a payment's entry: its line on the outstanding
// account, open until a bank statement line is reconciled with it.
func (t *tx) paymentEntry(pid int64) error {
	p := t.rec("account.payment", pid)
	account := asInt(t.val("account.payment.method.line", asInt(p["payment_method_line_id"]), "payment_account_id"))
	if account == 0 {
		return nil // no outstanding account: Odoo 18+ records the payment without an entry
	}
	balance := toFloat(p["amount"])
	if p["payment_type"] == "outbound" {
		balance = -balance
	}
	mid, err := t.create(t.model("account.move"), map[string]any{"move_type": "entry", "state": "posted", "name": p["name"],
		"journal_id": p["journal_id"], "date": p["date"], "partner_id": p["partner_id"]})
	if err != nil {
		return err
	}
	p["move_id"], p["outstanding_account_id"] = mid, account
	_, err = t.create(t.model("account.move.line"), t.itemVals(mid, account, p["partner_id"], p["date"], balance, pid))
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
