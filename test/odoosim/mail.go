package odoosim

import (
	"html"
	"strings"
)

// The chatter and activities of sale (crm.tag on sale.order.tag_ids), mail
// (mail.activity, mail.message, message_post) and base (ir.model), as the
// recordings activities-odoo*.jsonl show them.
func init() {
	schemaSrc["sale.order"] += " | tag_ids m2m crm.tag"
	schemaSrc["crm.tag"] = "name char ! | color integer"
	schemaSrc["ir.model"] = "model char ! | name char"
	schemaSrc["mail.activity.type"] = "name char ! | res_model char | category char"
	schemaSrc["mail.message"] = `model char | res_id integer | body html | message_type sel=comment,notification | subject char |
		author_id m2o res.partner | subtype_id m2o mail.message.subtype`
	schemaSrc["mail.message.subtype"] = "name char ! | internal boolean"
	defaults["mail.message"] = func(t *tx) map[string]any {
		return map[string]any{"author_id": t.val("res.users", t.uid, "partner_id")}
	}
	onCreate["mail.message"] = func(t *tx, r Record, _ map[string]any) error {
		if m := t.model(asString(r["model"])); m != nil && len(t.missing(m, []int64{asInt(r["res_id"])})) > 0 {
			return missingError(m, []int64{asInt(r["res_id"])})
		}
		r["body"] = asHTML(asString(r["body"]), true)
		return nil
	}
	schemaSrc["mail.activity"] = `res_model_id m2o ir.model | res_model char ~ | res_id integer | res_name char ~ |
		activity_type_id m2o mail.activity.type | summary char | note html | date_deadline date | user_id m2o res.users |
		state sel=overdue,today,planned ~ | active boolean`
	defaults["mail.activity"] = func(t *tx) map[string]any {
		d := map[string]any{"active": true, "date_deadline": t.today()}
		if t.db.version < 19 { // 19 leaves an activity without a user unassigned
			d["user_id"] = t.uid
		}
		return d
	}
	onCreate["mail.activity"] = createActivity
	onCreate["crm.tag"] = func(t *tx, r Record, _ map[string]any) error {
		for id, o := range t.model("crm.tag").records {
			if id != r["id"] && o["name"] == r["name"] {
				return validationError("The operation cannot be completed: Tag name already exists!")
			}
		}
		return nil
	}
}

// seedMail adds the models activities name and the To-Do type. The models
// come in the order Odoo installs their modules (base, account, sale), as
// their ids show it.
func seedMail(s seeder) {
	for _, m := range []struct{ model, name string }{{"res.partner", "Contact"}, {"account.journal", "Journal"}, {"sale.order", "Sales Order"}} {
		s.add("ir.model", map[string]any{"model": m.model, "name": m.name})
	}
	for _, n := range []string{"Email", "Call", "Meeting", "To-Do"} {
		s.add("mail.activity.type", map[string]any{"name": n, "category": "default"})
	}
	s.add("ir.model.data", map[string]any{"module": "mail", "name": "mail_activity_data_todo", "model": "mail.activity.type", "res_id": int64(4), "noupdate": true})
	for _, st := range []struct {
		name     string
		internal bool
	}{{"Discussions", false}, {"Note", true}, {"Activities", false}} {
		s.add("mail.message.subtype", map[string]any{"name": st.name, "internal": st.internal})
	}
	s.add("ir.model.data", map[string]any{"module": "mail", "name": "mt_note", "model": "mail.message.subtype", "res_id": int64(2), "noupdate": true})
}

func createActivity(t *tx, r Record, _ map[string]any) error {
	doc := asString(t.val("ir.model", asInt(r["res_model_id"]), "model"))
	if doc == "" {
		if t.db.version >= 19 {
			return validationError("The operation cannot be completed: Activities have to be linked to records with a not null res_id.")
		}
		return validationError("The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n" +
			"- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n" +
			"Model: Activity (mail.activity)\nField: Document Model (res_model_id)\n")
	}
	m, id := t.model(doc), asInt(r["res_id"])
	if m == nil || len(t.missing(m, []int64{id})) > 0 {
		if t.db.version >= 19 {
			return accessError("The requested operation cannot be completed due to security restrictions. Please contact your system administrator.\n\n(Document type: Activity, Operation: create)\n\nRecords: %d, User: 2", asInt(r["id"]))
		}
		return missingError(t.model(doc), []int64{id})
	}
	r["res_model"], r["res_name"] = doc, t.displayName(m, id)
	if note := asString(r["note"]); note != "" {
		r["note"] = asHTML(note, true)
	}
	r["state"] = "planned"
	if d := asString(r["date_deadline"]); d < t.today() {
		r["state"] = "overdue"
	} else if d == t.today() {
		r["state"] = "today"
	}
	return nil
}

// asHTML is a body as Odoo stores it: a paragraph, escaped unless given
// as HTML.
func asHTML(s string, isHTML bool) string {
	if strings.HasPrefix(s, "<") {
		return s
	}
	if !isHTML {
		s = html.EscapeString(s)
	}
	return "<p>" + s + "</p>"
}

func messagePost(t *tx, m *model, ids []int64, a map[string]any) (any, error) {
	if len(ids) != 1 {
		return nil, valueError("Expected singleton: %s%s", m.name, pyTuple(ids))
	}
	if missing := t.missing(m, ids); len(missing) > 0 {
		return nil, missingError(m, missing)
	}
	kind := asString(a["message_type"])
	switch kind {
	case "user_notification":
		return nil, valueError("Use message_notify to send a notification to an user.")
	case "":
		kind = "notification"
	}
	body := asHTML(asString(a["body"]), a["body_is_html"] == true)
	return t.create(t.model("mail.message"), map[string]any{"model": m.name, "res_id": ids[0], "body": body, "message_type": kind, "subtype_id": int64(2)})
}

// activityDone posts "done" on each activity's record, then deletes the
// activity (17, 18) or archives it (19: a done activity stays, inactive,
// and can be marked done again). It returns the first message's id.
func activityDone(t *tx, m *model, ids []int64, a map[string]any) (any, error) {
	if missing := t.missing(m, ids); len(missing) > 0 {
		return nil, missingError(m, missing)
	}
	var first any = false
	for _, id := range ids {
		r := t.touch(m, id)
		body := "<p>" + asString(t.val("mail.activity.type", asInt(r["activity_type_id"]), "name")) + " done: " + html.EscapeString(asString(r["summary"])) + "</p>"
		if fb := asString(a["feedback"]); fb != "" {
			body += "<div>Feedback: " + html.EscapeString(fb) + "</div>"
		}
		msg, err := t.create(t.model("mail.message"), map[string]any{"model": r["res_model"], "res_id": r["res_id"], "body": body, "message_type": "notification"})
		if err != nil {
			return nil, err
		}
		if first == false {
			first = msg
		}
		if t.db.version >= 19 {
			r["active"] = false
		}
	}
	if t.db.version < 19 {
		if err := t.unlink(m, ids); err != nil {
			return nil, err
		}
	}
	return first, nil
}
