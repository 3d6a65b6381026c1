package shopifysim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store is the simulated shop. Methods lock; objects handed to callbacks must
// not be kept after the callback returns.
type Store struct {
	sim       *Sim
	mu        sync.RWMutex
	rng       *rand.Rand
	seq       int64
	number    int // next order number
	shop      Obj
	orders    []Obj
	nodes     map[string]Obj
	variants  []Obj
	known     int // the first known variants are the catalogue's
	products  []Obj
	locations []Obj
	customers []Obj
	levels    map[string]Obj    // inventory item id + location id
	staged    map[string][]byte // staged upload token -> bytes, nil until uploaded
	uploads   int
	subs      []Obj
	bulk      bulkState
	webhooks  *sender
	at        string // when set, the time changes are stamped with (generation)
	// event is the id of the merchant action under way, which its webhooks
	// share; empty until one is sent.
	event   string
	payouts []Obj // Shopify Payments payouts
	balance []Obj // their balance transactions
}

func newStore(s *Sim, seed uint64) *Store {
	st := &Store{
		sim: s, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), seq: 1000, number: 1001,
		nodes: map[string]Obj{}, levels: map[string]Obj{}, staged: map[string][]byte{},
	}
	st.webhooks = newSender(s)
	return st
}

// id returns a fresh numeric id.
func (st *Store) id() int64 {
	st.seq++
	return st.seq
}

// add registers a node under a fresh GID of type typ.
func (st *Store) add(typ string, o Obj) Obj {
	n := st.id()
	o["__typename"] = typ
	o["id"] = gid(typ, n)
	o["legacyResourceId"] = strconv.FormatInt(n, 10)
	st.nodes[o["id"].(string)] = o
	return o
}

// OrderIDs returns every order GID, oldest first.
func (st *Store) OrderIDs() []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	ids := make([]string, len(st.orders))
	for i, o := range st.orders {
		ids[i] = o["id"].(string)
	}
	return ids
}

// Len returns the number of orders.
func (st *Store) Len() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return len(st.orders)
}

// Each calls fn on every order, oldest first, under the read lock.
func (st *Store) Each(fn func(Obj)) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, o := range st.orders {
		fn(o)
	}
}

// View calls fn with the object with this GID under the read lock; false if unknown.
func (st *Store) View(id string, fn func(Obj)) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	o, ok := st.nodes[id]
	if ok {
		fn(o)
	}
	return ok
}

// UpdateOrder changes an order under the write lock, bumps updatedAt and
// sends orders/updated to subscribers.
func (st *Store) UpdateOrder(id string, fn func(Obj)) error {
	return st.withOrder(id, func(o Obj) error {
		fn(o)
		st.touch(o, "ORDERS_UPDATED")
		return nil
	})
}

// withOrder runs a merchant action on an order under the write lock.
func (st *Store) withOrder(id string, fn func(Obj) error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, ok := st.nodes[id]
	if !ok || o["__typename"] != "Order" {
		return fmt.Errorf("no order %s", id)
	}
	st.event = ""
	return fn(o)
}

// AddOrders generates n more orders, continuing the seeded sequence, and
// returns their GIDs.
func (st *Store) AddOrders(n int) []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var ids []string
	for range n {
		o := st.newOrder(len(st.orders))
		o["createdAt"], o["updatedAt"], o["processedAt"] = now(), now(), now()
		ids = append(ids, o["id"].(string))
		st.event = ""
		st.notify("ORDERS_CREATE", o)
	}
	return ids
}

// CancelOrder cancels an order as the merchant would in the admin, refunding
// what was paid.
func (st *Store) CancelOrder(id, reason string) error {
	return st.withOrder(id, func(o Obj) error { return st.cancel(o, reason, true) })
}

// HoldFulfillment puts the order's open fulfillment orders on hold, as a
// merchant or app does with fulfillmentOrderHold: they cannot be fulfilled
// until the hold is released. reason is a FulfillmentHoldReason.
func (st *Store) HoldFulfillment(id, reason, notes string) error {
	return st.withOrder(id, func(o Obj) error {
		for _, fo := range o["fulfillmentOrders"].([]Obj) {
			if s := fo["status"]; s == "OPEN" || s == "IN_PROGRESS" {
				hold := st.add("FulfillmentHold", Obj{"reason": reason, "reasonNotes": notes, "heldByRequestingApp": false})
				fo["heldFrom"], fo["status"] = s, "ON_HOLD"
				fo["fulfillmentHolds"] = append(fo["fulfillmentHolds"].([]Obj), hold)
			}
		}
		if o["displayFulfillmentStatus"] == "UNFULFILLED" {
			o["displayFulfillmentStatus"] = "ON_HOLD"
		}
		return nil
	})
}

// ReleaseFulfillmentHold releases the holds of the order's fulfillment
// orders, as fulfillmentOrderReleaseHold does.
func (st *Store) ReleaseFulfillmentHold(id string) error {
	return st.withOrder(id, func(o Obj) error {
		for _, fo := range o["fulfillmentOrders"].([]Obj) {
			if fo["status"] == "ON_HOLD" {
				fo["status"], fo["fulfillmentHolds"] = fo["heldFrom"], []Obj{}
			}
		}
		if o["displayFulfillmentStatus"] == "ON_HOLD" {
			o["displayFulfillmentStatus"] = "UNFULFILLED"
		}
		return nil
	})
}

// Quantity returns an inventory quantity ("available", "on_hand") of an item
// at a location, and whether the item is stocked there.
func (st *Store) Quantity(itemID, locationID, name string) (int, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	l, ok := st.levels[itemID+"|"+locationID]
	if !ok {
		return 0, false
	}
	return l["q"].(map[string]int)[name], true
}

// VariantBySKU returns the GIDs of the first variant with this SKU and of its
// inventory item.
func (st *Store) VariantBySKU(sku string) (variantID, itemID string, ok bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, v := range st.variants {
		if v["sku"] == sku {
			return v["id"].(string), v["inventoryItem"].(Obj)["id"].(string), true
		}
	}
	return "", "", false
}

// LocationIDs returns the location GIDs, the warehouse first.
func (st *Store) LocationIDs() []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var ids []string
	for _, l := range st.locations {
		ids = append(ids, l["id"].(string))
	}
	return ids
}

// touch records a change to an order.
func (st *Store) touch(o Obj, topic string) {
	o["updatedAt"] = st.stamp()
	st.notify(topic, o)
	if topic != "ORDERS_UPDATED" {
		st.notify("ORDERS_UPDATED", o)
	}
}

func (st *Store) stamp() string {
	if st.at != "" {
		return st.at
	}
	return now()
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }

func init() {
	resolvers["QueryRoot.shop"] = func(e *exec, _ Obj, _ map[string]any) (any, error) { return e.s.store.shop, nil }
	resolvers["QueryRoot.currentAppInstallation"] = func(e *exec, _ Obj, _ map[string]any) (any, error) {
		var scopes []Obj
		for _, s := range e.s.opts.Scopes {
			scopes = append(scopes, Obj{"handle": s, "description": s})
		}
		return Obj{"id": gid("AppInstallation", 1), "accessScopes": scopes}, nil
	}
	resolvers["QueryRoot.node"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		return lookup(e, a["id"]), nil
	}
	resolvers["QueryRoot.nodes"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		ids, _ := a["ids"].([]any)
		if len(ids) > maxPageSize {
			return nil, fmt.Errorf("nodes accepts at most %d ids", maxPageSize)
		}
		out := make([]any, len(ids))
		for i, id := range ids {
			if o := lookup(e, id); o != nil {
				out[i] = o
			}
		}
		return out, nil
	}
	typed := func(typ string) resolver {
		return func(e *exec, _ Obj, a map[string]any) (any, error) {
			if o := lookup(e, a["id"]); o != nil && o["__typename"] == typ {
				return o, nil
			}
			return nil, nil
		}
	}
	resolvers["QueryRoot.order"] = typed("Order")
	resolvers["QueryRoot.product"] = typed("Product")
	resolvers["QueryRoot.productVariant"] = typed("ProductVariant")
	resolvers["QueryRoot.location"] = typed("Location")
	resolvers["QueryRoot.fulfillmentOrder"] = typed("FulfillmentOrder")
	resolvers["QueryRoot.bulkOperation"] = typed("BulkOperation")
	resolvers["QueryRoot.orders"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		q := e.checkSearch("orders", a["query"], orderFilters)
		var out []Obj
		for _, o := range e.s.store.orders {
			if e.visible(o) && q.match(o, orderTerm) {
				out = append(out, o)
			}
		}
		field := map[string]string{"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt", "PROCESSED_AT": "processedAt"}[fmt.Sprint(a["sortKey"])]
		key := func(o Obj) string {
			n, _ := strconv.ParseInt(o["legacyResourceId"].(string), 10, 64)
			id := fmt.Sprintf("%020d", n)
			if field == "" {
				return id
			}
			return o[field].(string) + "|" + id
		}
		sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
		return sorted{nodes: out, key: key}, nil
	}
	list := func(get func(*Store) []Obj, term func(Obj, string) any) resolver {
		return func(e *exec, _ Obj, a map[string]any) (any, error) {
			q := parseSearch(a["query"])
			var out []Obj
			field, set := q.oneOf()
			for _, o := range get(e.s.store) {
				if v, ok := term(o, field).(string); set != nil && ok && set[strings.ToLower(v)] || (set == nil || !ok) && q.match(o, term) {
					out = append(out, o)
				}
			}
			return out, nil
		}
	}
	plain := func(o Obj, f string) any { return o[f] }
	resolvers["QueryRoot.productVariants"] = list(func(s *Store) []Obj { return s.variants }, plain)
	resolvers["QueryRoot.products"] = list(func(s *Store) []Obj { return s.products }, recordTerm)
	resolvers["QueryRoot.customers"] = list(func(s *Store) []Obj { return s.customers }, recordTerm)
	resolvers["QueryRoot.locations"] = list(func(s *Store) []Obj { return s.locations }, plain)
	resolvers["QueryRoot.webhookSubscriptions"] = list(func(s *Store) []Obj { return s.subs }, plain)
	resolvers["InventoryItem.inventoryLevel"] = func(e *exec, item Obj, a map[string]any) (any, error) {
		return e.s.store.levels[item["id"].(string)+"|"+fmt.Sprint(a["locationId"])], nil
	}
	resolvers["InventoryItem.inventoryLevels"] = func(e *exec, item Obj, _ map[string]any) (any, error) {
		var out []Obj
		for _, l := range e.s.store.locations {
			if lv := e.s.store.levels[item["id"].(string)+"|"+l["id"].(string)]; lv != nil {
				out = append(out, lv)
			}
		}
		return out, nil
	}
	resolvers["InventoryLevel.quantities"] = func(_ *exec, lv Obj, a map[string]any) (any, error) {
		names, _ := a["names"].([]any)
		var out []Obj
		for _, n := range names {
			out = append(out, Obj{"name": n, "quantity": lv["q"].(map[string]int)[fmt.Sprint(n)]})
		}
		return out, nil
	}
}

func lookup(e *exec, id any) Obj {
	s, _ := id.(string)
	if o := e.s.store.nodes[s]; e.visible(o) {
		return o
	}
	return nil
}

// search is Shopify's query syntax, reduced to OR of ANDed field:value terms.
type search [][]term

type term struct{ field, op, value string }

// newTerm normalises a date value once, not at every match.
func newTerm(field, op, value string) term {
	if ts, err := time.Parse(time.RFC3339, value); err == nil {
		value = ts.UTC().Format(time.RFC3339)
	} else if ts, err := time.Parse("2006-01-02", value); err == nil {
		value = ts.Format(time.RFC3339)
	}
	return term{field, op, value}
}

func parseSearch(q any) search {
	s, _ := q.(string)
	s = strings.NewReplacer("(", " ", ")", " ").Replace(s)
	var out search
	for _, group := range strings.Split(s, " OR ") {
		var ts []term
		for _, w := range splitWords(group) {
			field, val, ok := strings.Cut(w, ":")
			if !ok || w == "AND" {
				continue
			}
			op := "="
			for _, o := range []string{">=", "<=", ">", "<"} {
				if strings.HasPrefix(val, o) {
					op, val = o, val[len(o):]
					break
				}
			}
			ts = append(ts, newTerm(field, op, strings.Trim(val, `'"`)))
		}
		out = append(out, ts)
	}
	return out
}

// splitWords splits on spaces outside quotes.
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	quote := rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '\'' || r == '"'):
			quote = r
		case quote == 0 && r == ' ':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// oneOf returns the field and values of a query "f:a OR f:b OR ...", which
// a set answers in one pass over a large catalogue; nil for other queries.
func (q search) oneOf() (string, map[string]bool) {
	set := map[string]bool{}
	for _, g := range q {
		if len(g) != 1 || g[0].op != "=" || g[0].field != q[0][0].field || g[0].field == "status" {
			return "", nil
		}
		if _, err := strconv.ParseFloat(g[0].value, 64); err == nil {
			return "", nil
		}
		set[strings.ToLower(g[0].value)] = true
	}
	if len(set) == 0 {
		return "", nil
	}
	return q[0][0].field, set
}

func (q search) match(o Obj, value func(Obj, string) any) bool {
	if len(q) == 0 {
		return true
	}
	for _, group := range q {
		ok := true
		for _, t := range group {
			if !t.match(value(o, t.field)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (t term) match(v any) bool {
	switch t.op {
	case "any":
		return true
	case "none":
		return false
	}
	if o, ok := v.(Obj); ok && t.field == "status" {
		switch t.value {
		case "open":
			return o["closedAt"] == nil && o["cancelledAt"] == nil
		case "closed":
			return o["closedAt"] != nil
		case "cancelled":
			return o["cancelledAt"] != nil
		}
		return o["closedAt"] == nil // not_closed
	}
	if list, ok := v.([]string); ok { // tags
		for _, x := range list {
			if strings.EqualFold(x, t.value) {
				return true
			}
		}
		return false
	}
	got, want := fmt.Sprint(v), t.value
	c := strings.Compare(strings.ToLower(got), strings.ToLower(want))
	if a, err1 := strconv.ParseFloat(got, 64); err1 == nil {
		if b, err2 := strconv.ParseFloat(want, 64); err2 == nil {
			c = map[bool]int{true: -1, false: 1}[a < b]
			if a == b {
				c = 0
			}
		}
	}
	switch t.op {
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	return c == 0
}

// orderFilters are the order search fields the simulator knows, with the
// values the 2026-10 schema documents for those that take a fixed set.
var orderFilters = map[string][]string{
	"status":             {"open", "closed", "cancelled", "not_closed"},
	"financial_status":   {"paid", "pending", "authorized", "partially_paid", "partially_refunded", "refunded", "voided", "expired"},
	"fulfillment_status": {"unshipped", "shipped", "fulfilled", "partial", "scheduled", "on_hold", "unfulfilled", "request_declined"},
	"updated_at":         nil, "created_at": nil, "processed_at": nil, "id": nil, "tag": nil, "source_name": nil, "name": nil, "email": nil,
}

// checkSearch parses a query argument as Shopify does: a term on a field
// the resource does not have is ignored, one with a value the field does
// not accept matches nothing, and both are reported in extensions.search.
func (e *exec) checkSearch(path string, query any, fields map[string][]string) search {
	q := parseSearch(query)
	var warnings []Obj
	for _, group := range q {
		for i, t := range group {
			accepted, known := fields[t.field]
			switch {
			case !known:
				warnings = append(warnings, Obj{"field": t.field, "message": "Invalid search field for this query.", "code": "invalid_field"})
				group[i].op = "any"
			case accepted != nil && !slices.Contains(accepted, strings.ToLower(t.value)):
				warnings = append(warnings, Obj{"field": t.field, "message": "Input `" + t.value + "` is not an accepted value.", "code": "invalid_value"})
				group[i].op = "none"
			}
		}
	}
	if warnings != nil {
		e.search = append(e.search, Obj{"path": []string{path}, "query": query, "warnings": warnings})
	}
	return q
}

// orderTerm maps order search fields to values; status yields the order,
// whose state term.match inspects.
func orderTerm(o Obj, field string) any {
	switch field {
	case "updated_at":
		return o["updatedAt"]
	case "created_at":
		return o["createdAt"]
	case "processed_at":
		return o["processedAt"]
	case "financial_status":
		return o["displayFinancialStatus"]
	case "fulfillment_status":
		return o["displayFulfillmentStatus"]
	case "id":
		return o["legacyResourceId"]
	case "tag":
		return o["tags"]
	case "source_name":
		return o["sourceName"]
	case "status":
		return o
	}
	return o[field]
}
