package importer

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shopify-odoo/connector/internal/odoo"
)

// cacheTTL bounds how long a renamed or archived Odoo record can go unseen.
const cacheTTL = 10 * time.Minute

// Cache keeps what rarely changes in an Odoo database between the imports
// of one instance: the records the spec names, countries, states and taxes.
// Share one per instance; it is safe for concurrent use.
type Cache struct {
	// contacts is held while customers are looked up and created, so that
	// two queues with the same new customer do not both create it.
	contacts sync.Mutex
	// credits is held while refunds are looked up and credited, so that two
	// imports of one order (a webhook's and the schedule's) do not both
	// make its credit note.
	credits sync.Mutex
	// importing are the Shopify products being imported, under products,
	// so that an order import and a product import do not both create one.
	products  sync.Mutex
	imported  *sync.Cond // signalled when products leave importing
	importing map[string]bool
	// lookups is held while the named records and taxes are looked up, so
	// that queues starting together look them up once.
	lookups sync.Mutex

	mu        sync.Mutex
	spec      string    // what the entries were looked up for
	at        time.Time // when the named records were looked up
	refs      refs
	countries map[string]int64
	states    map[odoo.StateKey]int64
	taxes     map[TaxKey]int64
}

// use runs f on the cache, emptied first when it is old or was filled for
// another spec. A nil cache runs f on a new, empty one.
func (c *Cache) use(s Settings, f func(c *Cache)) {
	if c == nil {
		c = &Cache{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	spec := fmt.Sprint(s.Odoo, s.Names(), s.Orders.Customers, s.Orders.Taxes, s.Orders.Risk)
	if c.spec != spec || time.Since(c.at) > cacheTTL {
		c.spec, c.at, c.refs = spec, time.Time{}, refs{}
		c.countries, c.states, c.taxes = map[string]int64{}, map[odoo.StateKey]int64{}, map[TaxKey]int64{}
	}
	f(c)
}

// LockProducts waits until none of the Shopify products ids is being
// imported, and holds them until unlock: imports of other products go on.
// A nil cache locks nothing.
func (c *Cache) LockProducts(ids []string) (unlock func()) {
	if c == nil {
		return func() {}
	}
	c.products.Lock()
	defer c.products.Unlock()
	if c.imported == nil {
		c.imported, c.importing = sync.NewCond(&c.products), map[string]bool{}
	}
	for slices.ContainsFunc(ids, func(id string) bool { return c.importing[id] }) {
		c.imported.Wait()
	}
	for _, id := range ids {
		c.importing[id] = true
	}
	return func() {
		c.products.Lock()
		defer c.products.Unlock()
		for _, id := range ids {
			delete(c.importing, id)
		}
		c.imported.Broadcast()
	}
}

// lockLookups holds the lock under which named records and taxes are looked
// up. A nil cache locks nothing.
func (c *Cache) lockLookups() (unlock func()) {
	if c == nil {
		return func() {}
	}
	c.lookups.Lock()
	return c.lookups.Unlock
}
