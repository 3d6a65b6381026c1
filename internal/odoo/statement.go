package odoo

import (
	"context"
	"encoding/json"
)

// Bank statements and reconciliation, through public methods that Odoo 17,
// 18 and 19 Community all have: account.bank.statement create with its
// lines, account.bank.statement.line's counterpart_account_id create
// keyword (the line's counterpart goes there instead of the suspense
// account), and account.move.line.reconcile.

// Statement is an account.bank.statement.
type Statement struct {
	ID        int64    `json:"id"`
	Name      Text     `json:"name"`
	Reference Text     `json:"reference"`
	Journal   Many2One `json:"journal_id"`
	LineIDs   []int64  `json:"line_ids"`
}

// StatementByRef finds the statement whose reference is ref; nil when none.
func (c *Client) StatementByRef(ctx context.Context, ref string) (*Statement, error) {
	var rows []Statement
	err := c.SearchRead(ctx, "account.bank.statement", Domain{Cond("reference", "=", ref)},
		[]string{"name", "reference", "journal_id", "line_ids"}, 1, "id", &rows)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// NewStatementLine is a line of a statement to create.
type NewStatementLine struct {
	Date      string // YYYY-MM-DD
	Label     string // payment_ref
	Amount    float64
	PartnerID int64
	// Ref is the reference of the line's journal entry (the line inherits
	// account.move's ref): the key of what it books. Community has no
	// unique_import_id, which only bank statement import modules add.
	Ref string
	// CounterpartAccountID books the line on this account instead of the
	// journal's suspense account.
	CounterpartAccountID int64
}

// NewStatement is a bank statement with its lines.
type NewStatement struct {
	Name      string
	Ref       string // reference, the key looked up before creating
	JournalID int64
	Date      string
	Lines     []NewStatementLine
}

// CreateStatement creates the statement and its lines in one call, so that
// either all exist or none. It is never repeated by the transport: after an
// error, look it up by Ref before creating again.
func (c *Client) CreateStatement(ctx context.Context, s NewStatement) (int64, error) {
	lines := make([]any, len(s.Lines))
	for i, l := range s.Lines {
		v := map[string]any{"date": l.Date, "payment_ref": l.Label, "amount": l.Amount, "journal_id": s.JournalID,
			"ref": l.Ref}
		if l.PartnerID != 0 {
			v["partner_id"] = l.PartnerID
		}
		if l.CounterpartAccountID != 0 {
			v["counterpart_account_id"] = l.CounterpartAccountID
		}
		lines[i] = []any{0, 0, v}
	}
	ids, err := c.Create(ctx, "account.bank.statement", []map[string]any{{"name": s.Name, "reference": s.Ref,
		"journal_id": s.JournalID, "date": s.Date, "line_ids": lines}})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// StatementLine is an account.bank.statement.line.
type StatementLine struct {
	ID         int64    `json:"id"`
	Ref        Text     `json:"ref"`
	Amount     float64  `json:"amount"`
	Move       Many2One `json:"move_id"`
	Reconciled bool     `json:"is_reconciled"`
}

// StatementLines reads the lines of a statement.
func (c *Client) StatementLines(ctx context.Context, statementID int64) ([]StatementLine, error) {
	var rows []StatementLine
	err := c.SearchRead(ctx, "account.bank.statement.line", Domain{Cond("statement_id", "=", statementID)},
		[]string{"ref", "amount", "move_id", "is_reconciled"}, 0, "id", &rows)
	return rows, err
}

// JournalItem is an account.move.line as reconciliation needs it.
type JournalItem struct {
	ID         int64    `json:"id"`
	Move       Many2One `json:"move_id"`
	Account    Many2One `json:"account_id"`
	Residual   float64  `json:"amount_residual"`
	Reconciled bool     `json:"reconciled"`
}

// JournalItems reads the items of journal entries.
func (c *Client) JournalItems(ctx context.Context, moveIDs []int64) ([]JournalItem, error) {
	var rows []JournalItem
	err := c.SearchRead(ctx, "account.move.line", Domain{In("move_id", moveIDs)},
		[]string{"move_id", "account_id", "amount_residual", "reconciled"}, 0, "id", &rows)
	return rows, err
}

// Reconcile reconciles journal items of one account with each other. It
// is never repeated by the transport; a repeat would be refused anyway.
func (c *Client) Reconcile(ctx context.Context, itemIDs []int64) error {
	return c.Call(ctx, "account.move.line", "reconcile", []any{itemIDs}, nil, nil)
}

// accountsByCode maps account codes to ids.
func (c *Client) accountsByCode(ctx context.Context, codes []string) (map[string]int64, error) {
	var rows []struct {
		ID   int64 `json:"id"`
		Code Text  `json:"code"`
	}
	err := c.SearchRead(ctx, "account.account", Domain{In("code", codes)}, []string{"code"}, 0, "id", &rows)
	out := map[string]int64{}
	for _, r := range rows {
		out[string(r.Code)] = r.ID
	}
	return out, err
}

// PaymentEntry is a payment with the entry it posted.
type PaymentEntry struct {
	ID      int64    `json:"id"`
	Amount  float64  `json:"amount"`
	Partner Many2One `json:"partner_id"`
	// Move is the payment's journal entry; Odoo 18+ makes none when the
	// payment method has no outstanding account.
	Move        Many2One `json:"move_id"`
	Outstanding Many2One `json:"outstanding_account_id"`
}

// MovePayments finds the payments reconciled with invoices or credit notes,
// by move, as the invoice form lists them (invoice_payments_widget).
func (c *Client) MovePayments(ctx context.Context, moveIDs []int64) (map[int64][]PaymentEntry, error) {
	var rows []struct {
		ID     int64           `json:"id"`
		Widget json.RawMessage `json:"invoice_payments_widget"`
	}
	if err := c.Read(ctx, "account.move", moveIDs, []string{"invoice_payments_widget"}, &rows); err != nil {
		return nil, err
	}
	byMove := map[int64][]int64{}
	var ids []int64
	for _, r := range rows {
		var w struct {
			Content []struct {
				PaymentID int64 `json:"account_payment_id"`
			} `json:"content"`
		}
		if len(r.Widget) == 0 || r.Widget[0] != '{' {
			continue // false: no payments
		}
		if err := json.Unmarshal(r.Widget, &w); err != nil {
			return nil, err
		}
		for _, p := range w.Content {
			if p.PaymentID != 0 {
				byMove[r.ID] = append(byMove[r.ID], p.PaymentID)
				ids = append(ids, p.PaymentID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var pays []PaymentEntry
	if err := c.Read(ctx, "account.payment", ids, []string{"amount", "partner_id", "move_id", "outstanding_account_id"}, &pays); err != nil {
		return nil, err
	}
	byID := map[int64]PaymentEntry{}
	for _, p := range pays {
		byID[p.ID] = p
	}
	out := map[int64][]PaymentEntry{}
	for m, ps := range byMove {
		for _, id := range ps {
			if p, ok := byID[id]; ok {
				out[m] = append(out[m], p)
			}
		}
	}
	return out, nil
}
