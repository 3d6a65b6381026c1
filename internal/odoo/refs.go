package odoo

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Names are the records a spec names in Odoo; empty ones are not looked up.
type Names struct {
	Company       string // res.company by name
	Warehouse     string // stock.warehouse by code
	Pricelist     string // product.pricelist by name
	SalesTeam     string // crm.team by name
	GuestCustomer string // res.partner by name
	POSGuest      string // res.partner by name
	Category      string // product.category by full name
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
	Company, Warehouse, Pricelist, SalesTeam, GuestCustomer, POSGuest, Category, BankJournal int64
	Journals, PaymentTerms, Products, Accounts, Users                                        map[string]int64
	Records                                                                                  map[Record]int64
}

// Unresolved names the records of Names Odoo does not have.
type Unresolved struct{ Missing []string }

func (e *Unresolved) Error() string { return "not found in Odoo: " + strings.Join(e.Missing, ", ") }

// Resolve looks up every record of n: the connection check and each worker
// resolve a spec's records here, so that they agree on what is missing. It
// returns *Unresolved naming every record not found.
//
// The company comes first, the user's default one when n names none: the
// client is set to work in it (SetCompany), so that every other record is
// looked up among that company's and the shared ones, never another's.
func (c *Client) Resolve(ctx context.Context, n Names) (Refs, error) {
	var r Refs
	var err error
	if r.Company, err = c.findCompany(ctx, n.Company); err != nil {
		return r, err
	}
	c.SetCompany(r.Company)
	var missing []string
	for _, one := range []struct {
		model, field, label, value string
		id                         *int64
	}{
		{"stock.warehouse", "code", "warehouse", n.Warehouse, &r.Warehouse},
		{"product.pricelist", "name", "pricelist", n.Pricelist, &r.Pricelist},
		{"crm.team", "name", "sales team", n.SalesTeam, &r.SalesTeam},
		{"res.partner", "name", "guest customer", n.GuestCustomer, &r.GuestCustomer},
		{"res.partner", "name", "point of sale guest customer", n.POSGuest, &r.POSGuest},
		{"product.category", "complete_name", "product category", n.Category, &r.Category},
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

// findCompany is the id of the company named name, else of the user's
// default one; *Unresolved for a company the user may not work in.
func (c *Client) findCompany(ctx context.Context, name string) (int64, error) {
	// among all of the user's companies, whatever company is set
	ctx = withoutCompany(ctx)
	var users []struct {
		Company Many2One `json:"company_id"`
		Allowed []int64  `json:"company_ids"`
	}
	if err := c.Read(ctx, "res.users", []int64{c.uid}, []string{"company_id", "company_ids"}, &users); err != nil || len(users) == 0 {
		return 0, err
	}
	if name == "" {
		return users[0].Company.ID, nil
	}
	// a user who does not manage companies sees only those allowed
	ids, err := c.Search(ctx, "res.company", Domain{Cond("name", "=", name)}, 1)
	switch {
	case err != nil:
		return 0, err
	case len(ids) == 0:
		return 0, &Unresolved{Missing: []string{fmt.Sprintf("company %q (or the API user is not allowed in it)", name)}}
	case !slices.Contains(users[0].Allowed, ids[0]):
		return 0, &Unresolved{Missing: []string{fmt.Sprintf("company %q (the API user is not allowed in it)", name)}}
	}
	return ids[0], nil
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

// byField maps values of a char field to ids of model in one call; the
// oldest wins.
func (c *Client) byField(ctx context.Context, model, field string, values []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(values) == 0 {
		return out, nil
	}
	var rows []map[string]any
	err := c.SearchRead(ctx, model, Domain{In(field, values)}, []string{field}, 0, "id", &rows)
	for _, r := range rows {
		v, _ := r[field].(string)
		id, _ := r["id"].(float64)
		if _, seen := out[v]; !seen {
			out[v] = int64(id)
		}
	}
	return out, err
}
