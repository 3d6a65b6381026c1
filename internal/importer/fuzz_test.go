package importer

import (
	"encoding/json"
	"testing"

	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// FuzzPlanOrder feeds orders as Shopify's JSON could carry them, seeded with
// every kind the simulator generates. A plan is either refused with an error
// or one Odoo can take: every line names a product and has a positive
// quantity, and only discounts and rounding go below zero.
func FuzzPlanOrder(f *testing.F) {
	for _, orders := range generatedOrders(f, 1) {
		b, err := json.Marshal(orders[0])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var o shopify.Order
		if json.Unmarshal(data, &o) != nil {
			return
		}
		p, err := PlanOrder(settings(), &o)
		if err != nil || p.Cancelled {
			return
		}
		if p.Key != keys.Order(settings().Shop, o.LegacyResourceID) {
			t.Fatalf("key %q", p.Key)
		}
		for _, l := range p.Lines {
			if l.SKU == "" || l.Quantity <= 0 || l.PriceUnit.Sign() < 0 && l.Role != RoleDiscount && l.Role != RoleRounding {
				t.Fatalf("line %+v of a plan from %s", l, data)
			}
		}
	})
}
