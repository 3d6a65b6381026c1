package shopify

import (
	"context"
	"errors"
	"time"
)

// ErrNoPaymentsAccount says the shop does not use Shopify Payments.
var ErrNoPaymentsAccount = errors.New("the shop has no Shopify Payments account")

// Payout is a Shopify Payments payout to the merchant's bank.
type Payout struct {
	ID               string    `json:"id"`
	LegacyResourceID string    `json:"legacyResourceId"`
	Status           string    `json:"status"` // SCHEDULED, IN_TRANSIT, PAID, FAILED, CANCELED
	IssuedAt         time.Time `json:"issuedAt"`
	Net              Money     `json:"net"`
}

// BalanceTransaction is one movement of a Shopify Payments balance: a
// charge, refund, adjustment, reserve and so on, with its fee.
type BalanceTransaction struct {
	ID               string    `json:"id"`
	Type             string    `json:"type"`       // ShopifyPaymentsTransactionType, e.g. CHARGE
	SourceType       string    `json:"sourceType"` // e.g. CHARGE, REFUND, ADJUSTMENT
	SourceID         string    `json:"sourceId"`   // BigInt, a string: e.g. the refund's id for a REFUND
	Test             bool      `json:"test"`
	TransactionDate  time.Time `json:"transactionDate"`
	AdjustmentReason string    `json:"adjustmentReason"`
	Amount           Money     `json:"amount"`
	Fee              Money     `json:"fee"`
	Net              Money     `json:"net"`
	AssociatedOrder  *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"associatedOrder"`
}

// paymentsAccount is the data of a query on shopifyPaymentsAccount, which
// is null for a shop without Shopify Payments.
type paymentsAccount[T any] struct {
	Account *map[string]Conn[T] `json:"shopifyPaymentsAccount"`
}

// balancePageSize keeps a page of balance transactions, five objects
// each, under the 1,000-point limit.
const balancePageSize = 150

func accountPages[T any](ctx context.Context, c *Client, name string, first int, query string, fn func(T) error) error {
	vars := map[string]any{"first": first, "query": query}
	return pagesOf(ctx, c, name, vars, func(d paymentsAccount[T]) (Conn[T], error) {
		if d.Account == nil {
			return Conn[T]{}, ErrNoPaymentsAccount
		}
		for _, conn := range *d.Account {
			return conn, nil
		}
		return Conn[T]{}, nil
	}, fn)
}

// Payouts lists payouts matching query (Shopify search syntax, e.g.
// "status:paid issued_at:>=2026-01-01"), oldest first.
func (c *Client) Payouts(ctx context.Context, query string) ([]Payout, error) {
	var out []Payout
	err := accountPages(ctx, c, "Payouts", pageSize, query, func(p Payout) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// PayoutByID reads one payout by its numeric id; nil when there is none.
func (c *Client) PayoutByID(ctx context.Context, legacyID string) (*Payout, error) {
	ps, err := c.Payouts(ctx, "id:"+legacyID)
	for _, p := range ps {
		if p.LegacyResourceID == legacyID {
			return &p, err
		}
	}
	return nil, err
}

// PayoutTransactions lists the balance transactions paid out by a payout,
// without the transfer that is the payout itself.
func (c *Client) PayoutTransactions(ctx context.Context, payoutLegacyID string) ([]BalanceTransaction, error) {
	var out []BalanceTransaction
	err := accountPages(ctx, c, "PayoutTransactions", balancePageSize, "payments_transfer_id:"+payoutLegacyID, func(t BalanceTransaction) error {
		out = append(out, t)
		return nil
	})
	return out, err
}
