package shopifysim_test

import (
	"testing"
	"time"

	"github.com/shopify-odoo/connector/test/shopifysim"
)

// capture is a request Shopify answered, as recorded in the public
// shopify-draft-proxy fixtures (fixtures/conformance/<store>/<version>/…),
// with the cost Shopify reported. The simulator runs the same document over
// its own store, in the state the capture's answer shows, and must report
// the same requested and actual cost.
type capture struct {
	name      string // the captured operation, and the fixture it is from
	query     string
	vars      func(*shopifysim.Sim) map[string]any
	requested int
	actual    int
}

func TestCostsMatchCapturedAnswers(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 30, Seed: 5, Products: 250})
	st := sim.Store()
	var withCustomer, paid, cancelled, unshipped string
	st.Each(func(o shopifysim.Obj) {
		first := func(id *string, ok bool) {
			if ok && *id == "" {
				*id = o["id"].(string)
			}
		}
		open := o["cancelledAt"] == nil
		fos := o["fulfillmentOrders"].([]shopifysim.Obj)
		first(&cancelled, !open)
		first(&withCustomer, open && o["customer"] != nil)
		first(&paid, open && o["displayFinancialStatus"] == "PAID" && len(o["transactions"].([]shopifysim.Obj)) > 0)
		first(&unshipped, open && len(fos) > 0 && fos[0]["status"] == "OPEN")
	})
	_, item, _ := st.VariantBySKU("SKU-01-M")
	locs := st.LocationIDs()
	var paidTx, paidLine, fo, foLine string
	st.View(paid, func(o shopifysim.Obj) {
		paidTx = o["transactions"].([]shopifysim.Obj)[0]["id"].(string)
		paidLine = o["lineItems"].([]shopifysim.Obj)[0]["id"].(string)
	})
	st.View(unshipped, func(o shopifysim.Obj) {
		f := o["fulfillmentOrders"].([]shopifysim.Obj)[0]
		fo, foLine = f["id"].(string), f["lineItems"].([]shopifysim.Obj)[0]["id"].(string)
	})
	refund := `mutation RefundCreateTransactionsValidation($input: RefundInput!, $idempotencyKey: String!) {
		refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
			refund { id totalRefundedSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
				transactions(first: 5) { nodes { id kind status gateway amountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } } } }
			order { id displayFinancialStatus totalRefundedSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } }
			userErrors { field message } } }`
	setQuantities := `mutation InventorySetQuantitiesNameValidation($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
		inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
			inventoryAdjustmentGroup { reason referenceDocumentUri changes { name delta item { id } location { id name } } }
			userErrors { field message code } } }`
	set := func(name, key string) func(*shopifysim.Sim) map[string]any {
		return func(*shopifysim.Sim) map[string]any {
			return map[string]any{"idempotencyKey": key, "input": map[string]any{"name": name, "reason": "correction",
				"quantities": []any{map[string]any{"inventoryItemId": item, "locationId": locs[0], "quantity": 5, "changeFromQuantity": nil}}}}
		}
	}
	cases := []capture{
		{"PaymentTermsOrderEligibilityOrderRead (2026-04/payments/payment-terms-create-order-eligibility.json): money is free",
			`query PaymentTermsOrderEligibilityOrderRead($id: ID!) { order(id: $id) { id name displayFinancialStatus closed closedAt cancelledAt
				totalOutstandingSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
				currentTotalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
				totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } } }`,
			func(*shopifysim.Sim) map[string]any { return map[string]any{"id": paid} }, 1, 1},
		{"OrderInvoiceSendEmailValidationRead (2026-04/orders/orderInvoiceSend-email-validation.json)",
			`query OrderInvoiceSendEmailValidationRead($id: ID!) { order(id: $id) { id name email customer { id email displayName } } }`,
			func(*shopifysim.Sim) map[string]any { return map[string]any{"id": withCustomer} }, 2, 2},
		{"BulkProductsCatalogHydrate (2026-04/bulk-operations/bulk-operation-cold-catalog-hydration.json): 250 nodes weigh 11",
			`query BulkProductsCatalogHydrate($first: Int!, $after: String) { products(first: $first, after: $after) { nodes { id title tags } pageInfo { hasNextPage endCursor } } }`,
			func(*shopifysim.Sim) map[string]any { return map[string]any{"first": 250, "after": nil} }, 13, 13},
		{"InventorySetQuantitiesNameValidation, on_hand (2026-04/products/inventorySetQuantities-name-validation.json)",
			setQuantities, set("on_hand", "cost-on-hand"), 13, 13},
		{"InventorySetQuantitiesNameValidation, damaged: refused", setQuantities, set("damaged", "cost-damaged"), 13, 10},
		{"InventoryNodeActivate (2025-01/products/inventory-node-read-after-write.json), with the key 2026-04 requires",
			`mutation InventoryNodeActivate($inventoryItemId: ID!, $locationId: ID!, $available: Int, $key: String!) {
				inventoryActivate(inventoryItemId: $inventoryItemId, locationId: $locationId, available: $available) @idempotent(key: $key) {
					inventoryLevel { id location { id name } item { id } } userErrors { field message } } }`,
			func(*shopifysim.Sim) map[string]any {
				return map[string]any{"inventoryItemId": item, "locationId": locs[len(locs)-1], "available": 0, "key": "cost-activate"}
			}, 12, 12},
		{"RefundCreateTransactionsValidation, refunded (2026-04/orders/refund-create-transactions-validation.json): refundCreate costs 20",
			refund, func(*shopifysim.Sim) map[string]any {
				return map[string]any{"idempotencyKey": "cost-refund", "input": map[string]any{"orderId": paid,
					"refundLineItems": []any{map[string]any{"lineItemId": paidLine, "quantity": 1}},
					"transactions":    []any{map[string]any{"orderId": paid, "parentId": paidTx, "gateway": "manual", "kind": "REFUND", "amount": "1.00"}}}}
			}, 25, 23},
		{"RefundCreateTransactionsValidation, refused", refund, func(*shopifysim.Sim) map[string]any {
			return map[string]any{"idempotencyKey": "cost-refund-refused", "input": map[string]any{"orderId": cancelled,
				"transactions": []any{map[string]any{"orderId": cancelled, "gateway": "manual", "kind": "REFUND", "amount": "1.00"}}}}
		}, 25, 20},
		{"FulfillmentCreateName (2025-01/shipping-fulfillments/fulfillment-create-name.json): one line shipped",
			`mutation FulfillmentCreateName($fulfillment: FulfillmentInput!, $message: String) { fulfillmentCreate(fulfillment: $fulfillment, message: $message) {
				fulfillment { id name status displayStatus trackingInfo(first: 5) { number url company }
					fulfillmentLineItems(first: 5) { nodes { id quantity lineItem { id title } } } }
				userErrors { field message } } }`,
			func(*shopifysim.Sim) map[string]any {
				return map[string]any{"fulfillment": map[string]any{"notifyCustomer": false,
					"trackingInfo":                map[string]any{"company": "Hermes", "number": "FCN-1"},
					"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": []any{map[string]any{"id": foLine, "quantity": 1}}}}}}
			}, 19, 15},
		{"CustomerDeleteOrderPreconditionOrderCancel (2025-01/customers/customer-delete-blocked-by-orders.json)",
			`mutation CustomerDeleteOrderPreconditionOrderCancel($orderId: ID!) { orderCancel(orderId: $orderId, reason: OTHER, notifyCustomer: false, restock: true) {
				job { id done } orderCancelUserErrors { field message code } userErrors { field message } } }`,
			func(*shopifysim.Sim) map[string]any { return map[string]any{"orderId": withCustomer} }, 10, 10},
		{"BulkOperationRunQueryUserErrorCodes (2026-04/bulk-operations/bulk-operation-run-query-user-error-codes.json)",
			`mutation BulkOperationRunQueryUserErrorCodes($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } } }`,
			func(*shopifysim.Sim) map[string]any { return map[string]any{"query": "{ shop { id } }"} }, 10, 10},
	}
	for _, c := range cases {
		_, r := post(t, sim, token, c.query, c.vars(sim))
		if r.Ext.Cost == nil || r.Errors != nil {
			t.Errorf("%s: %s", c.name, errorText(r))
			continue
		}
		if r.Ext.Cost.Requested != c.requested || *r.Ext.Cost.Actual != c.actual {
			t.Errorf("%s: cost %d requested, %d actual; Shopify %d, %d", c.name, r.Ext.Cost.Requested, *r.Ext.Cost.Actual, c.requested, c.actual)
		}
	}
}

// BulkOperationByIdCapture (2026-04/bulk-operations/bulk-operation-run-query-group-objects.json):
// polling a bulk operation costs a point.
func TestBulkPollCostsOnePoint(t *testing.T) {
	sim := start(t, shopifysim.Options{Orders: 3})
	_, r := post(t, sim, token, `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
		map[string]any{"q": `{ orders { edges { node { id } } } }`})
	id := r.Data["bulkOperationRunQuery"].(map[string]any)["bulkOperation"].(map[string]any)["id"]
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		_, r = post(t, sim, token, `query BulkOperationByIdCapture($id: ID!) { bulkOperation(id: $id) { id status type errorCode createdAt completedAt
			objectCount rootObjectCount fileSize url partialDataUrl query } }`, map[string]any{"id": id})
		if r.Ext.Cost.Requested != 1 || *r.Ext.Cost.Actual != 1 {
			t.Fatalf("poll cost %d requested, %d actual; Shopify 1, 1", r.Ext.Cost.Requested, *r.Ext.Cost.Actual)
		}
		if r.Data["bulkOperation"].(map[string]any)["status"] == "COMPLETED" {
			return
		}
	}
	t.Fatal("the bulk operation did not complete")
}
