package importer

import (
	"context"
	"maps"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// LockContacts holds the lock under which customers are looked up and
// created, so that two imports with the same new customer do not both
// create it. A nil cache locks nothing.
func (c *Cache) LockContacts() (unlock func()) {
	if c == nil {
		return func() {}
	}
	c.contacts.Lock()
	return c.contacts.Unlock
}

// MatchCustomers finds the contacts of customers: by ref, then by email
// among top-level contacts unless spec matches by Shopify id only; the
// oldest wins. It returns the contact ids by ref; customers not found are
// left out.
func MatchCustomers(ctx context.Context, c *odoo.Client, shop string, spec v1.CustomersSpec, cs []*shopify.Customer) (map[string]int64, error) {
	var refs, emails []string
	for _, cu := range cs {
		refs = append(refs, keys.Customer(shop, cu.LegacyResourceID))
		if cu.Email() != "" {
			emails = append(emails, cu.Email())
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	byEmail := spec.MatchBy != v1.MatchShopifyID
	if !byEmail {
		emails = nil
	}
	known, err := c.ContactsByRefOrEmail(ctx, refs, emails)
	if err != nil {
		return nil, err
	}
	byKey := map[string]int64{} // by ref, and by lower-case email; the oldest wins
	for _, p := range known {
		for _, k := range []string{string(p.Ref), "email:" + strings.ToLower(string(p.Email))} {
			if _, seen := byKey[k]; !seen && k != "" && k != "email:" {
				byKey[k] = p.ID
			}
		}
	}
	out := map[string]int64{}
	for _, cu := range cs {
		ref := keys.Customer(shop, cu.LegacyResourceID)
		id, ok := byKey[ref]
		if !ok && cu.Email() != "" && byEmail {
			id, ok = byKey["email:"+strings.ToLower(cu.Email())]
		}
		if ok {
			out[ref] = id
		}
	}
	return out, nil
}

// partners finds or creates the customer of each order: by the Shopify
// customer id, then by email, else a new contact with its invoice and
// delivery addresses as child contacts. All orders share the lookups and one
// create.
func (r *run) partners(ctx context.Context, its []*item) (map[*item]int64, error) {
	defer r.im.Cache.LockContacts()()
	out := map[*item]int64{}
	byRef := map[string][]*item{}
	var refs []string
	var customers []*shopify.Customer
	for _, it := range its {
		c := it.plan.Order.Customer
		if c == nil {
			if id := r.guest(it.plan); id != 0 {
				out[it] = id
			} else if it.plan.POS {
				it.fail(false, "the point of sale order has no customer and neither spec.orders.pos.guestCustomer nor spec.orders.customers.guestCustomer is set")
			} else {
				it.fail(false, "the order has no customer and spec.orders.customers.guestCustomer is not set")
			}
			continue
		}
		ref := keys.Customer(r.s.Shop, c.LegacyResourceID)
		if byRef[ref] == nil {
			refs = append(refs, ref)
			customers = append(customers, c)
		}
		byRef[ref] = append(byRef[ref], it)
	}
	found, err := MatchCustomers(ctx, r.c, r.s.Shop, r.s.Orders.Customers, customers)
	if err != nil {
		return nil, err
	}
	var create []string
	for _, ref := range refs {
		if id, ok := found[ref]; ok {
			r.assign(out, byRef[ref], id)
		} else {
			create = append(create, ref)
		}
	}
	if len(create) == 0 {
		return out, nil
	}
	news, err := r.newPartners(ctx, create, byRef)
	if err != nil {
		return nil, err
	}
	// The order's invoice and delivery addresses are then the contact's
	// children: Odoo picks them itself.
	ids, err := r.c.CreateContacts(ctx, news)
	if err != nil {
		return nil, err
	}
	for i, ref := range create {
		r.assign(out, byRef[ref], ids[i])
		for _, it := range byRef[ref] {
			it.did("customer created")
		}
	}
	return out, nil
}

// guest is the contact of an order without a customer: a point of sale
// order's own when set, else the shop's; 0 when none is set.
func (r *run) guest(p *Plan) int64 {
	if p.POS && r.refs.POSGuest != 0 {
		return r.refs.POSGuest
	}
	return r.refs.GuestCustomer
}

func (r *run) assign(out map[*item]int64, its []*item, id int64) {
	for _, it := range its {
		out[it] = id
	}
}

// newPartners builds the contacts to create.
func (r *run) newPartners(ctx context.Context, create []string, byRef map[string][]*item) ([]odoo.NewPartner, error) {
	var addrs []*shopify.Address
	for _, ref := range create {
		o := byRef[ref][0].plan.Order
		addrs = append(addrs, o.BillingAddress, o.ShippingAddress)
	}
	address, err := AddressVals(ctx, r.c, r.im.Cache, r.s, addrs)
	if err != nil {
		return nil, err
	}
	var out []odoo.NewPartner
	for _, ref := range create {
		o := byRef[ref][0].plan.Order
		out = append(out, odoo.NewPartner{Vals: ContactVals(ref, o.Customer, address(o.BillingAddress)),
			Invoice: address(o.BillingAddress), Delivery: address(o.ShippingAddress)})
	}
	return out, nil
}

// ContactVals are the vals of a customer's contact, with ref and the
// street, city, country... of its main address (nil: none).
func ContactVals(ref string, c *shopify.Customer, main map[string]any) map[string]any {
	name := strings.TrimSpace(c.DisplayName)
	if name == "" {
		name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	if name == "" {
		name = c.Email()
	}
	if name == "" { // Shopify withholds names and emails from apps not approved for them
		name = "Shopify customer " + c.LegacyResourceID
	}
	vals := map[string]any{"name": name, "ref": ref}
	for field, value := range map[string]string{"email": c.Email(), "phone": c.Phone()} {
		if value != "" {
			vals[field] = value
		}
	}
	for _, f := range []string{"street", "street2", "city", "zip", "country_id", "state_id"} {
		if v, ok := main[f]; ok {
			vals[f] = v
		}
	}
	return vals
}

// AddressVals looks up every country and state of addrs (nil ones are left
// out) in at most two calls, and returns what makes an address the vals of
// a contact; nil for a nil address.
func AddressVals(ctx context.Context, c *odoo.Client, cache *Cache, s Settings, addrs []*shopify.Address) (func(*shopify.Address) map[string]any, error) {
	var codes []string
	var states []odoo.StateKey
	for _, a := range addrs {
		if a != nil && a.CountryCode != "" {
			codes = append(codes, a.CountryCode)
			if a.ProvinceCode != "" {
				states = append(states, odoo.StateKey{Country: a.CountryCode, State: a.ProvinceCode})
			}
		}
	}
	var countries map[string]int64
	var stateIDs map[odoo.StateKey]int64
	cache.use(s, func(c *Cache) { countries, stateIDs = maps.Clone(c.countries), maps.Clone(c.states) })
	if codes = unknown(codes, countries); len(codes) > 0 {
		found, err := c.Countries(ctx, codes)
		if err != nil {
			return nil, err
		}
		maps.Copy(countries, found)
	}
	if states = unknown(states, stateIDs); len(states) > 0 {
		found, err := c.States(ctx, states)
		if err != nil {
			return nil, err
		}
		maps.Copy(stateIDs, found)
	}
	cache.use(s, func(c *Cache) { maps.Copy(c.countries, countries); maps.Copy(c.states, stateIDs) })
	return func(a *shopify.Address) map[string]any {
		if a == nil {
			return nil
		}
		v := map[string]any{"name": a.Name, "street": a.Address1, "city": a.City, "zip": a.Zip}
		for field, value := range map[string]string{"street2": a.Address2, "phone": a.Phone} {
			if value != "" {
				v[field] = value
			}
		}
		if id := countries[a.CountryCode]; id != 0 {
			v["country_id"] = id
		}
		if id := stateIDs[odoo.StateKey{Country: a.CountryCode, State: a.ProvinceCode}]; id != 0 {
			v["state_id"] = id
		}
		return v
	}, nil
}

// unknown are the keys not in known, once each.
func unknown[K comparable](keys []K, known map[K]int64) []K {
	var out []K
	for _, k := range keys {
		if _, ok := known[k]; !ok && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
