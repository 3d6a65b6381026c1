package shopifysim

import (
	"fmt"
	"sort"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/test/catalog"
)

// Shopify Payments: payouts made of balance transactions, which AddPayout
// builds from the store's orders.

var (
	// feeRate and feeFixed are what a card charge costs: 2.9% + 0.25.
	feeRate  = decimal.MustParse("0.029")
	feeFixed = decimal.MustParse("0.25")
	// PayoutAdjustment and PayoutReserve are the adjustment and the reserve
	// every payout carries besides its orders' charges and refunds.
	PayoutAdjustment = decimal.MustParse("-15.00")
	PayoutReserve    = decimal.MustParse("-40.00")
)

func moneyV2(d decimal.Decimal) Obj { return Obj{"amount": money(d), "currencyCode": catalog.Currency} }

// AddPayout pays out the Shopify Payments charges and refunds of the given
// orders (numeric ids), a chargeback fee adjustment and a reserve, as one
// paid payout, and returns its numeric id.
func (st *Store) AddPayout(orderIDs []string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	payout := st.add("ShopifyPaymentsPayout", Obj{"status": "PAID", "issuedAt": now(), "transactionType": "DEPOSIT",
		"externalTraceId": nil, "bankAccount": nil})
	var txs []Obj
	add := func(typ, source string, sourceID, orderTx any, amount, fee decimal.Decimal, date any, order Obj) {
		var assoc any
		if order != nil {
			assoc = Obj{"id": order["id"], "name": order["name"]}
		}
		txs = append(txs, st.add("ShopifyPaymentsBalanceTransaction", Obj{"type": typ, "sourceType": source, "sourceId": sourceID,
			"sourceOrderTransactionId": orderTx, "test": false, "transactionDate": date, "adjustmentReason": nil, "adjustmentsOrders": []Obj{},
			"amount": moneyV2(amount), "fee": moneyV2(fee), "net": moneyV2(amount.Sub(fee)), "associatedOrder": assoc,
			"associatedPayout": Obj{"id": payout["id"], "status": "PAID"}, "payout": payout["legacyResourceId"]}))
	}
	for _, id := range orderIDs {
		o := st.nodes[gid("Order", mustInt(id))]
		for _, t := range o["transactions"].([]Obj) {
			if t["gateway"] != "shopify_payments" || t["status"] != "SUCCESS" || t["test"] == true {
				continue
			}
			amt := amount(t["amountSet"], 0)
			switch t["kind"] {
			case "SALE", "CAPTURE":
				fee := amt.Mul(feeRate).Add(feeFixed).Round(2)
				add("CHARGE", "CHARGE", t["legacyResourceId"], t["legacyResourceId"], amt, fee, t["processedAt"], o)
			case "REFUND":
				add("REFUND", "REFUND", refundOf(o, t)["legacyResourceId"], t["legacyResourceId"], amt.Neg(), decimal.Zero, t["processedAt"], o)
			}
		}
	}
	add("ADJUSTMENT", "ADJUSTMENT", nil, nil, PayoutAdjustment, decimal.Zero, now(), nil)
	txs[len(txs)-1]["adjustmentReason"] = "chargeback_fee"
	add("RESERVED_FUNDS", "SYSTEM_ADJUSTMENT", nil, nil, PayoutReserve, decimal.Zero, now(), nil)
	net := decimal.Zero
	sums := map[string][2]decimal.Decimal{} // gross and fee by summary prefix
	for _, t := range txs {
		a, f := decimal.MustParse(t["amount"].(Obj)["amount"].(string)), decimal.MustParse(t["fee"].(Obj)["amount"].(string))
		net = net.Add(a.Sub(f))
		k := map[string]string{"CHARGE": "charges", "REFUND": "refunds", "ADJUSTMENT": "adjustments", "RESERVED_FUNDS": "reservedFunds"}[t["type"].(string)]
		sums[k] = [2]decimal.Decimal{sums[k][0].Add(a), sums[k][1].Add(f)}
	}
	summary := Obj{}
	for _, k := range []string{"adjustments", "advance", "charges", "refunds", "reservedFunds", "retriedPayouts"} {
		gross := k + "Gross"
		if k == "refunds" {
			gross = "refundsFeeGross"
		}
		summary[gross], summary[k+"Fee"] = moneyV2(sums[k][0]), moneyV2(sums[k][1])
	}
	summary["usdcRebateCreditAmount"] = moneyV2(decimal.Zero)
	payout["net"], payout["gross"], payout["summary"] = moneyV2(net), moneyV2(net), summary
	// The transfer of the payout itself, which hideTransfers leaves out.
	add("TRANSFER", "TRANSFER", payout["legacyResourceId"], nil, net.Neg(), decimal.Zero, now(), nil)
	st.payouts = append(st.payouts, payout)
	st.balance = append(st.balance, txs...)
	return payout["legacyResourceId"].(string)
}

// SetPayoutStatus changes a payout's status, e.g. to SCHEDULED before the
// bank has it.
func (st *Store) SetPayoutStatus(id, status string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.nodes[gid("ShopifyPaymentsPayout", mustInt(id))]
	p["status"] = status
	for _, t := range st.balance {
		if t["payout"] == id {
			t["associatedPayout"].(Obj)["status"] = status
		}
	}
}

// refundOf finds the refund a refund transaction belongs to.
func refundOf(o Obj, t Obj) Obj {
	for _, rf := range o["refunds"].([]Obj) {
		for _, x := range rf["transactions"].([]Obj) {
			if x["id"] == t["id"] {
				return rf
			}
		}
	}
	return Obj{"legacyResourceId": nil}
}

func mustInt(s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		panic("shopifysim: not a numeric id: " + s)
	}
	return n
}

func init() {
	resolvers["QueryRoot.shopifyPaymentsAccount"] = func(e *exec, _ Obj, _ map[string]any) (any, error) {
		return Obj{"id": gid("ShopifyPaymentsAccount", 1), "activated": true, "country": "FR", "defaultCurrency": catalog.Currency,
			"onboardable": false, "balance": []Obj{moneyV2(decimal.Zero)}}, nil
	}
	resolvers["ShopifyPaymentsAccount.payouts"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		q := parseSearch(a["query"])
		term := func(o Obj, f string) any {
			switch f {
			case "id":
				return o["legacyResourceId"]
			case "issued_at":
				return o["issuedAt"]
			}
			return o[f]
		}
		return sortedBy(e.s.store.payouts, q, term, "issuedAt"), nil
	}
	resolvers["ShopifyPaymentsAccount.balanceTransactions"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		q := parseSearch(a["query"])
		hide, _ := a["hideTransfers"].(bool)
		term := func(o Obj, f string) any {
			switch f {
			case "payments_transfer_id":
				return o["payout"]
			case "transaction_type":
				return o["type"]
			case "id":
				return o["legacyResourceId"]
			}
			return o[f]
		}
		var out []Obj
		for _, t := range e.s.store.balance {
			if !hide || t["type"] != "TRANSFER" {
				out = append(out, t)
			}
		}
		return sortedBy(out, q, term, "transactionDate"), nil
	}
}

// sortedBy is the nodes matching q, by a date field then id.
func sortedBy(nodes []Obj, q search, term func(Obj, string) any, field string) sorted {
	key := func(o Obj) string { return fmt.Sprintf("%v|%020d", o[field], mustInt(o["legacyResourceId"].(string))) }
	var out []Obj
	for _, o := range nodes {
		if q.match(o, term) {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return sorted{nodes: out, key: key}
}
