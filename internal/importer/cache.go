package importer

import (
	"fmt"
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
	spec := fmt.Sprint(s.Odoo, s.Orders.Workflows, s.Orders.Customers, s.Orders.Taxes, s.Orders.RefundAdjustmentProduct, s.Orders.Risk, s.Orders.OnFailure)
	if c.spec != spec || time.Since(c.at) > cacheTTL {
		c.spec, c.at, c.refs = spec, time.Time{}, refs{}
		c.countries, c.states, c.taxes = map[string]int64{}, map[odoo.StateKey]int64{}, map[TaxKey]int64{}
	}
	f(c)
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
