package odoosim

import (
	"fmt"
	"strings"
	"testing"
)

// refusal is the name and message of the error err is, if any.
func refusal(res any, err error) (any, string, string) {
	if err == nil {
		return res, "", ""
	}
	oe := asOdooError(err)
	return nil, oe.name, oe.msg
}

// What Odoo refuses of activities, tags and chatter messages, as the
// activities recordings show it per version.
func TestMailRefusals(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v, Database: "db", Login: "admin", APIKey: "key"})
			rpc := func(model, method string, args []any, kw map[string]any) (any, string, string) {
				return refusal(call(t, s, model, method, args, kw))
			}
			id := func(res any) any { return res.([]any)[0] }
			partner, _, _ := rpc("res.partner", "create", []any{[]any{map[string]any{"name": "Risk"}}}, nil)
			so, _, _ := rpc("sale.order", "create", []any{[]any{map[string]any{"partner_id": id(partner)}}}, nil)
			irModel, _, _ := rpc("ir.model", "search", []any{[]any{[]any{"model", "=", "sale.order"}}}, nil)
			activity := func(vals map[string]any) (any, string, string) {
				base := map[string]any{"res_id": id(so), "activity_type_id": 4, "summary": "s", "date_deadline": "2026-12-10"}
				for k, x := range vals {
					base[k] = x
				}
				return rpc("mail.activity", "create", []any{[]any{base}}, nil)
			}
			missing := map[bool]string{true: "odoo.exceptions.AccessError", false: "odoo.exceptions.MissingError"}[v >= 19]
			for _, c := range []struct {
				what, name, msg string
				run             func() (any, string, string)
			}{
				{"a second tag of the same name", "odoo.exceptions.ValidationError", "Tag name already exists!", func() (any, string, string) {
					rpc("crm.tag", "create", []any{[]any{map[string]any{"name": "Shopify: risky"}}}, nil)
					return rpc("crm.tag", "create", []any{[]any{map[string]any{"name": "Shopify: risky"}}}, nil)
				}},
				{"an activity named by res_model only", "odoo.exceptions.ValidationError",
					map[bool]string{true: "not null res_id", false: "Document Model (res_model_id)"}[v >= 19],
					func() (any, string, string) { return activity(map[string]any{"res_model": "sale.order"}) }},
				{"an activity on no record", missing, "", func() (any, string, string) {
					return activity(map[string]any{"res_model_id": id(irModel), "res_id": 99999})
				}},
				{"a private method", "odoo.exceptions.AccessError", "cannot be called remotely", func() (any, string, string) {
					a, _, _ := activity(map[string]any{"res_model_id": id(irModel)})
					return rpc("mail.activity", "_action_done", []any{a}, nil)
				}},
				{"message_post on two records", "builtins.ValueError", "Expected singleton", func() (any, string, string) {
					return rpc("sale.order", "message_post", []any{[]any{id(so), id(so)}}, map[string]any{"body": "x"})
				}},
				{"a message on no record", "odoo.exceptions.MissingError", "", func() (any, string, string) {
					return rpc("mail.message", "create", []any{[]any{map[string]any{"model": "sale.order", "res_id": 99999, "body": "x"}}}, nil)
				}},
			} {
				if _, name, msg := c.run(); name != c.name || !strings.Contains(msg, c.msg) {
					t.Errorf("%s: %s %q, want %s %q", c.what, name, msg, c.name, c.msg)
				}
			}
			a, _, _ := activity(map[string]any{"res_model_id": id(irModel)})
			rpc("mail.activity", "action_feedback", []any{a}, map[string]any{"feedback": "done"})
			_, again, _ := rpc("mail.activity", "action_feedback", []any{a}, map[string]any{"feedback": "again"})
			if open, _, _ := rpc("mail.activity", "search", []any{[]any{[]any{"id", "in", a}}}, nil); len(open.([]any)) != 0 || (again == "") != (v >= 19) {
				t.Errorf("a done activity: still found %v; marked done again: %q (deleted on 17/18, archived on 19)", open, again)
			}
		})
	}
}
