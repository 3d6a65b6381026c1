// Package catalog is the product range both simulators are seeded with, so that
// the SKUs of the simulated Shopify store exist in the simulated Odoo.
package catalog

import (
	"fmt"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// Variant is one sellable item. Price is a decimal string in the shop currency.
type Variant struct {
	SKU         string
	Barcode     string
	Options     []string // values, in the order of Product.Options
	Price       string
	WeightGrams int
}

// Product is one product template with its variants.
type Product struct {
	Handle          string
	Title           string
	Vendor          string
	Type            string
	Description     string
	Options         []string // option names, e.g. "Size", "Colour"
	HSCode          string
	CountryOfOrigin string
	Variants        []Variant
}

// Tax is a sales tax the store charges and the Odoo company has.
type Tax struct {
	Name     string
	Rate     string // percent, e.g. "20"
	Included bool   // price includes the tax
}

// Currency is the shop's and the Odoo company's currency.
const Currency = "EUR"

// Taxes are the rates the simulated store applies; Odoo has one tax per entry.
var Taxes = []Tax{
	{Name: "VAT 20%", Rate: "20", Included: true},
	{Name: "VAT 20%", Rate: "20", Included: false},
	{Name: "VAT 10%", Rate: "10", Included: false},
	{Name: "VAT 5.5%", Rate: "5.5", Included: false},
	{Name: "State Tax 6.25%", Rate: "6.25", Included: false},
	{Name: "County Tax 1.5%", Rate: "1.5", Included: false},
}

// GuestCustomer is the Odoo contact of orders without a customer.
const GuestCustomer = "Shopify POS Guest"

// Service products the connector maps Shopify's non-product lines to.
const (
	ShippingSKU = "SHIP"
	DiscountSKU = "DISCOUNT"
	GiftCardSKU = "GIFTCARD"
	TipSKU      = "TIP"
	RoundingSKU = "ROUNDING"
)

var (
	families = []struct {
		name, typ, vendor, hs, origin string
		base                          int // price in cents
		grams                         int
	}{
		{"Merino Crew Sweater", "Knitwear", "Northwool", "611011", "PT", 8900, 450},
		{"Linen Shirt", "Shirts", "Atelier Lin", "620520", "FR", 6900, 250},
		{"Canvas Tote", "Bags", "Harbour Goods", "420222", "IN", 2490, 300},
		{"Trail Running Shoe", "Footwear", "Ridgeline", "640411", "VN", 12900, 700},
		{"Ceramic Mug", "Homeware", "Kiln & Co", "691200", "PT", 1850, 380},
		{"Organic Cotton Tee", "T-Shirts", "Northwool", "610910", "TR", 2900, 180},
		{"Wool Beanie", "Accessories", "Northwool", "650500", "IE", 3200, 90},
		{"Leather Wallet", "Accessories", "Harbour Goods", "420231", "IT", 5900, 120},
		{"Rain Jacket", "Outerwear", "Ridgeline", "620193", "CN", 15900, 600},
		{"Chino Trousers", "Trousers", "Atelier Lin", "620342", "BD", 7900, 500},
		{"Hiking Socks", "Socks", "Ridgeline", "611595", "IT", 1590, 80},
		{"Espresso Cups Set", "Homeware", "Kiln & Co", "691200", "PT", 3990, 900},
	}
	sizes   = []string{"S", "M", "L", "XL"}
	colours = []string{"Navy", "Sand", "Forest", "Charcoal"}
)

// Products returns the catalogue: 12 products, each in 4 sizes x up to 4
// colours, 120 variants in all. The result is the same on every call.
func Products() []Product {
	out := make([]Product, 0, len(families))
	for i, f := range families {
		p := Product{
			Handle:          fmt.Sprintf("p%02d", i+1),
			Title:           f.name,
			Vendor:          f.vendor,
			Type:            f.typ,
			Description:     "<p>" + f.name + " by " + f.vendor + ".</p>",
			HSCode:          f.hs,
			CountryOfOrigin: f.origin,
		}
		ncol := 1 + i%4
		if ncol == 1 {
			p.Options = []string{"Size"}
		} else {
			p.Options = []string{"Size", "Colour"}
		}
		for s, size := range sizes {
			for c := 0; c < ncol; c++ {
				v := Variant{
					SKU:         fmt.Sprintf("SKU-%02d-%s", i+1, size),
					Barcode:     ean13(fmt.Sprintf("400%03d0000%d%d", i+1, s, c)),
					Options:     []string{size},
					Price:       cents(f.base + 100*s),
					WeightGrams: f.grams + 20*s,
				}
				if ncol > 1 {
					v.SKU += "-" + colours[c][:3]
					v.Options = append(v.Options, colours[c])
				}
				p.Variants = append(p.Variants, v)
			}
		}
		out = append(out, p)
	}
	return out
}

// Large returns n more templates of 16 variants each (4 sizes x 4 colours),
// for tests and benchmarks of large catalogues. Their SKUs start with "L".
func Large(n int) []Product {
	out := make([]Product, n)
	for i := range out {
		f := families[i%len(families)]
		p := Product{Handle: fmt.Sprintf("l%05d", i+1), Title: fmt.Sprintf("%s %d", f.name, i+1), Vendor: f.vendor, Type: f.typ,
			Description: f.name, HSCode: f.hs, CountryOfOrigin: f.origin, Options: []string{"Size", "Colour"}}
		for s, size := range sizes {
			for c, colour := range colours {
				p.Variants = append(p.Variants, Variant{SKU: fmt.Sprintf("L%05d-%s-%s", i+1, size, colour[:3]),
					Barcode: ean13(fmt.Sprintf("41%05d%d%d00", i+1, s, c)), Options: []string{size, colour},
					Price: cents(f.base + 100*s), WeightGrams: f.grams})
			}
		}
		out[i] = p
	}
	return out
}

// Variants returns every variant of the catalogue, in catalogue order.
func Variants() []Variant {
	var vs []Variant
	for _, p := range Products() {
		vs = append(vs, p.Variants...)
	}
	return vs
}

func cents(c int) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// ean13 completes 12 digits with their EAN-13 check digit.
func ean13(d12 string) string {
	sum := 0
	for i, r := range d12 {
		n := int(r - '0')
		if i%2 == 1 {
			n *= 3
		}
		sum += n
	}
	return d12 + fmt.Sprint((10-sum%10)%10)
}

// Orders is an order import spec that fits the catalogue and the simulated
// Odoo: its service products, guest contact and journals; point of sale
// orders imported like the others; cash sales and card sales paid in full,
// anything else confirmed.
func Orders() v1.OrdersSpec {
	return v1.OrdersSpec{
		NamePrefix:      "SHOP-",
		ShippingProduct: ShippingSKU, DiscountProduct: DiscountSKU, GiftCardProduct: GiftCardSKU, TipProduct: TipSKU,
		RoundingProduct: RoundingSKU, RoundingLimit: "0.05",
		Customers: v1.CustomersSpec{GuestCustomer: GuestCustomer},
		POS:       v1.POSSpec{Enabled: true},
		Workflows: []v1.Workflow{
			{FinancialStatus: "paid", Gateway: "cash", Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true, Journal: "Cash"},
			{FinancialStatus: "paid", Confirm: true, CreateInvoice: true, PostInvoice: true, RegisterPayment: true, Journal: "Shopify Payments"},
			{FinancialStatus: "authorized", Confirm: true},
			{FinancialStatus: "any", Confirm: true},
		},
	}
}
