package odoosim

import "fmt"

// User groups, as far as a client looks them up: res.groups, their external
// ids in ir.model.data, and the users' groups (groups_id on 17 and 18, every
// group the user has, implied ones included; group_ids on 19, the groups
// given directly). A fresh Community database leaves the administrator out
// of account.group_account_user (Technical / Show Full Accounting
// Features). The simulator grants every right whatever the groups:
// Options.Denied takes rights away.

func init() {
	schemaSrc["res.groups"] = "name char !"
	schemaSrc["res.users"] += " | groups_id m2m res.groups @-18 | group_ids m2m res.groups @19"
	modelDescriptions["res.groups"] = "Access Groups"
}

// groupTable lists the groups of a fresh database by version: their ids,
// names (from res.users.fields_get's reified group fields where the
// recordings show them) and the administrator's groups. Groups the
// recordings do not name are "Group <id>".
type groupTable struct {
	names   map[int64]string
	admin   []int64 // the administrator's groups, as res.users.read gives them
	account int64   // account.group_account_user
}

var groups18 = map[int64]string{1: "Internal User", 2: "Access Rights", 3: "Bypass HTML Field Sanitize", 4: "Settings",
	5: "Multi Companies", 6: "Multi Currencies", 7: "Technical Features", 8: "Access to export feature", 9: "Contact Creation",
	10: "Portal", 11: "Public", 12: "Manage Multiple Units of Measure", 13: "Canned Response Administrator",
	14: "Mail Template Editor", 15: "Receive notifications in Odoo", 16: "Analytic Accounting", 17: "Basic Pricelists",
	18: "Manage Product Packaging", 19: "Manage Product Variants", 20: "Product Creation", 21: "User: Own Documents Only",
	22: "User: All Documents", 23: "Administrator", 24: "Delivery Address", 26: "Invoicing", 28: "Show Full Accounting Features",
	29: "Administrator", 30: "Show Inalterability Features", 31: "A warning can be set on a partner (Account)",
	32: "Allow the cash rounding management", 33: "Sale Receipt", 34: "Purchase Receipt", 35: "Validate bank account",
	36: "Admin", 37: "Manage Multiple Stock Locations", 38: "Manage Multiple Warehouses", 39: "User", 40: "Administrator",
	41: "Manage Lots / Serial Numbers", 42: "Print GS1 Barcodes for Lot & Serial Numbers",
	43: "Display Serial & Lot Number in Delivery Slips", 44: "Manage Packages", 45: "Manage Push and Pull inventory flows",
	46: "Manage Different Stock Owners", 47: "A warning can be set on a partner (Stock)",
	48: "Require a signature on your delivery orders", 49: "Use Reception Report",
	50: "Display Serial & Lot Number on Invoices", 51: "Stock Accounting Automatic", 52: "Lock Confirmed Sales",
	53: "Discount on lines", 54: "A warning can be set on a product or a customer (Sale)", 55: "Pro-forma Invoices",
	56: "Quotation Templates"}

var groups17 = map[int64]string{1: "Internal User", 2: "Access Rights", 3: "Bypass HTML Field Sanitize", 4: "Settings",
	5: "Multi Companies", 6: "Multi Currencies", 7: "Technical Features", 8: "Access to export feature", 9: "Contact Creation",
	10: "Portal", 11: "Public", 12: "Manage Multiple Units of Measure", 13: "Mail Template Editor",
	14: "Receive notifications in Odoo", 15: "Analytic Accounting", 16: "Basic Pricelists", 17: "Advanced Pricelists",
	18: "Manage Product Packaging", 19: "Manage Product Variants", 20: "Discount on lines", 21: "User: Own Documents Only",
	22: "User: All Documents", 23: "Administrator", 24: "Delivery Address", 26: "Billing", 27: "Show Full Accounting Features",
	28: "Billing Administrator", 29: "A warning can be set on a partner (Account)", 30: "Allow the cash rounding management",
	31: "Sale Receipt", 32: "Purchase Receipt", 33: "Validate bank account", 34: "Admin", 35: "Manage Multiple Stock Locations",
	36: "Manage Multiple Warehouses", 37: "User", 38: "Administrator", 39: "Manage Lots / Serial Numbers",
	40: "Print GS1 Barcodes for Lot & Serial Numbers", 41: "Display Serial & Lot Number in Delivery Slips",
	42: "Manage Packages", 43: "Manage Push and Pull inventory flows", 44: "Manage Different Stock Owners",
	45: "A warning can be set on a partner (Stock)", 46: "Require a signature on your delivery orders",
	47: "Manage Storage Categories", 48: "Use Reception Report", 49: "Use wave pickings",
	50: "Display Serial & Lot Number on Invoices", 51: "Stock Accounting Automatic", 52: "Lock Confirmed Sales",
	53: "A warning can be set on a product or a customer (Sale)", 54: "Pro-forma Invoices", 55: "Quotation Templates"}

func groupsOf(version int) groupTable {
	if version == 17 {
		return groupTable{names: groups17, admin: []int64{2, 8, 34, 38, 23, 26, 28, 3, 9, 1, 13, 4, 7, 37, 22, 21, 33}, account: 27}
	}
	if version >= 19 {
		return groupTable{names: map[int64]string{29: "Show Full Accounting Features"}, admin: []int64{24, 30, 21, 35, 37, 4}, account: 29}
	}
	return groupTable{names: groups18, admin: []int64{2, 8, 36, 23, 40, 29, 3, 13, 9, 1, 26, 14, 20, 4, 7, 39, 22, 21, 35}, account: 28}
}

// seedGroups makes the groups and their external ids, and puts the
// administrator (user 2) in his; fresh says whether he lacks the accounting
// group, as in a fresh database.
func seedGroups(s seeder, fresh bool) {
	g := groupsOf(s.t.db.version)
	last := int64(0)
	for id := range g.names {
		last = max(last, id)
	}
	for _, id := range g.admin {
		last = max(last, id)
	}
	for id := int64(1); id <= last; id++ {
		name, ok := g.names[id]
		if !ok {
			name = fmt.Sprintf("Group %d", id)
		}
		s.at("res.groups", id, map[string]any{"name": name})
	}
	s.add("ir.model.data", map[string]any{"module": "account", "name": "group_account_user", "model": "res.groups", "res_id": g.account, "noupdate": false})
	admin := g.admin
	if !fresh {
		admin = append(admin, g.account)
	}
	field := "groups_id"
	if s.t.db.version >= 19 {
		field = "group_ids"
	}
	s.t.rec("res.users", apiUser)[field] = admin
}
