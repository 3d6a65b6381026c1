package shopifysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopify-odoo/connector/internal/decimal"
)

var resolvers = map[string]resolver{}

// mutationField runs a root mutation field and returns its payload and
// actual cost, enforcing and honouring @idempotent as Shopify does within
// its retention window: a key seen with the same arguments returns the first
// answer without running again, unless that answer was a failure (user
// errors), which must be retried with a new key; a key seen with other
// arguments is refused.
func (e *exec) mutationField(f *ast.Field) (any, int) {
	var key string
	if d := f.Directives.ForName("idempotent"); d != nil {
		key, _ = d.ArgumentMap(e.vars)["key"].(string)
		if strings.TrimSpace(key) == "" {
			e.errs = append(e.errs, gqlerror.Errorf("The idempotency key cannot be empty or whitespace."))
			return nil, 0
		}
	} else if strings.Contains(f.Definition.Description, "the idempotency key is required") {
		e.errs = append(e.errs, &gqlerror.Error{
			Message:    "The @idempotent directive is required for this mutation but was not provided.",
			Path:       ast.Path{ast.PathName(f.Alias)},
			Extensions: map[string]any{"code": "BAD_REQUEST"},
		})
		return nil, 0
	}
	args, _ := json.Marshal(f.ArgumentMap(e.vars)) // maps marshal with sorted keys
	request := f.Name + string(args)
	if key != "" {
		e.s.mu.Lock()
		prev, ok := e.s.idem[key]
		if ok && time.Since(prev.at) >= e.s.opts.IdempotencyWindow {
			delete(e.s.idem, key)
			ok = false
		}
		e.s.mu.Unlock()
		refuse := func(code, msg string) (any, int) {
			v, cost := e.complete(Obj{"userErrors": []Obj{userError(nil, code, "%s", msg)}}, f.Definition.Type, f, nil, "Mutation")
			return v, baseCost(f.Name) + cost
		}
		switch {
		case ok && prev.request != request:
			return refuse("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "The same idempotency key cannot be used with different operation parameters.")
		case ok && prev.failed:
			return refuse("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", "A previous request with this idempotency key failed. Retry with a new idempotency key.")
		case ok:
			var v any
			json.Unmarshal(prev.payload, &v)
			return v, prev.cost
		}
	}
	v, cost, _ := e.field(Obj{}, "Mutation", f)
	cost += baseCost(f.Name)
	if key != "" {
		payload, _ := v.(Obj)
		failed, _ := payload["userErrors"].([]any)
		b, _ := json.Marshal(v)
		e.s.mu.Lock()
		e.s.idem[key] = idemResult{request: request, payload: b, cost: cost, failed: len(failed) > 0, at: time.Now()}
		e.s.mu.Unlock()
	}
	return v, cost
}

// idemResult is what a mutation with an idempotency key was asked and answered.
type idemResult struct {
	request string // the mutation and its arguments
	payload json.RawMessage
	cost    int
	failed  bool // it answered user errors
	at      time.Time
}

func userError(field []string, code any, format string, args ...any) Obj {
	return Obj{"field": field, "message": fmt.Sprintf(format, args...), "code": code}
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func list(m map[string]any, k string) []map[string]any {
	raw, _ := m[k].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func (st *Store) typed(id any, typ string) Obj {
	s, _ := id.(string)
	if o := st.nodes[s]; o != nil && o["__typename"] == typ {
		return o
	}
	return nil
}

var inventoryReasons = map[string]bool{"correction": true, "cycle_count_available": true, "damaged": true,
	"movement_created": true, "movement_updated": true, "movement_received": true, "movement_canceled": true,
	"other": true, "promotion": true, "quality_control": true, "received": true, "reservation_created": true,
	"reservation_deleted": true, "reservation_updated": true, "restock": true, "safety_stock": true, "shrinkage": true}

func init() {
	resolvers["Mutation.inventoryActivate"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		item, loc := st.typed(a["inventoryItemId"], "InventoryItem"), st.typed(a["locationId"], "Location")
		switch {
		case item == nil:
			return Obj{"inventoryLevel": nil, "userErrors": []Obj{userError([]string{"inventoryItemId"}, nil, "Inventory item does not exist")}}, nil
		case loc == nil:
			return Obj{"inventoryLevel": nil, "userErrors": []Obj{userError([]string{"locationId"}, nil, "Location does not exist")}}, nil
		}
		return Obj{"inventoryLevel": st.activate(item["id"].(string), loc["id"].(string), intArg(a, "available", 0)), "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.inventorySetQuantities"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		in, _ := a["input"].(map[string]any)
		fail := func(errs ...Obj) (any, error) { return Obj{"inventoryAdjustmentGroup": nil, "userErrors": errs}, nil }
		name := str(in, "name")
		if name != "available" && name != "on_hand" {
			return fail(userError([]string{"input", "name"}, "INVALID_NAME", "The quantity name must be either 'available' or 'on_hand'."))
		}
		if !inventoryReasons[str(in, "reason")] {
			return fail(userError([]string{"input", "reason"}, "INVALID_REASON", "The specified reason is invalid."))
		}
		qs := list(in, "quantities")
		levels := make([]Obj, len(qs))
		for i, q := range qs {
			path := []string{"input", "quantities", fmt.Sprint(i)}
			lv := st.levels[str(q, "inventoryItemId")+"|"+str(q, "locationId")]
			from, hasFrom := q["changeFromQuantity"]
			switch {
			case lv == nil:
				return fail(userError(append(path, "locationId"), "INVALID_LOCATION", "The inventory item is not stocked at the location."))
			case !hasFrom:
				return fail(userError(append(path, "changeFromQuantity"), nil, "changeFromQuantity is required; pass null to skip the check."))
			case intArg(q, "quantity", 0) < 0 && name == "on_hand":
				return fail(userError(append(path, "quantity"), "INVALID_QUANTITY_NEGATIVE", "The quantity can't be negative."))
			case from != nil && intArg(q, "changeFromQuantity", 0) != lv["q"].(map[string]int)[name]:
				return fail(userError(append(path, "changeFromQuantity"), "CHANGE_FROM_QUANTITY_STALE",
					"The specified changeFromQuantity does not match the current quantity."))
			}
			levels[i] = lv
		}
		// Setting either quantity moves both by the same delta; Shopify lists
		// the changes of every item to one quantity, then to the other.
		changes := make([]Obj, 2*len(qs))
		for i, q := range qs {
			m := levels[i]["q"].(map[string]int)
			delta := intArg(q, "quantity", 0) - m[name]
			m["available"] += delta
			m["on_hand"] += delta
			for j, n := range []string{"available", "on_hand"} {
				changes[j*len(qs)+i] = Obj{"name": n, "delta": delta, "quantityAfterChange": nil, "ledgerDocumentUri": nil,
					"item": levels[i]["item"], "location": levels[i]["location"]}
			}
		}
		group := st.add("InventoryAdjustmentGroup", Obj{"reason": str(in, "reason"), "createdAt": now(), "changes": changes,
			"referenceDocumentUri": in["referenceDocumentUri"]})
		return Obj{"inventoryAdjustmentGroup": group, "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.fulfillmentCreate"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		in, _ := a["fulfillment"].(map[string]any)
		fail := func(format string, args ...any) (any, error) {
			return Obj{"fulfillment": nil, "userErrors": []Obj{userError([]string{"fulfillment"}, nil, format, args...)}}, nil
		}
		var fos []Obj
		var qty map[string]int
		var order Obj
		for _, g := range list(in, "lineItemsByFulfillmentOrder") {
			fo := st.typed(g["fulfillmentOrderId"], "FulfillmentOrder")
			if fo == nil {
				return fail("Fulfillment order %s does not exist.", str(g, "fulfillmentOrderId"))
			}
			if s := fo["status"]; s != "OPEN" && s != "IN_PROGRESS" {
				return fail("Fulfillment order %s has an unfulfillable status= %s.", fo["id"], s)
			}
			if order != nil && fo["order"].(Obj)["id"] != order["id"] {
				return fail("All fulfillment orders must belong to the same order.")
			}
			order = fo["order"].(Obj)
			fos = append(fos, fo)
			for _, l := range list(g, "fulfillmentOrderLineItems") {
				if qty == nil {
					qty = map[string]int{}
				}
				fl := st.typed(l["id"], "FulfillmentOrderLineItem")
				n := intArg(l, "quantity", 0)
				if fl == nil || n <= 0 || n > fl["remainingQuantity"].(int) {
					return fail("Invalid fulfillment order line item quantity requested.")
				}
				qty[str(l, "id")] = n
			}
		}
		if order == nil {
			return fail("No fulfillment orders given.")
		}
		var tracking Obj
		if t, ok := in["trackingInfo"].(map[string]any); ok {
			tracking = Obj{"company": t["company"], "number": t["number"], "url": t["url"]}
		}
		return Obj{"fulfillment": st.fulfill(order, fos, qty, tracking), "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.orderCancel"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		o := st.typed(a["orderId"], "Order")
		var errs []Obj
		if o == nil {
			errs = append(errs, userError([]string{"orderId"}, "NOT_FOUND", "Order does not exist"))
		} else if err := st.cancel(o, str(a, "reason"), refunds(a)); err != nil {
			errs = append(errs, userError([]string{"orderId"}, "INVALID", "%v", err))
		}
		if errs != nil {
			return Obj{"job": nil, "orderCancelUserErrors": errs}, nil
		}
		return Obj{"job": st.add("Job", Obj{"done": true}), "orderCancelUserErrors": []Obj{}}, nil
	}
	resolvers["Mutation.refundCreate"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		in, _ := a["input"].(map[string]any)
		fail := func(msg string) (any, error) {
			return Obj{"refund": nil, "order": nil, "userErrors": []Obj{userError([]string{"orderId"}, nil, "%s", msg)}}, nil
		}
		o := st.typed(in["orderId"], "Order")
		if o == nil {
			return fail("Order does not exist")
		}
		spec := refundSpec{qty: map[string]int{}, restock: "NO_RESTOCK", restocks: map[string]restockAt{}, note: in["note"]}
		for _, l := range list(in, "refundLineItems") {
			id := str(l, "lineItemId")
			spec.qty[id] += intArg(l, "quantity", 0)
			if t := str(l, "restockType"); t != "" {
				spec.restocks[id] = restockAt{kind: t, location: st.typed(l["locationId"], "Location")}
			}
		}
		ship, _ := in["shipping"].(map[string]any)
		spec.shipping, _ = ship["fullRefund"].(bool)
		if a, ok := ship["amount"]; ok && a != nil {
			d := decimal.MustParse(fmt.Sprint(a))
			spec.shippingAmount = &d
		}
		if txs := list(in, "transactions"); len(txs) > 0 {
			var m decimal.Decimal
			for _, t := range txs {
				// Captured: a kind other than REFUND is refused without a
				// field, and a parent that is not the order's with one; the
				// refund goes through the parent's gateway, whatever the
				// input names. Without a parent, the order's last
				// transaction is.
				if kind := str(t, "kind"); kind != "REFUND" {
					return Obj{"refund": nil, "order": o, "userErrors": []Obj{userError(nil, nil, "Kind %s is not a valid transaction", strings.ToLower(kind))}}, nil
				}
				txs := o["transactions"].([]Obj)
				var parent Obj
				if t["parentId"] == nil && len(txs) > 0 {
					parent = txs[len(txs)-1]
				} else if parent = st.typed(t["parentId"], "OrderTransaction"); parent == nil || !slices.ContainsFunc(txs, func(x Obj) bool { return x["id"] == parent["id"] }) {
					return Obj{"refund": nil, "order": o, "userErrors": []Obj{userError([]string{"transactions"}, nil, "Transactions require a parent_id associated with the order")}}, nil
				}
				d := decimal.MustParse(fmt.Sprint(t["amount"]))
				spec.payments = append(spec.payments, refundPayment{parent: parent, amount: d})
				m = m.Add(d)
			}
			spec.money = &m
		}
		r, err := st.refund(o, spec)
		if err != nil {
			return fail(err.Error())
		}
		return Obj{"refund": r, "order": o, "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.webhookSubscriptionCreate"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		in, _ := a["webhookSubscription"].(map[string]any)
		uri := str(in, "uri")
		if !strings.HasPrefix(uri, "https://") && !strings.HasPrefix(uri, "http://127.0.0.1") && !strings.HasPrefix(uri, "http://localhost") {
			return Obj{"webhookSubscription": nil, "userErrors": []Obj{userError([]string{"webhookSubscription", "callbackUrl"}, nil, "Address protocol http:// is not supported")}}, nil
		}
		for _, s := range st.subs {
			if s["topic"] == a["topic"] && s["uri"] == uri {
				return Obj{"webhookSubscription": nil, "userErrors": []Obj{userError([]string{"webhookSubscription", "callbackUrl"}, nil, "Address for this topic has already been taken")}}, nil
			}
		}
		format := str(in, "format")
		if format == "" {
			format = "JSON"
		}
		sub := st.add("WebhookSubscription", Obj{"topic": a["topic"], "uri": uri, "format": format, "apiVersion": Obj{"handle": "2026-10"},
			"createdAt": now(), "updatedAt": now(), "includeFields": []string{}, "metafieldNamespaces": []string{}, "filter": nil})
		st.subs = append(st.subs, sub)
		return Obj{"webhookSubscription": sub, "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.webhookSubscriptionDelete"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		for i, s := range st.subs {
			if s["id"] == a["id"] {
				st.subs = append(st.subs[:i:i], st.subs[i+1:]...)
				delete(st.nodes, s["id"].(string))
				return Obj{"deletedWebhookSubscriptionId": s["id"], "userErrors": []Obj{}}, nil
			}
		}
		return Obj{"deletedWebhookSubscriptionId": nil, "userErrors": []Obj{userError([]string{"id"}, nil, "Webhook subscription does not exist")}}, nil
	}
}

// fulfill ships quantities (nil: everything remaining) of fulfillment orders.
func (st *Store) fulfill(o Obj, fos []Obj, qty map[string]int, tracking Obj) Obj {
	var lines []Obj
	for _, fo := range fos {
		open := 0
		for _, fl := range fo["lineItems"].([]Obj) {
			n, ok := qty[fl["id"].(string)]
			if qty == nil {
				n, ok = fl["remainingQuantity"].(int), true
			}
			if ok && n > 0 {
				fl["remainingQuantity"] = fl["remainingQuantity"].(int) - n
				lines = append(lines, st.add("FulfillmentLineItem", Obj{"lineItem": fl["lineItem"], "quantity": n}))
			}
			open += fl["remainingQuantity"].(int)
		}
		fo["status"] = map[bool]string{true: "CLOSED", false: "IN_PROGRESS"}[open == 0]
	}
	status := "FULFILLED"
	for _, fo := range o["fulfillmentOrders"].([]Obj) {
		if fo["status"] != "CLOSED" {
			status = "PARTIALLY_FULFILLED"
		}
	}
	o["displayFulfillmentStatus"] = status
	var info []Obj
	if tracking != nil {
		info = []Obj{tracking}
	}
	f := st.add("Fulfillment", Obj{"status": "SUCCESS", "createdAt": st.stamp(), "trackingInfo": info, "order": o,
		"fulfillmentLineItems": lines, "totalQuantity": total(lines), "requiresShipping": true, "name": fmt.Sprintf("%s-F%d", o["name"], len(o["fulfillments"].([]Obj))+1)})
	o["fulfillments"] = append(o["fulfillments"].([]Obj), f)
	st.touch(o, "FULFILLMENTS_CREATE")
	return f
}

func total(lines []Obj) int {
	n := 0
	for _, l := range lines {
		n += l["quantity"].(int)
	}
	return n
}

// refunds tells whether orderCancel's arguments ask for the payments back.
func refunds(a map[string]any) bool {
	m, _ := a["refundMethod"].(map[string]any)
	refund, _ := m["originalPaymentMethodsRefund"].(bool)
	return refund
}

// cancel cancels an order: authorisations are voided, payments refunded
// when asked, open fulfillment work cancelled.
func (st *Store) cancel(o Obj, reason string, refund bool) error {
	if o["cancelledAt"] != nil {
		return errors.New("Order has already been cancelled")
	}
	if o["displayFinancialStatus"] == "AUTHORIZED" {
		o["displayFinancialStatus"] = "VOIDED"
		st.transaction(o, "VOID", o["totalPriceSet"].(Obj))
	} else if left := paid(o).Sub(amount(o["totalRefundedSet"], 0)); refund && left.Sign() > 0 {
		// Shopify refunds what was paid and not refunded yet to the original
		// payment method, as a refund of every line and the shipping.
		qty := map[string]int{}
		for _, li := range o["lineItems"].([]Obj) {
			if n := li["currentQuantity"].(int); n > 0 {
				qty[li["id"].(string)] = n
			}
		}
		if _, err := st.refund(o, refundSpec{qty: qty, shipping: true, money: &left, restock: "CANCEL"}); err != nil {
			return err
		}
	}
	o["cancelledAt"], o["closedAt"], o["cancelReason"] = st.stamp(), st.stamp(), reason
	for _, li := range o["lineItems"].([]Obj) {
		li["currentQuantity"] = 0
	}
	for _, fo := range o["fulfillmentOrders"].([]Obj) {
		if fo["status"] != "CLOSED" {
			fo["status"] = "CANCELLED"
		}
	}
	st.touch(o, "ORDERS_CANCELLED")
	return nil
}

// paid is what the order's successful sales and captures came to.
func paid(o Obj) decimal.Decimal {
	var sum decimal.Decimal
	for _, t := range o["transactions"].([]Obj) {
		if t["status"] == "SUCCESS" && (t["kind"] == "SALE" || t["kind"] == "CAPTURE") {
			sum = sum.Add(amount(t["amountSet"], 0))
		}
	}
	return sum
}

func (st *Store) transaction(o Obj, kind string, amt Obj) Obj {
	txs := o["transactions"].([]Obj)
	var parent Obj
	if len(txs) > 0 {
		parent = txs[len(txs)-1]
	}
	return st.child(o, parent, kind, amt)
}

// child records a transaction through its parent's gateway.
func (st *Store) child(o, parent Obj, kind string, amt Obj) Obj {
	gateway := "manual"
	if parent != nil {
		gateway = parent["gateway"].(string)
	}
	tx := st.add("OrderTransaction", Obj{"gateway": gateway, "kind": kind, "status": "SUCCESS",
		"test": o["test"], "processedAt": st.stamp(), "amountSet": amt, "parentTransaction": parent})
	o["transactions"] = append(o["transactions"].([]Obj), tx)
	return tx
}

// refundSpec is what a refund gives back.
type refundSpec struct {
	qty      map[string]int // by line item GID
	shipping bool           // the shipping not refunded yet
	// money is the amount sent back, in the shop currency, when the caller
	// says; otherwise what the lines and shipping come to. A difference is
	// an order adjustment (refund discrepancy).
	money   *decimal.Decimal
	restock string // the lines' restock type, unless restocks says
	// restocks are the restock types and locations of lines, by GID.
	restocks map[string]restockAt
	// shippingAmount is shipping refunded in part: of the first shipping
	// line, with its share of that line's tax.
	shippingAmount *decimal.Decimal
	// payments are the transactions the money goes back to; without, the
	// order's last one.
	payments []refundPayment
	note     any
}

type restockAt struct {
	kind     string
	location Obj
}

type refundPayment struct {
	parent Obj
	amount decimal.Decimal
}

// refund gives back quantities of lines and the shipping, with their taxes
// and discounts, through the original gateway, and records it as Shopify
// does: refund line items, refund shipping lines, order adjustments and the
// refund transaction.
func (st *Store) refund(o Obj, r refundSpec) (Obj, error) {
	if o["cancelledAt"] != nil || o["displayFinancialStatus"] == "REFUNDED" {
		return nil, errors.New("Order has no refundable amount")
	}
	included := o["taxesIncluded"] == true
	pcur := o["presentmentCurrencyCode"].(string)
	var computed [2]decimal.Decimal
	// perUnit is a line's unit price after discounts, and its tax.
	perUnit := func(li Obj, side int) (decimal.Decimal, decimal.Decimal) {
		q := decimal.FromInt(int64(li["quantity"].(int)))
		tax := taxes(li["taxLines"], side)
		return amount(li["originalTotalSet"], side).Sub(amount(li["totalDiscountSet"], side)).Div(q, 6), tax.Div(q, 6)
	}
	lines := o["lineItems"].([]Obj)
	for id, n := range r.qty {
		var li Obj
		for _, l := range lines {
			if l["id"] == id {
				li = l
			}
		}
		if li == nil || n <= 0 || n > li["currentQuantity"].(int) {
			return nil, fmt.Errorf("Quantity cannot refund more items than were purchased for line item %s", id)
		}
	}
	var refundLines, shipLines, adjustments, txs []Obj
	for _, li := range lines {
		n := int64(r.qty[li["id"].(string)])
		if n == 0 {
			continue
		}
		var sub, tax [2]decimal.Decimal
		for side := range 2 {
			u, t := perUnit(li, side)
			sub[side], tax[side] = u.MulInt(n).Round(2), t.MulInt(n).Round(2)
			computed[side] = computed[side].Add(sub[side])
			if !included {
				computed[side] = computed[side].Add(tax[side])
			}
		}
		li["currentQuantity"] = li["currentQuantity"].(int) - int(n)
		at, ok := r.restocks[li["id"].(string)]
		if !ok {
			at.kind = r.restock
		}
		refundLines = append(refundLines, st.add("RefundLineItem", Obj{"lineItem": li, "quantity": int(n), "restockType": at.kind,
			"restocked": at.kind != "NO_RESTOCK", "location": at.location, "priceSet": li["discountedUnitPriceSet"],
			"subtotalSet": bag(sub[0], sub[1], pcur), "totalTaxSet": bag(tax[0], tax[1], pcur)}))
	}
	if r.shipping {
		for _, sl := range o["shippingLines"].([]Obj) {
			if sl["refunded"] == true {
				continue
			}
			sl["refunded"] = true
			var tax [2]decimal.Decimal
			for side := range 2 {
				tax[side] = taxes(sl["taxLines"], side)
				computed[side] = computed[side].Add(amount(sl["discountedPriceSet"], side))
				if !included {
					computed[side] = computed[side].Add(tax[side])
				}
			}
			shipLines = append(shipLines, st.add("RefundShippingLine", Obj{"shippingLine": sl,
				"subtotalAmountSet": sl["discountedPriceSet"], "taxAmountSet": bag(tax[0], tax[1], pcur)}))
		}
	}
	if r.shippingAmount != nil && len(o["shippingLines"].([]Obj)) > 0 {
		sl := o["shippingLines"].([]Obj)[0]
		var sub, tax [2]decimal.Decimal
		for side := range 2 {
			full := amount(sl["discountedPriceSet"], side)
			sub[side] = *r.shippingAmount
			if side == 1 && !full.IsZero() {
				sub[1] = r.shippingAmount.Mul(full).Div(amount(sl["discountedPriceSet"], 0), 2)
			}
			if !full.IsZero() {
				tax[side] = taxes(sl["taxLines"], side).Mul(sub[side]).Div(full, 2)
			}
			computed[side] = computed[side].Add(sub[side])
			if !included {
				computed[side] = computed[side].Add(tax[side])
			}
		}
		shipLines = append(shipLines, st.add("RefundShippingLine", Obj{"shippingLine": sl,
			"subtotalAmountSet": bag(sub[0], sub[1], pcur), "taxAmountSet": bag(tax[0], tax[1], pcur)}))
	}
	total := computed
	if r.money != nil {
		total[0] = *r.money
		total[1] = computed[1]
		if !computed[0].IsZero() {
			total[1] = r.money.Mul(computed[1]).Div(computed[0], 2)
		}
		if d0, d1 := total[0].Sub(computed[0]), total[1].Sub(computed[1]); !d0.IsZero() {
			adjustments = append(adjustments, st.add("OrderAdjustment", Obj{"reason": "REFUND_DISCREPANCY",
				"amountSet": bag(d0, d1, pcur), "taxAmountSet": bag(decimal.Zero, decimal.Zero, pcur)}))
		}
	}
	amt := bag(total[0], total[1], pcur)
	refunded := bag(amount(o["totalRefundedSet"], 0).Add(total[0]), amount(o["totalRefundedSet"], 1).Add(total[1]), pcur)
	o["totalRefundedSet"] = refunded
	o["displayFinancialStatus"] = "PARTIALLY_REFUNDED"
	if amount(refunded, 0).Cmp(amount(o["totalPriceSet"], 0)) >= 0 {
		o["displayFinancialStatus"] = "REFUNDED"
	}
	for _, p := range r.payments {
		if p.amount.Sign() > 0 {
			y := p.amount.Mul(total[1]).Div(total[0], 2)
			txs = append(txs, st.child(o, p.parent, "REFUND", bag(p.amount, y, pcur)))
		}
	}
	if r.payments == nil && total[0].Sign() > 0 {
		txs = append(txs, st.transaction(o, "REFUND", amt))
	}
	rf := st.add("Refund", Obj{"createdAt": st.stamp(), "processedAt": st.stamp(), "updatedAt": st.stamp(), "note": r.note, "order": o,
		"totalRefundedSet": amt, "refundLineItems": refundLines, "refundShippingLines": shipLines, "orderAdjustments": adjustments,
		"transactions": txs, "duties": []Obj{}, "return": nil, "staffMember": nil})
	o["refunds"] = append(o["refunds"].([]Obj), rf)
	st.touch(o, "REFUNDS_CREATE")
	return rf, nil
}

// taxes sums tax lines on one side.
func taxes(lines any, side int) decimal.Decimal {
	var sum decimal.Decimal
	for _, t := range lines.([]Obj) {
		sum = sum.Add(amount(t["priceSet"], side))
	}
	return sum
}

// refundLines refunds everything, or one unit of the first line.
func (st *Store) refundLines(o Obj, all bool) {
	qty := map[string]int{}
	for i, li := range o["lineItems"].([]Obj) {
		if all || i == 0 {
			qty[li["id"].(string)] = li["currentQuantity"].(int)
			if !all {
				qty[li["id"].(string)] = 1
			}
		}
	}
	st.refund(o, refundSpec{qty: qty, shipping: all, restock: "NO_RESTOCK"})
}
