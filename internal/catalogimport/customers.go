package catalogimport

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// child is an address of a contact as the customer import reads it.
type child struct {
	Parent odoo.Many2One `json:"parent_id"`
	Type   odoo.Text     `json:"type"`
	Street odoo.Text     `json:"street"`
	Zip    odoo.Text     `json:"zip"`
}

// Customers imports the customers with the given numeric ids: each becomes
// a contact with its default address as invoice address and the others as
// delivery addresses. A customer is found by its external id
// shopify_customer.<shop>_<id>, then as the order import finds it (ref,
// then email); a contact found only gets what it lacks: addresses, tags,
// the marketing consent.
func (im *Importer) Customers(ctx context.Context, ids []string) ([]Result, error) {
	cs, err := im.Shopify.CustomersByIDs(ctx, gids(keys.TypeCustomer, ids))
	if err != nil {
		return nil, err
	}
	byID := results(ids, cs, func(c shopify.ImportCustomer) (string, string) { return c.LegacyResourceID, c.DisplayName })
	defer im.Cache.LockContacts()()
	if err := im.customers(ctx, cs, byID); err != nil {
		failAll(byID, err)
	}
	return ordered(ids, byID), nil
}

func (im *Importer) customers(ctx context.Context, cs []shopify.ImportCustomer, byID map[string]*Result) error {
	spec := im.Settings.Orders.Customers
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = keys.ExternalName(im.Settings.Shop, c.LegacyResourceID)
	}
	xids, err := im.Odoo.ExternalIDs(ctx, keys.ModuleCustomer, "res.partner", names)
	if err != nil {
		return err
	}
	var unmarked []*shopify.Customer
	for i := range cs {
		if xids[names[i]] == 0 {
			unmarked = append(unmarked, &cs[i].Customer)
		}
	}
	found, err := importer.MatchCustomers(ctx, im.Odoo, im.Settings.Shop, spec, unmarked)
	if err != nil {
		return err
	}
	var addrs []*shopify.Address
	var tags []string
	for _, c := range cs {
		for i := range c.Addresses.Nodes {
			addrs = append(addrs, &c.Addresses.Nodes[i].Address)
		}
		tags = append(tags, c.Tags...)
	}
	address, err := importer.AddressVals(ctx, im.Odoo, im.Cache, im.Settings, addrs)
	if err != nil {
		return err
	}
	categories := map[string]int64{}
	if spec.Import.Tags {
		if categories, err = im.categories(ctx, tags); err != nil {
			return err
		}
	}
	// What each customer's contact should have.
	type want struct {
		ref        string
		main       map[string]any   // the default address, as invoice address
		more       []map[string]any // the others, as delivery addresses
		categories []int64
	}
	wants := make([]want, len(cs))
	for i, c := range cs {
		w := &wants[i]
		w.ref = keys.Customer(im.Settings.Shop, c.Customer.LegacyResourceID)
		for j, a := range c.Addresses.Nodes {
			if c.DefaultAddress != nil && a.ID == c.DefaultAddress.ID || c.DefaultAddress == nil && j == 0 {
				w.main = address(&a.Address)
			} else {
				w.more = append(w.more, address(&a.Address))
			}
		}
		for _, t := range c.Tags {
			if id := categories[t]; id != 0 && !slices.Contains(w.categories, id) {
				w.categories = append(w.categories, id)
			}
		}
	}
	consent := func(c shopify.ImportCustomer, vals map[string]any) {
		if f := spec.Import.MarketingConsentField; f != "" {
			vals[f] = c.Subscribed()
		}
	}
	// Contacts to create, and those found that lack their external id.
	var news []odoo.NewPartner
	var created []int
	var marks []odoo.ExternalID
	existing := map[int64]int{} // contact id -> index in cs
	for i, c := range cs {
		id := xids[names[i]]
		if id == 0 {
			id = found[wants[i].ref]
			if id != 0 {
				marks = append(marks, odoo.ExternalID{Name: names[i], Model: "res.partner", ResID: id})
				byID[c.LegacyResourceID].Message = "linked to an existing contact"
			}
		}
		if id != 0 {
			existing[id] = i
			byID[c.LegacyResourceID].OdooID = id
			continue
		}
		vals := importer.ContactVals(wants[i].ref, &c.Customer, wants[i].main)
		if len(wants[i].categories) > 0 {
			vals["category_id"] = []any{[]any{6, 0, wants[i].categories}}
		}
		consent(c, vals)
		news = append(news, odoo.NewPartner{Vals: vals, Invoice: wants[i].main, More: wants[i].more})
		created = append(created, i)
	}
	if len(news) > 0 {
		ids, err := im.Odoo.CreateContacts(ctx, news)
		if err != nil {
			return err
		}
		for k, i := range created {
			c := cs[i]
			marks = append(marks, odoo.ExternalID{Name: names[i], Model: "res.partner", ResID: ids[k]})
			r := byID[c.LegacyResourceID]
			r.OdooID, r.Message = ids[k], "created with "+count(len(c.Addresses.Nodes), "address", "addresses")
		}
	}
	if len(marks) > 0 {
		if err := im.Odoo.CreateExternalIDs(ctx, keys.ModuleCustomer, marks); err != nil {
			return err
		}
	}
	if len(existing) == 0 {
		return nil
	}
	// A contact found gets what it lacks.
	ids := slices.Sorted(maps.Keys(existing))
	fields := []string{"category_id"}
	if f := spec.Import.MarketingConsentField; f != "" {
		fields = append(fields, f)
	}
	rows, err := im.Odoo.ContactFields(ctx, ids, fields)
	if err != nil {
		return err
	}
	var kids []child
	if err := im.Odoo.AddressesOf(ctx, ids, &kids); err != nil {
		return err
	}
	has := map[string]bool{}
	for _, k := range kids {
		has[addressKey(k.Parent.ID, string(k.Type), string(k.Street), string(k.Zip))] = true
	}
	writes := map[int64]map[string]any{}
	var children []map[string]any
	for _, row := range rows {
		id := int64(row["id"].(float64))
		i := existing[id]
		c, w := cs[i], wants[i]
		var changed []string
		vals := map[string]any{}
		var missing []int64
		for _, cat := range w.categories {
			if !slices.Contains(idsOf(row["category_id"]), cat) {
				missing = append(missing, cat)
			}
		}
		if len(missing) > 0 {
			vals["category_id"] = linkIDs(missing)
			changed = append(changed, "tags")
		}
		consent(c, vals)
		if f := spec.Import.MarketingConsentField; f != "" && row[f] == vals[f] {
			delete(vals, f)
		} else if f != "" {
			changed = append(changed, "marketing consent")
		}
		if len(vals) > 0 {
			writes[id] = vals
		}
		n := 0
		for j, a := range append([]map[string]any{w.main}, w.more...) {
			typ := "delivery"
			if j == 0 {
				typ = "invoice"
			}
			if a == nil || has[addressKey(id, typ, fmt.Sprint(a["street"]), fmt.Sprint(a["zip"]))] {
				continue
			}
			child := maps.Clone(a)
			child["type"], child["parent_id"] = typ, id
			children = append(children, child)
			n++
		}
		if n > 0 {
			changed = append(changed, count(n, "address", "addresses"))
		}
		r := byID[c.LegacyResourceID]
		switch {
		case len(changed) > 0:
			r.Message = strings.TrimPrefix(r.Message+"; ", "; ") + "added " + strings.Join(changed, ", ")
		case r.Message == "":
			r.Message = "unchanged"
		}
	}
	if len(children) > 0 {
		if err := im.Odoo.AddAddresses(ctx, children); err != nil {
			return err
		}
	}
	return im.Odoo.UpdateContacts(ctx, writes)
}

func addressKey(parent int64, typ, street, zip string) string {
	return fmt.Sprint(parent, "|", typ, "|", strings.ToLower(street), "|", strings.ToLower(zip))
}

// idsOf reads an x2many value as ids.
func idsOf(v any) []int64 {
	list, _ := v.([]any)
	out := make([]int64, 0, len(list))
	for _, x := range list {
		if f, ok := x.(float64); ok {
			out = append(out, int64(f))
		}
	}
	return out
}

// categories finds the partner categories named like tags, creating the
// missing ones in one call.
func (im *Importer) categories(ctx context.Context, tags []string) (map[string]int64, error) {
	if len(tags) == 0 {
		return map[string]int64{}, nil
	}
	return im.Odoo.PartnerCategories(ctx, tags)
}
