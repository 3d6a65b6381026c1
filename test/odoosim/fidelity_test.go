package odoosim

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// must is call that fails the test on an error.
func must(t *testing.T, s *Sim, model, method string, args []any, kw map[string]any) any {
	t.Helper()
	res, err := call(t, s, model, method, args, kw)
	if err != nil {
		t.Fatalf("%s.%s: %v", model, method, err)
	}
	return res
}

func errMsg(err error) string {
	var oe *odooError
	if errors.As(err, &oe) {
		return oe.msg
	}
	return ""
}

// deliveryTo confirms an order of qty units of a new good for a new
// customer with vals, and returns its delivery.
func deliveryTo(t *testing.T, s *Sim, partner map[string]any, qty float64) int64 {
	t.Helper()
	pid := must(t, s, "res.partner", "create", []any{partner}, nil)
	prod := must(t, s, "product.product", "create", []any{map[string]any{"name": "Mug", "type": "consu", "list_price": 10.0}}, nil)
	so := must(t, s, "sale.order", "create", []any{map[string]any{"partner_id": pid,
		"order_line": []any{[]any{0, 0, map[string]any{"product_id": prod, "product_uom_qty": qty}}}}}, nil)
	must(t, s, "sale.order", "action_confirm", []any{[]any{so}}, nil)
	picks := must(t, s, "sale.order", "read", []any{[]any{so}, []any{"picking_ids"}}, nil).([]any)[0].(map[string]any)["picking_ids"].([]any)
	return int64(picks[0].(float64))
}

func pickingState(t *testing.T, s *Sim, id int64) string {
	t.Helper()
	return must(t, s, "stock.picking", "read", []any{[]any{id}, []any{"state"}}, nil).([]any)[0].(map[string]any)["state"].(string)
}

func TestStockSMSWizardStopsValidation(t *testing.T) {
	phone := map[string]any{"name": "Ann", "phone": "+33 6 12 34 56 78"}
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v})
			pick := deliveryTo(t, s, phone, 2)
			res := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil)
			a, ok := res.(map[string]any)
			if !ok || a["res_model"] != "confirm.stock.sms" || a["name"] != "SMS" || a["target"] != "new" || a["res_id"] == nil || a["views"] == nil {
				t.Fatalf("want the confirm.stock.sms wizard, got %v", res)
			}
			// a client that ignores the answer has validated nothing
			if st := pickingState(t, s, pick); st != "assigned" {
				t.Fatalf("picking %s before the wizard is answered", st)
			}
			ctx := a["context"].(map[string]any)
			if ids, _ := toIDs(ctx["button_validate_picking_ids"]); !slices.Equal(ids, []int64{pick}) {
				t.Errorf("context %v", ctx)
			}
			// the wizard's answer without the action's context validates nothing either
			if res := must(t, s, "confirm.stock.sms", "send_sms", []any{[]any{a["res_id"]}}, nil); res != true || pickingState(t, s, pick) != "assigned" {
				t.Fatalf("send_sms without context: %v, %s", res, pickingState(t, s, pick))
			}
			if res := must(t, s, "confirm.stock.sms", "send_sms", []any{[]any{a["res_id"]}}, map[string]any{"context": ctx}); res != true || pickingState(t, s, pick) != "done" {
				t.Fatalf("send_sms: %v, %s", res, pickingState(t, s, pick))
			}
			// the company has answered: no more question
			if res := must(t, s, "stock.picking", "button_validate", []any{[]any{deliveryTo(t, s, phone, 1)}}, nil); res != true {
				t.Errorf("second delivery: %v", res)
			}

			s = New(Options{Version: v})
			pick = deliveryTo(t, s, phone, 1)
			if res := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, map[string]any{"context": map[string]any{"skip_sms": true}}); res != true || pickingState(t, s, pick) != "done" {
				t.Errorf("skip_sms: %v, %s", res, pickingState(t, s, pick))
			}
			pick = deliveryTo(t, s, phone, 1)
			a = must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil).(map[string]any)
			must(t, s, "confirm.stock.sms", "dont_send_sms", []any{[]any{a["res_id"]}}, map[string]any{"context": a["context"]})
			flag := "stock_move_sms_validation"
			if v >= 19 {
				flag = "stock_text_confirmation"
			}
			c, _ := s.SearchRead("res.company", nil, flag, "has_received_warning_stock_sms")
			if pickingState(t, s, pick) != "done" || c[0][flag] != false || c[0]["has_received_warning_stock_sms"] != true {
				t.Errorf("dont_send_sms: %s, company %v", pickingState(t, s, pick), c)
			}

			// no phone (as the recorded deliveries), or no stock_sms: validated
			s = New(Options{Version: v})
			pick = deliveryTo(t, s, map[string]any{"name": "Bob", "email": "bob@example.com"}, 1)
			if res := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil); res != true {
				t.Errorf("no phone: %v", res)
			}
			s = New(Options{Version: v, Modules: map[string]bool{"stock_sms": false}})
			pick = deliveryTo(t, s, phone, 1)
			if res := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil); res != true {
				t.Errorf("without stock_sms: %v", res)
			}
			if _, err := call(t, s, "confirm.stock.sms", "search", []any{[]any{}}, nil); errMsg(err) != "Object confirm.stock.sms doesn't exist" {
				t.Errorf("confirm.stock.sms without stock_sms: %v", err)
			}
			// 19 has no mobile; before, a mobile alone is a phone to text
			s = New(Options{Version: v})
			_, err := call(t, s, "res.partner", "create", []any{map[string]any{"name": "Cy", "mobile": "+33 6 00 00 00 00"}}, nil)
			if v >= 19 {
				if errMsg(err) != "Invalid field 'mobile' on model 'res.partner'" {
					t.Errorf("mobile on 19: %v", err)
				}
				return
			}
			pick = deliveryTo(t, s, map[string]any{"name": "Cy", "mobile": "+33 6 00 00 00 00"}, 1)
			if a, _ := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil).(map[string]any); a["res_model"] != "confirm.stock.sms" {
				t.Errorf("mobile only: %v", a)
			}
		})
	}
}

func TestBackorderWizard(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			for _, cancel := range []bool{false, true} {
				s := New(Options{Version: v, Modules: map[string]bool{"stock_sms": false}})
				pick := deliveryTo(t, s, map[string]any{"name": "Ann"}, 3)
				moves := must(t, s, "stock.picking", "read", []any{[]any{pick}, []any{"move_ids"}}, nil).([]any)[0].(map[string]any)["move_ids"]
				must(t, s, "stock.move", "write", []any{moves, map[string]any{"quantity": 1.0, "picked": true}}, nil)
				a := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil).(map[string]any)
				ctx := a["context"].(map[string]any)
				if a["res_model"] != "stock.backorder.confirmation" || a["res_id"] != nil || a["name"] != "Create Backorder?" ||
					fmt.Sprint(ctx["default_pick_ids"]) != fmt.Sprintf("[[4 %d]]", pick) || ctx["default_show_transfers"] != false {
					t.Fatalf("want the backorder wizard, got %v", a)
				}
				if pickingState(t, s, pick) == "done" {
					t.Fatal("validated before the wizard is answered")
				}
				wid := must(t, s, "stock.backorder.confirmation", "create", []any{map[string]any{}}, map[string]any{"context": ctx})
				w, _ := s.SearchRead("stock.backorder.confirmation", []any{[]any{"id", "=", wid}}, "pick_ids", "backorder_confirmation_line_ids")
				if len(w[0]["backorder_confirmation_line_ids"].([]any)) != 1 {
					t.Fatalf("wizard %v", w)
				}
				method := "process"
				if cancel {
					method = "process_cancel_backorder"
				}
				if res := must(t, s, "stock.backorder.confirmation", method, []any{[]any{wid}}, nil); res != true || pickingState(t, s, pick) == "done" {
					t.Fatalf("%s without the context validated: %v", method, res)
				}
				if res := must(t, s, "stock.backorder.confirmation", method, []any{[]any{wid}}, map[string]any{"context": ctx}); res != true || pickingState(t, s, pick) != "done" {
					t.Fatalf("%s: %v", method, res)
				}
				bo, _ := s.SearchRead("stock.picking", []any{[]any{"backorder_id", "=", pick}}, "state")
				if len(bo) != map[bool]int{false: 1, true: 0}[cancel] {
					t.Errorf("%s: backorders %v", method, bo)
				}
			}
			// then stock_sms asks, with the context that skips the backorder question
			s := New(Options{Version: v})
			pick := deliveryTo(t, s, map[string]any{"name": "Ann", "phone": "+1 555 0100"}, 3)
			moves := must(t, s, "stock.picking", "read", []any{[]any{pick}, []any{"move_ids"}}, nil).([]any)[0].(map[string]any)["move_ids"]
			must(t, s, "stock.move", "write", []any{moves, map[string]any{"quantity": 1.0, "picked": true}}, nil)
			a := must(t, s, "stock.picking", "button_validate", []any{[]any{pick}}, nil).(map[string]any)
			wid := must(t, s, "stock.backorder.confirmation", "create", []any{map[string]any{}}, map[string]any{"context": a["context"]})
			sms, _ := must(t, s, "stock.backorder.confirmation", "process", []any{[]any{wid}}, map[string]any{"context": a["context"]}).(map[string]any)
			if sms["res_model"] != "confirm.stock.sms" || sms["context"].(map[string]any)["skip_backorder"] != true || pickingState(t, s, pick) == "done" {
				t.Fatalf("want the SMS wizard after the backorder one: %v", sms)
			}
			must(t, s, "confirm.stock.sms", "send_sms", []any{[]any{sms["res_id"]}}, map[string]any{"context": sms["context"]})
			if pickingState(t, s, pick) != "done" {
				t.Error("not validated after both wizards")
			}
		})
	}
}

// taxOrder makes an order whose amounts differ by rounding method: three
// lines of 1.03 at 15% (tax 0.1545 each) and three of 0.334 untaxed.
func taxOrder(t *testing.T, s *Sim) int64 {
	t.Helper()
	pid := must(t, s, "res.partner", "create", []any{map[string]any{"name": "Tax"}}, nil)
	prod := must(t, s, "product.product", "create", []any{map[string]any{"name": "Svc", "type": "service", "invoice_policy": "order"}}, nil)
	tf := taxField(s.opts.Version)
	var lines []any
	for i := 0; i < 3; i++ {
		lines = append(lines, []any{0, 0, map[string]any{"product_id": prod, "price_unit": 1.03, tf: []any{[]any{6, 0, []any{1}}}}},
			[]any{0, 0, map[string]any{"product_id": prod, "price_unit": 0.334, tf: []any{[]any{6, 0, []any{}}}}})
	}
	return int64(must(t, s, "sale.order", "create", []any{map[string]any{"partner_id": pid, "order_line": lines}}, nil).(float64))
}

func TestTaxRoundingMethod(t *testing.T) {
	amounts := func(t *testing.T, s *Sim, model string, id int64) string {
		t.Helper()
		r := must(t, s, model, "read", []any{[]any{id}, []any{"amount_untaxed", "amount_tax", "amount_total"}}, nil).([]any)[0].(map[string]any)
		return fmt.Sprint(r["amount_untaxed"], " ", r["amount_tax"], " ", r["amount_total"])
	}
	perLine := "4.08 0.45 4.53"
	global := map[int]string{17: "4.08 0.46 4.54", 18: "4.09 0.46 4.55", 19: "4.09 0.46 4.55"} // 17 rounds each line's base
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v})
			c, _ := s.SearchRead("res.company", nil, "tax_calculation_rounding_method")
			want, other, otherWant := perLine, "round_globally", global[v]
			if v >= 19 {
				want, other, otherWant = global[v], "round_per_line", perLine
			}
			if c[0]["tax_calculation_rounding_method"] != map[bool]string{true: "round_globally", false: "round_per_line"}[v >= 19] {
				t.Errorf("new company's method %v", c)
			}
			so := taxOrder(t, s)
			if got := amounts(t, s, "sale.order", so); got != want {
				t.Errorf("order %s, want %s", got, want)
			}
			lines, _ := s.SearchRead("sale.order.line", []any{[]any{"order_id", "=", so}, []any{"price_unit", "=", 1.03}}, "price_subtotal", "price_tax", "price_total")
			if fmt.Sprint(lines[0]["price_subtotal"], lines[0]["price_tax"], lines[0]["price_total"]) != "1.03 0.15 1.18" {
				t.Errorf("line %v", lines[0])
			}
			must(t, s, "res.company", "write", []any{[]any{1}, map[string]any{"tax_calculation_rounding_method": other}}, nil)
			if got := amounts(t, s, "sale.order", so); got != otherWant {
				t.Errorf("order %s after %s, want %s", got, other, otherWant)
			}
			must(t, s, "sale.order", "action_confirm", []any{[]any{so}}, nil)
			ctx := map[string]any{"context": map[string]any{"active_model": "sale.order", "active_ids": []any{so}}}
			w := must(t, s, "sale.advance.payment.inv", "create", []any{map[string]any{}}, ctx)
			inv := must(t, s, "sale.advance.payment.inv", "create_invoices", []any{[]any{w}}, ctx).(map[string]any)["res_id"]
			if got := amounts(t, s, "account.move", int64(inv.(float64))); got != otherWant {
				t.Errorf("invoice %s, want %s", got, otherWant)
			}
		})
	}
}

func TestZeroInvoiceIsPaidOnPosting(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		s := New(Options{Version: v})
		pid := must(t, s, "res.partner", "create", []any{map[string]any{"name": "Free"}}, nil)
		prod := must(t, s, "product.product", "create", []any{map[string]any{"name": "Gift", "type": "service"}}, nil)
		inv := must(t, s, "account.move", "create", []any{map[string]any{"move_type": "out_invoice", "partner_id": pid,
			"invoice_line_ids": []any{[]any{0, 0, map[string]any{"product_id": prod, "quantity": 1.0, "price_unit": 5.0, "discount": 100.0}}}}}, nil)
		state := func() map[string]any {
			return must(t, s, "account.move", "read", []any{[]any{inv}, []any{"payment_state", "amount_total", "amount_residual"}}, nil).([]any)[0].(map[string]any)
		}
		if st := state(); st["payment_state"] != "not_paid" || st["amount_total"] != 0.0 {
			t.Errorf("%d draft: %v", v, st)
		}
		must(t, s, "account.move", "action_post", []any{[]any{inv}}, nil)
		if st := state(); st["payment_state"] != "paid" || st["amount_residual"] != 0.0 {
			t.Errorf("%d posted: %v", v, st)
		}
	}
}

// Real Odoo 17, 18 and 19 refuse a reversal wizard created without a journal,
// even with the invoice in the context: the journal is not computed in time.
func TestReversalNeedsAJournal(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		s := New(Options{Version: v})
		pid := must(t, s, "res.partner", "create", []any{map[string]any{"name": "Reversed"}}, nil)
		inv := must(t, s, "account.move", "create", []any{map[string]any{"move_type": "out_invoice", "partner_id": pid,
			"invoice_line_ids": []any{[]any{0, 0, map[string]any{"name": "Work", "quantity": 1.0, "price_unit": 5.0}}}}}, nil)
		must(t, s, "account.move", "action_post", []any{[]any{inv}}, nil)
		ctx := map[string]any{"context": map[string]any{"active_model": "account.move", "active_ids": []any{inv}}}
		_, err := call(t, s, "account.move.reversal", "create", []any{map[string]any{"reason": "r"}}, ctx)
		if !strings.Contains(errMsg(err), "journal_id") {
			t.Errorf("%d: reversal without a journal: %v, want a missing journal_id", v, err)
		}
	}
}

func TestDeliveryModulesFields(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		s := New(Options{Version: v, Catalog: true})
		invalid := func(model string) string { return fmt.Sprintf("Invalid field 'hs_code' on model '%s'", model) }
		for _, c := range []struct {
			model, method string
			args          []any
			kw            map[string]any
		}{
			{"product.template", "search_read", []any{[]any{}}, map[string]any{"fields": []any{"name", "hs_code"}}},
			{"product.template", "read", []any{[]any{1}, []any{"hs_code"}}, nil},
			{"product.product", "read", []any{[]any{1}, []any{"hs_code"}}, nil},
			{"product.template", "write", []any{[]any{1}, map[string]any{"hs_code": "640411"}}, nil},
			{"product.product", "write", []any{[]any{1}, map[string]any{"hs_code": "640411"}}, nil},
			{"product.template", "create", []any{map[string]any{"name": "X", "hs_code": "640411"}}, nil},
		} {
			_, err := call(t, s, c.model, c.method, c.args, c.kw)
			if errName(err) != "builtins.ValueError" || errMsg(err) != invalid(c.model) {
				t.Errorf("%d %s.%s: %v", v, c.model, c.method, err)
			}
		}
		for model, absent := range map[string][]string{"product.template": {"hs_code", "country_of_origin"},
			"product.product": {"hs_code", "country_of_origin"}, "stock.picking": {"carrier_id", "carrier_tracking_ref", "carrier_tracking_url"}} {
			fields := must(t, s, model, "fields_get", nil, map[string]any{"attributes": []any{"type"}}).(map[string]any)
			for _, f := range absent {
				if _, ok := fields[f]; ok {
					t.Errorf("%d %s.fields_get lists %s", v, model, f)
				}
			}
		}
		if _, err := call(t, s, "delivery.carrier", "search", []any{[]any{}}, nil); errMsg(err) != "Object delivery.carrier doesn't exist" {
			t.Errorf("%d delivery.carrier: %v", v, err)
		}
		mods := must(t, s, "ir.module.module", "search_read", []any{[]any{[]any{"state", "=", "installed"}}}, map[string]any{"fields": []any{"name", "state"}}).([]any)
		var names []string
		for _, m := range mods {
			names = append(names, m.(map[string]any)["name"].(string))
		}
		if !slices.Contains(names, "stock_sms") || !slices.Contains(names, "sale_management") || slices.Contains(names, "delivery") || len(names) != len(DefaultModules(v)) {
			t.Errorf("%d installed modules %v", v, names)
		}

		s = New(Options{Version: v, Catalog: true, Modules: map[string]bool{"delivery": true}})
		tmpl, _ := s.SearchRead("product.template", []any{[]any{"hs_code", "!=", false}}, "hs_code", "country_of_origin")
		if len(tmpl) == 0 {
			t.Errorf("%d with delivery: no product has an HS code", v)
		}
		must(t, s, "delivery.carrier", "create", []any{map[string]any{"name": "Post"}}, nil)
		mods = must(t, s, "ir.module.module", "search_read", []any{[]any{[]any{"name", "in", []any{"delivery", "stock_delivery"}}}}, map[string]any{"fields": []any{"state"}}).([]any)
		if len(mods) != 2 || mods[0].(map[string]any)["state"] != "installed" || mods[1].(map[string]any)["state"] != "installed" {
			t.Errorf("%d delivery modules %v", v, mods)
		}
	}
}

func TestAccessRightChecks(t *testing.T) {
	denied := map[string][]string{"sale.order": {"write"}}
	const msg = "You are not allowed to modify 'Sales Order' (sale.order) records.\n\nNo group currently allows this operation.\n\nContact your administrator to request access if necessary."
	for _, v := range []int{17, 18, 19} {
		s := New(Options{Version: v, Denied: denied})
		allowed := must(t, s, "res.partner", "check_access_rights", []any{"write"}, nil)
		if want := map[bool]any{true: true, false: nil}[v == 17]; allowed != want {
			t.Errorf("%d check_access_rights: %v, want %v", v, allowed, want) // None since 18
		}
		if got := must(t, s, "res.partner", "check_access_rights", []any{"create"}, map[string]any{"raise_exception": false}); got != true {
			t.Errorf("%d check_access_rights no raise: %v", v, got)
		}
		if _, err := call(t, s, "sale.order", "check_access_rights", []any{"write"}, nil); errName(err) != "odoo.exceptions.AccessError" || errMsg(err) != msg {
			t.Errorf("%d denied: %v", v, err)
		}
		if got := must(t, s, "sale.order", "check_access_rights", []any{"write", false}, nil); got != false {
			t.Errorf("%d denied no raise: %v", v, got)
		}
		if _, err := call(t, s, "sale.order", "check_access_rights", []any{"modify"}, nil); errName(err) != "builtins.AssertionError" {
			t.Errorf("%d bad mode: %v", v, err)
		}
		if _, err := call(t, s, "sale.order", "write", []any{[]any{}, map[string]any{"note": "x"}}, nil); errMsg(err) != msg {
			t.Errorf("%d denied write: %v", v, err)
		}
		if _, err := call(t, s, "sale.order", "search", []any{[]any{}}, nil); err != nil {
			t.Errorf("%d read still allowed: %v", v, err)
		}
		has, err := call(t, s, "sale.order", "has_access", []any{[]any{}, "write"}, nil)
		switch {
		case v == 17 && errMsg(err) != "The method 'has_access' does not exist on the model 'sale.order'":
			t.Errorf("17 has_access: %v", err)
		case v >= 18 && (err != nil || has != false):
			t.Errorf("%d has_access: %v %v", v, has, err)
		}
		_, err = call(t, s, "sale.order", "check_access", []any{[]any{}, "read"}, nil)
		switch v {
		case 17:
			if errName(err) != "builtins.AttributeError" {
				t.Errorf("17 check_access: %v", err)
			}
		case 18:
			if err != nil {
				t.Errorf("18 check_access: %v", err)
			}
		case 19:
			if errMsg(err) != "Private methods (such as 'sale.order.check_access') cannot be called remotely." {
				t.Errorf("19 check_access: %v", err)
			}
		}
	}

	// JSON-2
	s := New(Options{Version: 19, Database: "db", APIKey: "k", Denied: denied})
	s.Start()
	defer s.Close()
	h := map[string]string{"Authorization": "bearer k", "X-Odoo-Database": "db", "Content-Type": "application/json"}
	for _, c := range []struct {
		path   string
		body   map[string]any
		status int
		want   string
	}{
		{"/json/2/sale.order/has_access", map[string]any{"operation": "write"}, 200, "false"},
		{"/json/2/res.partner/has_access", map[string]any{"ids": []any{}, "operation": "write"}, 200, "true"},
		{"/json/2/res.partner/check_access_rights", map[string]any{"operation": "write"}, 200, "<nil>"},
		{"/json/2/res.partner/check_access_rights", map[string]any{"ids": []any{1}, "operation": "write"}, 422, "cannot call res.partner.check_access_rights with ids"},
		{"/json/2/res.partner/has_access", map[string]any{}, 422, "missing a required argument: 'operation'"},
		{"/json/2/sale.order/check_access", map[string]any{"operation": "write"}, 403, "Private methods (such as 'sale.order.check_access') cannot be called remotely."},
		{"/json/2/product.template/search_read", map[string]any{"fields": []any{"hs_code"}}, 500, "Invalid field 'hs_code' on model 'product.template'"},
	} {
		status, _, got := post(t, s.URL()+c.path, h, c.body)
		if m, ok := got.(map[string]any); ok {
			got = m["message"]
		}
		if status != c.status || fmt.Sprint(got) != c.want {
			t.Errorf("%s: %d %v, want %d %s", c.path, status, got, c.status, c.want)
		}
	}
	if status, _, _ := post(t, s.URL()+"/json/2/sale.order/write", h, map[string]any{"ids": []any{}, "vals": map[string]any{}}); status != http.StatusForbidden {
		t.Errorf("denied write over JSON-2: %d", status)
	}
}
