package shopifysim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/test/shopifysim"
)

const token = "shpat_sim"

func start(t testing.TB, opts shopifysim.Options) *shopifysim.Sim {
	t.Helper()
	opts.AccessToken = token
	sim, err := shopifysim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

type reply struct {
	Data   map[string]any `json:"data"`
	Errors any            `json:"errors"`
	Ext    struct {
		Cost *struct {
			Requested int  `json:"requestedQueryCost"`
			Actual    *int `json:"actualQueryCost"`
			Throttle  struct {
				Max       float64 `json:"maximumAvailable"`
				Available float64 `json:"currentlyAvailable"`
				Rate      float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

func post(t testing.TB, sim *shopifysim.Sim, tok, query string, vars map[string]any) (int, reply) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, sim.URL()+"/admin/api/2026-10/graphql.json", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

func errorText(r reply) string {
	b, _ := json.Marshal(r.Errors)
	return string(b)
}

func TestInvalidDocumentsGetShopifyErrors(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 2})
	status, r := post(t, sim, token, `{ shop { nam } }`, nil)
	if status != 200 || !strings.Contains(errorText(r), `Cannot query field \"nam\" on type \"Shop\"`) || !strings.Contains(errorText(r), "locations") {
		t.Fatalf("invalid field: %d %s", status, errorText(r))
	}
	_, r = post(t, sim, token, `{ orders(first: 251) { edges { node { id } } } }`, nil)
	if !strings.Contains(errorText(r), "at most 250") {
		t.Fatalf("first > 250: %s", errorText(r))
	}
	_, r = post(t, sim, token, `mutation { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: []}) { userErrors { message } } }`, nil)
	if !strings.Contains(errorText(r), "@idempotent directive is required") {
		t.Fatalf("missing @idempotent: %s", errorText(r))
	}
	_, r = post(t, sim, token, `{ orders(first: 250) { nodes { fulfillmentOrders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } } } }`, nil)
	if !strings.Contains(errorText(r), "MAX_COST_EXCEEDED") || r.Ext.Cost == nil {
		t.Fatalf("too costly: %s", errorText(r))
	}
	status, r = post(t, sim, "wrong", `{ shop { name } }`, nil)
	if status != 401 || !strings.Contains(errorText(r), "Invalid API key or access token") {
		t.Fatalf("bad token: %d %s", status, errorText(r))
	}
}

func TestCostAndThrottling(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 300, RestoreRate: 1})
	q := `query($after: String) { orders(first: 250, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`
	_, r := post(t, sim, token, q, nil)
	c := r.Ext.Cost
	if c == nil || c.Requested != 13 || *c.Actual != 13 || c.Throttle.Max != 2000 || c.Throttle.Rate != 1 || c.Throttle.Available > 1987+1 {
		t.Fatalf("cost %+v", c)
	}
	after := r.Data["orders"].(map[string]any)["pageInfo"].(map[string]any)["endCursor"]
	_, r = post(t, sim, token, q, map[string]any{"after": after})
	if n := len(r.Data["orders"].(map[string]any)["edges"].([]any)); n != 50 || *r.Ext.Cost.Actual != 9 {
		t.Fatalf("second page: %d orders, cost %d", n, *r.Ext.Cost.Actual)
	}
	sim.SetBucket(10) // another app spent the rest
	_, r = post(t, sim, token, q, nil)
	if !strings.Contains(errorText(r), "THROTTLED") || r.Data != nil || r.Ext.Cost.Actual != nil || sim.Stats().Throttled != 1 {
		t.Fatalf("no THROTTLED reply without the points: %s", errorText(r))
	}
}

func TestGeneratorIsDeterministic(t *testing.T) {
	q := `{ orders(first: 50) { nodes { id name createdAt updatedAt totalPriceSet { presentmentMoney { amount currencyCode } }
		lineItems(first: 10) { nodes { sku quantity } } transactions { gateway kind processedAt } } } }`
	var out [2]string
	for i := range out {
		sim := start(t, shopifysim.Options{Orders: 50, Seed: 7})
		_, r := post(t, sim, token, q, nil)
		b, _ := json.Marshal(r.Data)
		out[i] = string(b)
	}
	if out[0] != out[1] || len(out[0]) < 1000 {
		t.Fatal("same seed, different store")
	}
}

// bulk runs a bulk query and returns its lines.
func bulk(t *testing.T, sim *shopifysim.Sim, query string, grouped bool) []map[string]any {
	t.Helper()
	_, r := post(t, sim, token, `mutation($q: String!, $g: Boolean!) { bulkOperationRunQuery(query: $q, groupObjects: $g) { bulkOperation { id } userErrors { message } } }`,
		map[string]any{"q": query, "g": grouped})
	id := r.Data["bulkOperationRunQuery"].(map[string]any)["bulkOperation"].(map[string]any)["id"]
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, r = post(t, sim, token, `query($id: ID!) { bulkOperation(id: $id) { status url objectCount } }`, map[string]any{"id": id})
		if op := r.Data["bulkOperation"].(map[string]any); op["status"] == "COMPLETED" {
			url = op["url"].(string)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lines []map[string]any
	for dec := json.NewDecoder(resp.Body); dec.More(); {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	return lines
}

// Nested connections' nodes are lines of their own after their parent,
// pointing to it; right after it only when grouped.
func TestBulkResultIsJSONLWithParents(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 240})
	q := `{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }`
	for _, grouped := range []bool{false, true} {
		seen := map[any]bool{}
		var current any
		orders, children, apart := 0, 0, 0
		for _, line := range bulk(t, sim, q, grouped) {
			if p, ok := line["__parentId"]; ok {
				if !seen[p] {
					t.Fatalf("grouped %v: line %v before its parent", grouped, line)
				}
				if p != current {
					apart++
				}
				children++
				continue
			}
			if _, inline := line["lineItems"]; inline {
				t.Fatal("nested connection inlined")
			}
			orders, current = orders+1, line["id"]
			seen[current] = true
		}
		if orders != 240 || children < 240 || grouped != (apart == 0) {
			t.Fatalf("grouped %v: %d orders, %d lines, %d not right after their order", grouped, orders, children, apart)
		}
	}
}

// Shopify refuses bulk queries beyond its limits with these user errors
// (bulk-operation-run-query-validators.json).
func TestBulkQueryLimits(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 1})
	conn := func(name, inner string) string { return name + " { edges { node { id " + inner + " } } }" }
	cases := map[string]string{
		"{ " + conn("orders", conn("lineItems", "")+conn("shippingLines", "")+conn("events", "")+conn("returns", "")+
			conn("fulfillmentOrders", "")) + " }": "Bulk queries cannot contain more than 5 connections.",
		"{ " + conn("collections", conn("products", conn("variants", conn("metafields", "")))) + " }": "Bulk queries cannot contain connections with a nesting depth greater than 2.",
		"{ orders { nodes { id } } }": "Selecting via 'nodes' is not supported. Invalid connection fields: 'orders'.",
		"{ orders { edges { node { name lineItems { edges { node { id } } } } } } }":             "Connection fields without 'id': orders.",
		"{ orders { edges { node { id fulfillments { events { edges { node { id } } } } } } } }": "Queries that contain a connection field within a list field are not currently supported.",
		"{ shop { id } }": "Bulk queries must contain at least one connection.",
		"mutation { orderClose(input: {id: \"gid://shopify/Order/1\"}) { userErrors { message } } }": "Invalid operation type. Only `query` operations are supported.",
	}
	for q, want := range cases {
		_, r := post(t, sim, token, `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message code } } }`, map[string]any{"q": q})
		got := errorText(r) + fmt.Sprint(r.Data)
		if !strings.Contains(got, want) || !strings.Contains(got, "INVALID") {
			t.Errorf("%s: %s, want %q", q, got, want)
		}
	}
	_, r := post(t, sim, token, `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
		map[string]any{"q": "{ " + conn("orders", conn("lineItems", "")+conn("fulfillmentOrders", conn("lineItems", ""))) + " }"})
	if ue := r.Data["bulkOperationRunQuery"].(map[string]any)["userErrors"].([]any); len(ue) != 0 {
		t.Errorf("four connections, two levels deep, refused: %v", ue)
	}
}

// Five bulk queries run at once (bulk-operation-run-query-concurrency-limit.json);
// a sixth is refused, naming the five.
func TestFiveBulkQueriesAtOnce(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 3000})
	var ids []string
	for i := range 6 {
		_, r := post(t, sim, token, `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message code } } }`,
			map[string]any{"q": `{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }`})
		p := r.Data["bulkOperationRunQuery"].(map[string]any)
		if i < 5 {
			if p["bulkOperation"] == nil {
				t.Fatalf("run %d refused: %v", i+1, p["userErrors"])
			}
			ids = append(ids, p["bulkOperation"].(map[string]any)["id"].(string))
			continue
		}
		want := fmt.Sprintf("[map[code:OPERATION_IN_PROGRESS field:<nil> message:A bulk query operation for this app and shop is already in progress: %s.]]", strings.Join(ids, ", "))
		if fmt.Sprint(p["userErrors"]) != want {
			t.Fatalf("sixth run: %v, want %s", p["userErrors"], want)
		}
	}
}

func TestDeliveryGivesUpOnUnreachableReceiver(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 1, ClientSecret: "s"})
	sim.SetWebhookRetry(2, 0)
	d := sim.Deliver(context.Background(), "http://127.0.0.1:1/unreachable", "orders/create", []byte(`{}`))
	if d.Attempts != 2 || d.Status != 0 {
		t.Fatalf("%+v", d)
	}
}

// Search terms Shopify does not know are reported in extensions.search: an
// unknown field is ignored, a value a field does not take matches nothing.
func TestOrderSearchWarnsAboutTermsItDoesNotKnow(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 20, Seed: 4})
	count := func(query string) (int, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": `query($q: String) { orders(first: 50, query: $q) { nodes { id } } }`,
			"variables": map[string]any{"q": query}})
		req, _ := http.NewRequest(http.MethodPost, sim.URL()+"/admin/api/2026-10/graphql.json", bytes.NewReader(body))
		req.Header.Set("X-Shopify-Access-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Orders struct{ Nodes []any } `json:"orders"`
			} `json:"data"`
			Extensions struct {
				Search []struct {
					Warnings []struct{ Field, Code string } `json:"warnings"`
				} `json:"search"`
			} `json:"extensions"`
		}
		json.NewDecoder(resp.Body).Decode(&r)
		codes := ""
		for _, s := range r.Extensions.Search {
			for _, w := range s.Warnings {
				codes += w.Field + ":" + w.Code + " "
			}
		}
		return len(r.Data.Orders.Nodes), codes
	}
	all, _ := count("")
	if n, w := count("status:any"); n != 0 || w != "status:invalid_value " {
		t.Errorf("status:any: %d orders, warnings %q; want none and invalid_value", n, w)
	}
	if n, w := count("flavour:vanilla"); n != all || w != "flavour:invalid_field " {
		t.Errorf("unknown field: %d of %d orders, warnings %q", n, all, w)
	}
	open, w := count("status:open")
	notClosed, _ := count("status:not_closed")
	cancelled, _ := count("status:cancelled")
	if w != "" || open == 0 || cancelled == 0 || notClosed < open || notClosed == all {
		t.Errorf("all %d, open %d, not closed %d, cancelled %d, warnings %q", all, open, notClosed, cancelled, w)
	}
}

// An idempotency key names one operation: its retry gets the first answer,
// other arguments are refused, a failed attempt must be retried with a new
// key, and the key is forgotten after the retention window.
func TestIdempotencyKeys(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 1, IdempotencyWindow: 200 * time.Millisecond})
	_, item, _ := sim.Store().VariantBySKU("SKU-01-M")
	loc := sim.Store().LocationIDs()[0]
	set := func(key, name string, to int) string {
		t.Helper()
		_, r := post(t, sim, token, `mutation($in: InventorySetQuantitiesInput!, $key: String!) {
			inventorySetQuantities(input: $in) @idempotent(key: $key) { inventoryAdjustmentGroup { id } userErrors { field code message } } }`,
			map[string]any{"key": key, "in": map[string]any{"name": name, "reason": "correction",
				"quantities": []any{map[string]any{"inventoryItemId": item, "locationId": loc, "quantity": to, "changeFromQuantity": nil}}}})
		p := r.Data["inventorySetQuantities"].(map[string]any)
		if ue := p["userErrors"].([]any); len(ue) > 0 {
			return fmt.Sprint(ue[0].(map[string]any)["code"])
		}
		return p["inventoryAdjustmentGroup"].(map[string]any)["id"].(string)
	}
	first := set("k1", "available", 5)
	if again := set("k1", "available", 5); again != first {
		t.Errorf("retry answered %s, want the first answer %s", again, first)
	}
	if got := set("k1", "available", 6); got != "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" {
		t.Errorf("other arguments: %s", got)
	}
	if got := set("k2", "damaged", 5); got != "INVALID_NAME" {
		t.Errorf("bad name: %s", got)
	}
	if got := set("k2", "damaged", 5); got != "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED" {
		t.Errorf("retry of a failure: %s", got)
	}
	time.Sleep(250 * time.Millisecond)
	if later := set("k1", "available", 6); later == first || strings.HasPrefix(later, "IDEMPOTENCY") {
		t.Errorf("after the retention window: %s", later)
	}
	if q, _ := sim.Store().Quantity(item, loc, "available"); q != 6 {
		t.Errorf("quantity %d, want 6", q)
	}
}

// The webhooks of one merchant action share its event id, kept on every
// attempt; each delivery has its own webhook id, and Shopify may deliver
// one twice.
func TestWebhookEventIDs(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 10, Seed: 3, WebhookSecret: "s"})
	sim.SetWebhookRetry(3, time.Millisecond)
	var mu sync.Mutex
	calls := map[string][]string{} // webhook id -> event ids of its attempts
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		id := r.Header.Get("X-Shopify-Webhook-Id")
		calls[id] = append(calls[id], r.Header.Get("X-Shopify-Topic")+" "+r.Header.Get("X-Shopify-Event-Id"))
		if len(calls[id]) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // each delivery is tried again
		}
	}))
	defer recv.Close()
	for _, topic := range []string{"ORDERS_CANCELLED", "REFUNDS_CREATE", "ORDERS_UPDATED"} {
		_, r := post(t, sim, token, `mutation($t: WebhookSubscriptionTopic!, $u: String!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: {uri: $u}) { userErrors { message } } }`,
			map[string]any{"t": topic, "u": recv.URL})
		if r.Errors != nil {
			t.Fatal(errorText(r))
		}
	}
	var paid string
	sim.Store().Each(func(o shopifysim.Obj) {
		if o["cancelledAt"] == nil && o["displayFinancialStatus"] == "PAID" && paid == "" {
			paid = o["id"].(string)
		}
	})
	sim.SetFaults(shopifysim.Faults{DuplicateWebhooks: 1, Operation: "orders/cancelled"})
	if err := sim.Store().CancelOrder(paid, "CUSTOMER"); err != nil {
		t.Fatal(err)
	}
	ds := sim.Deliveries()
	events, topics := map[string]bool{}, map[string]int{}
	for _, d := range ds {
		events[d.EventID] = true
		topics[d.Topic]++
		if a := calls[d.WebhookID]; len(a) != 2 || a[0] != a[1] || a[0] != d.Topic+" "+d.EventID {
			t.Errorf("%s: attempts %v", d.Topic, a)
		}
	}
	// Refunded and cancelled, each also an update; the cancellation twice.
	if len(events) != 1 || topics["orders/cancelled"] != 2 || topics["refunds/create"] != 1 || topics["orders/updated"] != 2 || len(calls) != len(ds) {
		t.Fatalf("%d events for %v in %d deliveries", len(events), topics, len(calls))
	}
}

// refundCreate answers as Shopify's captured answers do: a transaction of
// another kind, or whose parent is not the order's, is refused; the money
// goes back through the parent's gateway whatever the input says; each
// line is restocked as asked, at its location; the key names the refund.
func TestRefundCreateAsCaptured(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 20, Seed: 5})
	var order, line, sale, gateway string
	for _, id := range sim.Store().OrderIDs() {
		sim.Store().View(id, func(o shopifysim.Obj) {
			for _, tx := range o["transactions"].([]shopifysim.Obj) {
				if order == "" && tx["kind"] == "SALE" && o["cancelledAt"] == nil && len(o["refunds"].([]shopifysim.Obj)) == 0 {
					order, sale, gateway = id, tx["id"].(string), tx["gateway"].(string)
					line = o["lineItems"].([]shopifysim.Obj)[0]["id"].(string)
				}
			}
		})
	}
	if order == "" {
		t.Fatal("no paid order")
	}
	loc := sim.Store().LocationIDs()[0]
	refund := func(key, kind, parent string) (string, string) {
		t.Helper()
		_, r := post(t, sim, token, `mutation($in: RefundInput!, $key: String!) {
			refundCreate(input: $in) @idempotent(key: $key) { refund { id transactions(first: 5) { nodes { gateway } } }
				userErrors { field message } } }`,
			map[string]any{"key": key, "in": map[string]any{"orderId": order, "note": "from a test",
				"refundLineItems": []any{map[string]any{"lineItemId": line, "quantity": 1, "restockType": "RETURN", "locationId": loc}},
				"transactions":    []any{map[string]any{"orderId": order, "parentId": parent, "gateway": "other", "kind": kind, "amount": "1.00"}}}})
		p := r.Data["refundCreate"].(map[string]any)
		if ue := p["userErrors"].([]any); len(ue) > 0 {
			u := ue[0].(map[string]any)
			return fmt.Sprint(u["field"]), u["message"].(string)
		}
		rf := p["refund"].(map[string]any)
		return rf["id"].(string), rf["transactions"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["gateway"].(string)
	}
	if f, msg := refund("a", "AUTHORIZATION", sale); f != "<nil>" || msg != "Kind authorization is not a valid transaction" {
		t.Errorf("kind: %s %q", f, msg)
	}
	if f, msg := refund("b", "REFUND", "gid://shopify/OrderTransaction/999999999999"); f != "[transactions]" || msg != "Transactions require a parent_id associated with the order" {
		t.Errorf("parent: %s %q", f, msg)
	}
	id, via := refund("c", "REFUND", sale)
	if via != gateway {
		t.Errorf("refunded through %q, want the parent's %q", via, gateway)
	}
	if again, _ := refund("c", "REFUND", sale); again != id {
		t.Errorf("the same key made %s, want %s again", again, id)
	}
	sim.Store().View(order, func(o shopifysim.Obj) {
		rfs := o["refunds"].([]shopifysim.Obj)
		if len(rfs) != 1 {
			t.Fatalf("%d refunds, want 1", len(rfs))
		}
		l := rfs[0]["refundLineItems"].([]shopifysim.Obj)[0]
		if l["restockType"] != "RETURN" || l["restocked"] != true || l["location"].(shopifysim.Obj)["id"] != loc {
			t.Errorf("line restocked %v %v at %v", l["restockType"], l["restocked"], l["location"])
		}
	})
}
