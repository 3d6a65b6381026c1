package odoo

import (
	"context"
	"errors"
	"strings"
)

// MayAccess tells whether the user may perform op (create, read, write,
// unlink) on model by its access rights: has_access on 18+, the older
// check_access_rights (deprecated there) on 17.
func (c *Client) MayAccess(ctx context.Context, model, op string) (bool, error) {
	var ok bool
	if c.major >= 18 {
		err := c.Call(ctx, model, "has_access", []any{[]int64{}}, map[string]any{"operation": op}, &ok)
		return ok, err
	}
	err := c.Call(ctx, model, "check_access_rights", []any{op}, map[string]any{"raise_exception": false}, &ok)
	return ok, err
}

// IsUnknownModel tells whether Odoo answered that the model does not exist:
// its module is not installed.
func IsUnknownModel(err error) bool {
	var oe *Error
	if !errors.As(err, &oe) {
		return false
	}
	return oe.Kind == NotFound && strings.Contains(oe.Message, "does not exist") ||
		oe.Kind == UserError && strings.HasPrefix(oe.Message, "Object ") && strings.HasSuffix(oe.Message, " doesn't exist")
}

// TaxRounding is the company's tax_calculation_rounding_method
// (round_per_line or round_globally).
func (c *Client) TaxRounding(ctx context.Context, company int64) (string, error) {
	var rows []struct {
		Method Text `json:"tax_calculation_rounding_method"`
	}
	if err := c.Read(ctx, "res.company", []int64{company}, []string{"tax_calculation_rounding_method"}, &rows); err != nil || len(rows) == 0 {
		return "", err
	}
	return string(rows[0].Method), nil
}
