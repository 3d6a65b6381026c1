package odoo

import (
	"context"
	"fmt"
	"strings"
)

// Names are the records a spec names in Odoo; empty ones are not looked up.
type Names struct {
	Company       string // res.company by name
	Warehouse     string // stock.warehouse by code
	Pricelist     string // product.pricelist by name
	SalesTeam     string // crm.team by name
	GuestCustomer string // res.partner by name
	Journals      []string
	PaymentTerms  []string
	Products      []string // product.product by internal reference
	BankJournal   string   // an account.journal of type bank, by name
	Accounts      []string // account.account by code
	Users         []string // res.users by login
	Records       []Record // records that carry activities, by name
}

// Record names a record of a model by its name.
type Record struct{ Model, Name string }

// Refs are the ids of Names; a name not given has none.
type Refs struct {
	Company, Warehouse, Pricelist, SalesTeam, GuestCustomer, BankJournal int64
	Journals, PaymentTerms, Products, Accounts, Users                    map[string]int64
	Records                                                              map[Record]int64
}

// Unresolved names the records of Names Odoo does not have.
type Unresolved struct{ Missing []string }

func (e *Unresolved) Error() string { return "not found in Odoo: " + strings.Join(e.Missing, ", ") }

// Resolve looks up every record of n: the connection check and each worker
// resolve a spec's records here, so that they agree on what is missing. It
// returns *Unresolved naming every record not found.
func (c *Client) Resolve(ctx context.Context, n Names) (Refs, error) {
	var r Refs
	var missing []string
	for _, one := range []struct {
		model, field, label, value string
		id                         *int64
	}{
		{"res.company", "name", "company", n.Company, &r.Company},
		{"stock.warehouse", "code", "warehouse", n.Warehouse, &r.Warehouse},
		{"product.pricelist", "name", "pricelist", n.Pricelist, &r.Pricelist},
		{"crm.team", "name", "sales team", n.SalesTeam, &r.SalesTeam},
		{"res.partner", "name", "guest customer", n.GuestCustomer, &r.GuestCustomer},
	} {
		if one.value == "" {
			continue
		}
		ids, err := c.Search(ctx, one.model, Domain{Cond(one.field, "=", one.value)}, 1)
		if err != nil {
			return r, err
		}
		if len(ids) == 0 {
			missing = append(missing, fmt.Sprintf("%s %q", one.label, one.value))
			continue
		}
		*one.id = ids[0]
	}
	var err error
	for _, many := range []struct {
		model, label string
		values       []string
		ids          *map[string]int64
	}{
		{"account.journal", "journal", n.Journals, &r.Journals},
		{"account.payment.term", "payment term", n.PaymentTerms, &r.PaymentTerms},
	} {
		if *many.ids, err = c.byName(ctx, many.model, many.values); err != nil {
			return r, err
		}
		missing = append(missing, absent(many.label, many.values, *many.ids)...)
	}
	if r.Users, err = c.byField(ctx, "res.users", "login", n.Users); err != nil {
		return r, err
	}
	missing = append(missing, absent("user with login", n.Users, r.Users)...)
	r.Records = map[Record]int64{}
	for _, rec := range n.Records {
		found, err := c.byName(ctx, rec.Model, []string{rec.Name})
		if err != nil {
			return r, err
		}
		if id, ok := found[rec.Name]; ok {
			r.Records[rec] = id
		} else {
			missing = append(missing, fmt.Sprintf("%s %q", rec.Model, rec.Name))
		}
	}
	r.Products = map[string]int64{}
	if len(n.Products) > 0 {
		found, err := c.ProductsByCode(ctx, n.Products)
		if err != nil {
			return r, err
		}
		for code, p := range found {
			r.Products[code] = p.ID
		}
		missing = append(missing, absent("product", n.Products, r.Products)...)
	}
	if n.BankJournal != "" {
		journals, err := c.journals(ctx, "bank")
		if err != nil {
			return r, err
		}
		for _, j := range journals {
			if string(j.Name) == n.BankJournal {
				r.BankJournal = j.ID
			}
		}
		if r.BankJournal == 0 {
			missing = append(missing, fmt.Sprintf("bank journal %q", n.BankJournal))
		}
	}
	r.Accounts = map[string]int64{}
	if len(n.Accounts) > 0 {
		if r.Accounts, err = c.accountsByCode(ctx, n.Accounts); err != nil {
			return r, err
		}
		missing = append(missing, absent("account", n.Accounts, r.Accounts)...)
	}
	if len(missing) > 0 {
		return r, &Unresolved{Missing: missing}
	}
	return r, nil
}

// absent labels the values that found lacks, each once.
func absent(label string, values []string, found map[string]int64) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		if _, ok := found[v]; !ok && !seen[v] {
			seen[v] = true
			out = append(out, fmt.Sprintf("%s %q", label, v))
		}
	}
	return out
}

// byName maps names to ids of model in one call; the oldest wins.
func (c *Client) byName(ctx context.Context, model string, names []string) (map[string]int64, error) {
	return c.byField(ctx, model, "name", names)
}
