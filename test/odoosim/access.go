package odoosim

import (
	"fmt"
	"slices"
)

// Access rights (ir.model.access) as the public methods of every model
// answer them: check_access_rights(operation, raise_exception=True) on all
// versions (17: ir.model.access.check's bool; deprecated since 18, where
// raising it returns check_access's None); has_access(operation) and
// check_access(operation) on records since 18, check_access being
// @api.private on 19. The API user may do everything but what
// Options.Denied takes away, which the ORM methods then refuse too.

// ormOperation is the access an ORM method needs.
var ormOperation = map[string]string{"search": "read", "search_read": "read", "search_count": "read", "read": "read",
	"name_search": "read", "create": "create", "write": "write", "unlink": "unlink"}

// modelDescriptions are the models' _description, which ir.model names them by.
var modelDescriptions = map[string]string{
	"account.account": "Account", "account.bank.statement": "Bank Statement", "account.bank.statement.line": "Bank Statement Line",
	"account.journal": "Journal", "account.move": "Journal Entry", "account.move.line": "Journal Item",
	"account.move.reversal": "Account Move Reversal", "account.payment": "Payments", "account.payment.method.line": "Payment Methods",
	"account.payment.register": "Pay", "account.payment.term": "Payment Terms", "account.tax": "Tax", "crm.team": "Sales Team",
	"delivery.carrier": "Shipping Methods", "ir.model.data": "Model Data", "ir.module.module": "Module",
	"product.attribute": "Product Attribute", "product.attribute.value": "Attribute Value", "product.category": "Product Category",
	"product.pricelist": "Pricelist", "product.pricelist.item": "Pricelist Rule", "product.product": "Product Variant",
	"product.tag": "Product Tag", "product.template": "Product", "product.template.attribute.line": "Product Template Attribute Line",
	"product.template.attribute.value": "Product Template Attribute Value", "res.company": "Companies", "res.country": "Country",
	"res.country.state": "Country state", "res.currency": "Currency", "res.partner": "Contact", "res.partner.category": "Partner Tags",
	"res.users": "User", "sale.advance.payment.inv": "Sales Advance Payment Invoice", "sale.order": "Sales Order",
	"sale.order.cancel": "Sales Order Cancel", "sale.order.line": "Sales Order Line", "stock.backorder.confirmation": "Backorder Confirmation",
	"stock.backorder.confirmation.line": "Backorder Confirmation Line", "stock.location": "Inventory Locations", "stock.move": "Stock Move",
	"stock.picking": "Transfer", "stock.quant": "Quants", "stock.warehouse": "Warehouse", "uom.uom": "Product Unit of Measure",
	"confirm.stock.sms": "Confirm Stock SMS",
}

var accessHeads = map[string]string{
	"read":   "You are not allowed to access '%s' (%s) records.",
	"write":  "You are not allowed to modify '%s' (%s) records.",
	"create": "You are not allowed to create '%s' (%s) records.",
	"unlink": "You are not allowed to delete '%s' (%s) records.",
}

func (t *tx) allowed(model, op string) bool { return !slices.Contains(t.db.denied[model], op) }

// accessError is ir.model.access's error when no group of the user grants
// the operation.
func (t *tx) accessError(model, op string) error {
	kind := modelDescriptions[model]
	if model == "account.payment.register" && t.db.version == 17 {
		kind = "Register Payment"
	}
	if kind == "" {
		kind = model
	}
	return accessError("%s\n\nNo group currently allows this operation.\n\nContact your administrator to request access if necessary.",
		fmt.Sprintf(accessHeads[op], kind, model))
}

// operation checks the mode as ir.model.access._get_allowed_models asserts it.
func operation(a map[string]any) (string, error) {
	op := asString(a["operation"])
	if accessHeads[op] == "" {
		return "", &odooError{"builtins.AssertionError", "Invalid access mode", 500}
	}
	return op, nil
}

func checkAccessRights(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	op, err := operation(a)
	if err != nil {
		return nil, err
	}
	raise := true
	if v, ok := a["raise_exception"]; ok {
		raise = truthy(v)
	}
	ok := t.allowed(m.name, op)
	if !ok && raise {
		return nil, t.accessError(m.name, op)
	}
	if raise && t.db.version >= 18 {
		return nil, nil // check_access returns None
	}
	return ok, nil
}

func hasAccess(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	op, err := operation(a)
	if err != nil {
		return nil, err
	}
	return t.allowed(m.name, op), nil
}

func checkAccess(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	op, err := operation(a)
	if err != nil {
		return nil, err
	}
	if !t.allowed(m.name, op) {
		return nil, t.accessError(m.name, op)
	}
	return nil, nil
}
