package odoo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/odoosim"
)

// A spec's records are looked up in its company only: one that exists only
// in the other company of the database is not found, and the orders made
// afterwards are the company's.
func TestResolveWithinTheCompany(t *testing.T) {
	for _, proto := range []string{odoo.ProtocolJSONRPC, odoo.ProtocolJSON2} {
		t.Run(proto, func(t *testing.T) {
			sim := odoosim.New(odoosim.Options{Version: 19, Database: "shop", Login: "admin", Password: "admin", APIKey: apiKey,
				SecondCompany: odoosim.SecondCompanyName})
			sim.Start()
			t.Cleanup(sim.Close)
			ctx := context.Background()

			c := connect(t, sim, proto)
			_, err := c.Resolve(ctx, odoo.Names{Warehouse: "WH2", Journals: []string{"Shopify Payments"}})
			var u *odoo.Unresolved
			if !errors.As(err, &u) || fmt.Sprint(u.Missing) != `[warehouse "WH2"]` {
				t.Fatalf("the second company's warehouse from the default company: %v", err)
			}
			if c.Company() != 1 {
				t.Errorf("company without a name: %d, want the user's default, 1", c.Company())
			}

			c = connect(t, sim, proto)
			_, err = c.Resolve(ctx, odoo.Names{Company: "No Such Company"})
			if !errors.As(err, &u) || fmt.Sprint(u.Missing) != `[company "No Such Company" (or the API user is not allowed in it)]` {
				t.Fatalf("unknown company: %v", err)
			}

			must(c.Create(ctx, "res.company", []map[string]any{{"name": "Company C"}}))
			_, err = c.Resolve(ctx, odoo.Names{Company: "Company C"})
			if !errors.As(err, &u) || fmt.Sprint(u.Missing) != `[company "Company C" (the API user is not allowed in it)]` {
				t.Fatalf("a company the user is not allowed in: %v", err)
			}

			c = connect(t, sim, proto)
			refs, err := c.Resolve(ctx, odoo.Names{Company: odoosim.SecondCompanyName, Warehouse: "WH2", Journals: []string{"Shopify Payments"}})
			if err != nil {
				t.Fatal(err)
			}
			if refs.Company != 2 || c.Company() != 2 || refs.Journals["Shopify Payments"] == 0 {
				t.Fatalf("second company's refs: %+v", refs)
			}
			var journals []struct {
				Company odoo.Many2One `json:"company_id"`
			}
			check(t, c.Read(ctx, "account.journal", []int64{refs.Journals["Shopify Payments"]}, []string{"company_id"}, &journals))
			if journals[0].Company.ID != 2 {
				t.Errorf("journal %q is company %d's, want the second company's", "Shopify Payments", journals[0].Company.ID)
			}
			partner := must(c.Create(ctx, "res.partner", []map[string]any{{"name": "Shared customer"}}))[0]
			ids := must(c.CreateOrders(ctx, []odoo.NewOrder{{PartnerID: partner, ClientRef: "#1"}}))
			var orders []struct {
				Company   odoo.Many2One `json:"company_id"`
				Warehouse odoo.Many2One `json:"warehouse_id"`
			}
			check(t, c.Read(ctx, "sale.order", ids, []string{"company_id", "warehouse_id"}, &orders))
			if orders[0].Company.ID != 2 || orders[0].Warehouse.ID != refs.Warehouse {
				t.Errorf("order: company %d, warehouse %d; want 2 and %d", orders[0].Company.ID, orders[0].Warehouse.ID, refs.Warehouse)
			}
		})
	}
}
