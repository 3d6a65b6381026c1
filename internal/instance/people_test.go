package instance

import (
	"testing"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/test/odoosim"
)

// The reviewer, the onFailure user and record are named records: a wrong
// one stalls the instance before any order, naming each.
func TestCheckOdooNamesPeople(t *testing.T) {
	sim := odoosim.New(odoosim.Options{Version: 18, Database: "demo", Login: "admin", APIKey: "key", Catalog: true})
	sim.Start()
	t.Cleanup(sim.Close)
	s := spec()
	s.Orders.Risk.Reviewer = "admin"
	s.Orders.OnFailure = &v1.FailureSpec{ActivityUser: "admin", Record: &v1.OdooRecord{Model: "account.journal", Name: "Bank"}}
	if _, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s); p != nil {
		t.Errorf("existing logins and journal: %+v", p)
	}
	s.Orders.Risk.Reviewer = "jdoe"
	s.Orders.OnFailure = &v1.FailureSpec{ActivityUser: "ops", Record: &v1.OdooRecord{Model: "res.partner", Name: "Nobody"}}
	_, p := CheckOdoo(ctx(t), odooClient(t, sim.URL(), "key"), s)
	if want := `not found in Odoo: user with login "jdoe", user with login "ops", res.partner "Nobody"`; p == nil ||
		p.Reason != ReasonNotFound || !p.Stalled || p.Message != want {
		t.Errorf("wrong logins and record: %+v, want %q", p, want)
	}
}
