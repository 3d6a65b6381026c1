package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/catalog"
)

// Stock is the quantity each catalogue product gets in the warehouse.
const Stock = 1000

// Seed gives a fresh Odoo, through the external API, what the instance's
// spec and the simulated store need: the shop's currency, the sale taxes
// the store charges, the journals, accounts, guest contact and service
// products the spec names, the catalogue with SKUs and barcodes, and stock.
// It looks each kind of record up before creating the missing ones, so it
// can run again. It may set spec.Odoo.Pricelist (see seedCurrency). It
// returns one line per kind of record.
func Seed(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) ([]string, error) {
	var out []string
	for _, step := range []struct {
		what string
		do   func(context.Context, *odoo.Client, *v1.ShopifyInstanceSpec) (string, error)
	}{
		{"user", seedUser}, {"currency", seedCurrency}, {"taxes", seedTaxes}, {"journals", seedJournals}, {"accounts", seedAccounts},
		{"guest", seedGuest}, {"services", seedServices}, {"catalogue", seedCatalogue}, {"stock", seedStock},
	} {
		line, err := step.do(ctx, c, spec)
		if err != nil {
			return out, fmt.Errorf("seeding the %s: %w", step.what, err)
		}
		out = append(out, fmt.Sprintf("%-10s %s", step.what, line))
	}
	return out, nil
}

// found says how many of a kind of record were there and which were made.
func found(n int, made []string) string {
	s := fmt.Sprintf("%d found", n)
	if len(made) > 0 {
		s += fmt.Sprintf(", %d created: %s", len(made), strings.Join(made, ", "))
	}
	return s
}

// accountant is the group Community hides as Technical / Show Full
// Accounting Features, without which bank statements cannot be created.
const accountant = "group_account_user"

// seedUser puts the API user in the accountant group when the spec imports
// payouts: a fresh Community database leaves even the administrator out.
func seedUser(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	if !spec.Payouts.Enabled {
		return "payouts off: no group needed", nil
	}
	groups, err := c.ExternalIDs(ctx, "account", "res.groups", []string{accountant})
	if err != nil || groups[accountant] == 0 {
		return "no group account." + accountant + " in this Odoo", err
	}
	var fields map[string]any
	if err := c.Call(ctx, "res.users", "fields_get", nil, map[string]any{"attributes": []string{"type"}}, &fields); err != nil {
		return "", err
	}
	field := "groups_id" // group_ids since 19
	if _, ok := fields["group_ids"]; ok {
		field = "group_ids"
	}
	var users []map[string]any
	if err := c.Read(ctx, "res.users", []int64{c.UID()}, []string{field}, &users); err != nil || len(users) == 0 {
		return "", errors.Join(err, errors.New("the user cannot be read"))
	}
	for _, g := range users[0][field].([]any) {
		if int64(g.(float64)) == groups[accountant] {
			return "in account." + accountant, nil
		}
	}
	err = c.Write(ctx, "res.users", []int64{c.UID()}, map[string]any{field: []any{[]any{4, groups[accountant]}}})
	return "added to account." + accountant + " (Show Full Accounting Features), which bank statements need", err
}

// seedCurrency makes the shop's currency the one Odoo gives sale orders.
// The company's currency changes while it has no journal items (a fresh
// database), and the pricelists in the old one follow; otherwise a
// pricelist in the shop's currency is made and named in the spec.
func seedCurrency(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	var users []struct {
		Company odoo.Many2One `json:"company_id"`
	}
	if err := c.Read(ctx, "res.users", []int64{c.UID()}, []string{"company_id"}, &users); err != nil || len(users) == 0 {
		return "", errors.Join(err, errors.New("the user has no company"))
	}
	var companies []struct {
		Currency odoo.Many2One `json:"currency_id"`
	}
	company := users[0].Company.ID
	if err := c.Read(ctx, "res.company", []int64{company}, []string{"currency_id"}, &companies); err != nil || len(companies) == 0 {
		return "", errors.Join(err, errors.New("the company cannot be read"))
	}
	old := companies[0].Currency.Name
	if old == catalog.Currency {
		return "company currency " + old, nil
	}
	var ids []int64 // an inactive currency is found too: the company's write activates it
	if err := c.Call(ctx, "res.currency", "search", []any{odoo.Domain{odoo.Cond("name", "=", catalog.Currency)}},
		map[string]any{"context": map[string]any{"active_test": false}}, &ids); err != nil || len(ids) == 0 {
		return "", errors.Join(err, fmt.Errorf("no currency %s", catalog.Currency))
	}
	err := c.Write(ctx, "res.company", []int64{company}, map[string]any{"currency_id": ids[0]})
	if err == nil {
		stale, err := c.Search(ctx, "product.pricelist", odoo.Domain{odoo.Cond("currency_id", "!=", ids[0])}, 0)
		if err == nil {
			err = c.Write(ctx, "product.pricelist", stale, map[string]any{"currency_id": ids[0]})
		}
		return fmt.Sprintf("company currency changed from %s to %s, and %d pricelists", old, catalog.Currency, len(stale)), err
	}
	if !odoo.IsKind(err, odoo.UserError) {
		return "", err
	}
	name := "Shopify " + catalog.Currency
	pl, err := c.Search(ctx, "product.pricelist", odoo.Domain{odoo.Cond("name", "=", name)}, 1)
	if err == nil && len(pl) == 0 {
		_, err = c.Create(ctx, "product.pricelist", []map[string]any{{"name": name, "currency_id": ids[0]}})
	}
	spec.Odoo.Pricelist = name
	return fmt.Sprintf("pricelist %q set in the spec: the company's currency %s cannot change", name, old), err
}

// seedTaxes makes a sale tax for each rate and price-included flag the
// store charges, found as the importer finds them.
func seedTaxes(ctx context.Context, c *odoo.Client, _ *v1.ShopifyInstanceSpec) (string, error) {
	var keys []odoo.TaxKey
	for _, t := range catalog.Taxes {
		rate, _ := strconv.ParseFloat(t.Rate, 64)
		keys = append(keys, odoo.TaxKey{Rate: rate, Included: t.Included})
	}
	have, err := c.Taxes(ctx, keys)
	if err != nil {
		return "", err
	}
	var made []string
	var vals []map[string]any
	for i, t := range catalog.Taxes {
		if _, ok := have[keys[i]]; !ok {
			name := t.Name
			if t.Included {
				name += " incl."
			}
			made = append(made, name)
			vals = append(vals, taxVals(c.Adapter(), name, keys[i].Rate, t.Included))
		}
	}
	if len(vals) > 0 {
		_, err = c.Create(ctx, "account.tax", vals)
	}
	return found(len(have), made), err
}

// seedJournals makes the journals the workflows and payouts name, as bank
// journals.
func seedJournals(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	var names []string
	for _, w := range spec.Orders.Workflows {
		if w.Journal != "" && !slices.Contains(names, w.Journal) {
			names = append(names, w.Journal)
		}
	}
	if j := spec.Payouts.Journal; j != "" && !slices.Contains(names, j) {
		names = append(names, j)
	}
	var rows []struct {
		Name odoo.Text `json:"name"`
	}
	if err := c.SearchRead(ctx, "account.journal", odoo.Domain{odoo.In("name", names)}, []string{"name"}, 0, "id", &rows); err != nil {
		return "", err
	}
	have := map[string]bool{}
	for _, r := range rows {
		have[string(r.Name)] = true
	}
	var made []string
	var vals []map[string]any
	for i, n := range names {
		if !have[n] {
			made = append(made, n)
			vals = append(vals, map[string]any{"name": n, "type": "bank", "code": fmt.Sprintf("SHP%d", i+1)})
		}
	}
	var err error
	if len(vals) > 0 {
		_, err = c.Create(ctx, "account.journal", vals)
	}
	return found(len(names)-len(made), made), err
}

// seedAccounts makes the fee and reserve accounts of the payouts.
func seedAccounts(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	want := map[string][2]string{} // code: name, type
	if a := spec.Payouts.FeeAccount; a != "" {
		want[a] = [2]string{"Shopify fees", "expense"}
	}
	if a := spec.Payouts.ReserveAccount; a != "" {
		want[a] = [2]string{"Shopify reserve", "asset_current"}
	}
	if len(want) == 0 {
		return "none named", nil
	}
	codes := slices.Sorted(maps.Keys(want))
	refs, err := c.Resolve(ctx, odoo.Names{Accounts: codes})
	if u := (*odoo.Unresolved)(nil); err != nil && !errors.As(err, &u) {
		return "", err
	}
	have := refs.Accounts
	var made []string
	var vals []map[string]any
	for _, code := range codes {
		if have[code] == 0 {
			made = append(made, code)
			vals = append(vals, map[string]any{"code": code, "name": want[code][0], "account_type": want[code][1]})
		}
	}
	if len(vals) > 0 {
		_, err = c.Create(ctx, "account.account", vals)
	}
	return found(len(codes)-len(made), made), err
}

// seedGuest makes the contact of orders without a customer.
func seedGuest(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	name := spec.Orders.Customers.GuestCustomer
	if name == "" {
		return "none named", nil
	}
	ids, err := c.Search(ctx, "res.partner", odoo.Domain{odoo.Cond("name", "=", name)}, 1)
	if err != nil || len(ids) > 0 {
		return found(len(ids), nil), err
	}
	_, err = c.Create(ctx, "res.partner", []map[string]any{{"name": name}})
	return found(0, []string{name}), err
}

// seedServices makes the service products the spec names by code.
func seedServices(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	o := spec.Orders
	named := map[string]string{}
	for code, name := range map[string]string{o.ShippingProduct: "Shipping", o.DiscountProduct: "Discount", o.GiftCardProduct: "Gift card",
		o.TipProduct: "Tip", o.RoundingProduct: "Rounding", o.RefundAdjustmentProduct: "Refund adjustment"} {
		if code != "" {
			named[code] = name
		}
	}
	var vals []map[string]any
	for _, code := range slices.Sorted(maps.Keys(named)) {
		v := c.Adapter().ProductTypeVals("Service")
		v["name"], v["default_code"] = named[code], code
		vals = append(vals, v)
	}
	return createProducts(ctx, c, vals)
}

// seedCatalogue makes a stock-tracked product for each variant the store
// sells, with its SKU and barcode.
func seedCatalogue(ctx context.Context, c *odoo.Client, _ *v1.ShopifyInstanceSpec) (string, error) {
	var vals []map[string]any
	for _, p := range catalog.Products() {
		for _, v := range p.Variants {
			price, _ := strconv.ParseFloat(v.Price, 64)
			pv := c.Adapter().StorableProductVals()
			pv["name"] = p.Title + " (" + strings.Join(v.Options, ", ") + ")"
			pv["default_code"], pv["barcode"], pv["list_price"], pv["weight"] = v.SKU, v.Barcode, price, float64(v.WeightGrams)/1000
			vals = append(vals, pv)
		}
	}
	return createProducts(ctx, c, vals)
}

// createProducts creates the products whose default code Odoo lacks,
// invoiced on order and without default taxes: the orders carry theirs.
func createProducts(ctx context.Context, c *odoo.Client, vals []map[string]any) (string, error) {
	var codes []string
	for _, v := range vals {
		codes = append(codes, v["default_code"].(string))
	}
	have, err := c.ProductsByCode(ctx, codes)
	if err != nil {
		return "", err
	}
	var made []string
	var missing []map[string]any
	for _, v := range vals {
		if _, ok := have[v["default_code"].(string)]; !ok {
			v["invoice_policy"], v["taxes_id"] = "order", []any{[]any{6, 0, []int64{}}}
			made = append(made, v["default_code"].(string))
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		_, err = c.Create(ctx, "product.product", missing)
	}
	if len(made) > 10 {
		return fmt.Sprintf("%d found, %d created: %s ...", len(have), len(made), strings.Join(made[:3], ", ")), err
	}
	return found(len(have), made), err
}

// seedStock puts Stock units of each catalogue product without stock in
// the warehouse's stock location, as an inventory adjustment applied at
// once (inventory_quantity_auto_apply in inventory mode, one call); where
// the server has no such field, a quant is created with its quantity.
func seedStock(ctx context.Context, c *odoo.Client, spec *v1.ShopifyInstanceSpec) (string, error) {
	domain := odoo.Domain{}
	if spec.Odoo.Warehouse != "" {
		domain = odoo.Domain{odoo.Cond("code", "=", spec.Odoo.Warehouse)}
	}
	var wh []struct {
		Stock odoo.Many2One `json:"lot_stock_id"`
	}
	if err := c.SearchRead(ctx, "stock.warehouse", domain, []string{"lot_stock_id"}, 1, "id", &wh); err != nil || len(wh) == 0 {
		return "", errors.Join(err, fmt.Errorf("no warehouse %q", spec.Odoo.Warehouse))
	}
	var codes []string
	for _, v := range catalog.Variants() {
		codes = append(codes, v.SKU)
	}
	products, err := c.ProductsByCode(ctx, codes)
	if err != nil {
		return "", err
	}
	var ids []int64
	for _, p := range products {
		ids = append(ids, p.ID)
	}
	var quants []struct {
		Product  odoo.Many2One `json:"product_id"`
		Quantity float64       `json:"quantity"`
	}
	if err := c.SearchRead(ctx, "stock.quant", odoo.Domain{odoo.In("product_id", ids), odoo.Cond("location_id", "child_of", wh[0].Stock.ID)},
		[]string{"product_id", "quantity"}, 0, "id", &quants); err != nil {
		return "", err
	}
	onHand := map[int64]float64{}
	for _, q := range quants {
		onHand[q.Product.ID] += q.Quantity
	}
	var empty []int64
	for _, id := range ids {
		if onHand[id] <= 0 {
			empty = append(empty, id)
		}
	}
	slices.Sort(empty)
	if len(empty) == 0 {
		return fmt.Sprintf("%d products in stock", len(ids)), nil
	}
	vals := make([]map[string]any, len(empty))
	for i, id := range empty {
		vals[i] = map[string]any{"product_id": id, "location_id": wh[0].Stock.ID, "inventory_quantity_auto_apply": Stock}
	}
	how := "inventory adjustment"
	err = c.Call(ctx, "stock.quant", "create", []any{vals}, map[string]any{"context": map[string]any{"inventory_mode": true}}, nil)
	if odoo.IsKind(err, odoo.InvalidRequest) {
		how = "quants created with their quantity: no inventory_quantity_auto_apply (" + err.Error() + ")"
		for _, v := range vals {
			delete(v, "inventory_quantity_auto_apply")
			v["quantity"] = float64(Stock)
		}
		_, err = c.Create(ctx, "stock.quant", vals)
	}
	return fmt.Sprintf("%d products in stock, %d given %d units by %s", len(ids)-len(empty), len(empty), Stock, how), err
}

// taxVals are the vals of a sale percent tax of rate% with the price
// including it or not, on the adapter's version.
func taxVals(a *odoo.Adapter, name string, rate float64, included bool) map[string]any {
	v := map[string]any{"name": name, "amount": rate, "amount_type": "percent", "type_tax_use": "sale"}
	if a.TaxIncludeField == "price_include" {
		v["price_include"] = included
	} else if included {
		v["price_include_override"] = "tax_included"
	} else {
		v["price_include_override"] = "tax_excluded"
	}
	return v
}
