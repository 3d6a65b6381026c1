package importer

import (
	"context"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// customerRef is the key a customer's Odoo contact carries in ref, stored
// with the contact in one create, so a retry finds it instead of making a
// second one.
func customerRef(shop string, c *shopify.Customer) string {
	return "shopify:" + shop + "/customer/" + c.LegacyResourceID
}

// partners finds or creates the customer of each order: by the Shopify
// customer id, then by email, else a new contact with its invoice and
// delivery addresses as child contacts. All orders share the lookups and one
// create.
func (r *run) partners(ctx context.Context, its []*item) (map[*item]odoo.PartnerIDs, error) {
	out := map[*item]odoo.PartnerIDs{}
	byRef := map[string][]*item{}
	var refs, emails []string
	for _, it := range its {
		c := it.plan.Order.Customer
		if c == nil {
			if r.refs.guest == 0 {
				it.fail(false, "the order has no customer and spec.orders.customers.guestCustomer is not set")
				continue
			}
			out[it] = odoo.PartnerIDs{ID: r.refs.guest, InvoiceID: r.refs.guest, DeliveryID: r.refs.guest}
			continue
		}
		ref := customerRef(r.s.Shop, c)
		if byRef[ref] == nil {
			refs = append(refs, ref)
			if c.Email != "" {
				emails = append(emails, c.Email)
			}
		}
		byRef[ref] = append(byRef[ref], it)
	}
	if len(refs) == 0 {
		return out, nil
	}
	var known []odoo.Partner
	if err := r.c.SearchRead(ctx, "res.partner", odoo.Domain{odoo.In("ref", refs)}, []string{"ref"}, 0, "id", &known); err != nil {
		return nil, err
	}
	found := map[string]int64{}
	for _, p := range known {
		if _, seen := found[string(p.Ref)]; !seen {
			found[string(p.Ref)] = p.ID
		}
	}
	var byEmail map[string]odoo.Partner
	if r.s.Orders.Customers.MatchBy != v1.MatchShopifyID && len(emails) > 0 {
		var err error
		if byEmail, err = r.c.PartnersByEmail(ctx, emails); err != nil {
			return nil, err
		}
	}
	var create []string
	for _, ref := range refs {
		c := byRef[ref][0].plan.Order.Customer
		if id, ok := found[ref]; ok {
			r.assign(out, byRef[ref], odoo.PartnerIDs{ID: id, InvoiceID: id, DeliveryID: id})
		} else if p, ok := byEmail[strings.ToLower(c.Email)]; ok && c.Email != "" {
			r.assign(out, byRef[ref], odoo.PartnerIDs{ID: p.ID, InvoiceID: p.ID, DeliveryID: p.ID})
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
	ids, err := r.c.CreatePartners(ctx, news)
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

func (r *run) assign(out map[*item]odoo.PartnerIDs, its []*item, ids odoo.PartnerIDs) {
	for _, it := range its {
		out[it] = ids
	}
}

// newPartners builds the contacts to create, looking up every country and
// state of their addresses in two calls.
func (r *run) newPartners(ctx context.Context, create []string, byRef map[string][]*item) ([]odoo.NewPartner, error) {
	var codes []string
	var states []odoo.StateKey
	for _, ref := range create {
		o := byRef[ref][0].plan.Order
		for _, a := range []*shopify.Address{o.BillingAddress, o.ShippingAddress} {
			if a != nil && a.CountryCode != "" {
				codes = append(codes, a.CountryCode)
				if a.ProvinceCode != "" {
					states = append(states, odoo.StateKey{Country: a.CountryCode, State: a.ProvinceCode})
				}
			}
		}
	}
	countries, err := r.c.Countries(ctx, codes)
	if err != nil {
		return nil, err
	}
	stateIDs := map[odoo.StateKey]int64{}
	if len(states) > 0 {
		if stateIDs, err = r.c.States(ctx, states); err != nil {
			return nil, err
		}
	}
	address := func(a *shopify.Address) map[string]any {
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
	}
	var out []odoo.NewPartner
	for _, ref := range create {
		o := byRef[ref][0].plan.Order
		c := o.Customer
		name := strings.TrimSpace(c.DisplayName)
		if name == "" {
			name = strings.TrimSpace(c.FirstName + " " + c.LastName)
		}
		if name == "" {
			name = c.Email
		}
		vals := map[string]any{"name": name, "ref": ref}
		for field, value := range map[string]string{"email": c.Email, "phone": c.Phone} {
			if value != "" {
				vals[field] = value
			}
		}
		if main := address(o.BillingAddress); main != nil {
			for _, f := range []string{"street", "street2", "city", "zip", "country_id", "state_id"} {
				if v, ok := main[f]; ok {
					vals[f] = v
				}
			}
		}
		out = append(out, odoo.NewPartner{Vals: vals, Invoice: address(o.BillingAddress), Delivery: address(o.ShippingAddress)})
	}
	return out, nil
}
