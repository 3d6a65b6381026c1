package odoo

import (
	"context"
	"errors"
	"fmt"
	"html"
	"time"
)

// TagByName is the id of the crm.tag of that name, made when Odoo has none.
// A tag made meanwhile by another import is found again: its name is unique.
func (c *Client) TagByName(ctx context.Context, name string) (int64, error) {
	for attempt := 0; ; attempt++ {
		ids, err := c.Search(ctx, "crm.tag", Domain{Cond("name", "=", name)}, 1)
		if err != nil || len(ids) > 0 {
			return first(ids), err
		}
		ids, err = c.Create(ctx, "crm.tag", []map[string]any{{"name": name}})
		var oe *Error
		if attempt == 0 && errors.As(err, &oe) && oe.Name == "odoo.exceptions.ValidationError" {
			continue
		}
		return first(ids), err
	}
}

func first(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// TagOrders adds tag to the sale orders.
func (c *Client) TagOrders(ctx context.Context, ids []int64, tag int64) error {
	return c.Write(ctx, "sale.order", ids, map[string]any{"tag_ids": []any{[]any{4, tag}}})
}

// MailRefs are mail's records notes and activities name, by external id:
// their names are translated.
type MailRefs struct {
	Note int64 // the Note subtype (mail.mt_note): a message in the chatter that notifies no follower
	Todo int64 // the To-Do activity type (mail.mail_activity_data_todo)
}

// MailRefs looks up mail's note subtype and To-Do activity type.
func (c *Client) MailRefs(ctx context.Context) (MailRefs, error) {
	var rows []struct {
		Name  Text  `json:"name"`
		ResID int64 `json:"res_id"`
	}
	err := c.SearchRead(ctx, "ir.model.data", Domain{Cond("module", "=", "mail"), In("name", []string{"mt_note", "mail_activity_data_todo"})},
		[]string{"name", "res_id"}, 0, "", &rows)
	var m MailRefs
	for _, r := range rows {
		switch r.Name {
		case "mt_note":
			m.Note = r.ResID
		case "mail_activity_data_todo":
			m.Todo = r.ResID
		}
	}
	if err == nil && (m.Note == 0 || m.Todo == 0) {
		err = errors.New("odoo: mail's note subtype (mail.mt_note) or To-Do activity type (mail.mail_activity_data_todo) is missing")
	}
	return m, err
}

// Note is a note in the chatter of a record.
type Note struct {
	Model string
	ResID int64
	Body  string // plain text
}

// PostNotes posts notes in the chatter of their records, all in one call:
// message_post would take one record a call. Odoo keeps a body as HTML, so
// the text is escaped.
func (c *Client) PostNotes(ctx context.Context, m MailRefs, notes []Note) error {
	vals := make([]map[string]any, len(notes))
	for i, n := range notes {
		vals[i] = map[string]any{"model": n.Model, "res_id": n.ResID, "message_type": "comment", "subtype_id": m.Note,
			"body": "<p>" + html.EscapeString(n.Body) + "</p>"}
	}
	_, err := c.Create(ctx, "mail.message", vals)
	return err
}

// Noted says which of the records of model have a message whose body
// contains text.
func (c *Client) Noted(ctx context.Context, model string, ids []int64, text string) (map[int64]bool, error) {
	var rows []struct {
		ResID int64 `json:"res_id"`
	}
	err := c.SearchRead(ctx, "mail.message", Domain{Cond("model", "=", model), In("res_id", ids), Cond("body", "ilike", text)},
		[]string{"res_id"}, 0, "", &rows)
	out := map[int64]bool{}
	for _, r := range rows {
		out[r.ResID] = true
	}
	return out, err
}

// Activity is a To-Do of a user on a record.
type Activity struct {
	ID      int64
	Model   string // of the record: sale.order, account.journal, ...
	ResID   int64
	UserID  int64
	Summary string
	Note    string // plain text
}

// ActivityModels are the models activities are put on.
var ActivityModels = []string{"sale.order", "account.journal", "res.partner"}

// ScheduleTodos makes To-Do activities due today, in one call. Odoo wants
// the record's model as an ir.model id (res_model_id): res_model alone is
// refused.
func (c *Client) ScheduleTodos(ctx context.Context, m MailRefs, as []Activity) error {
	if len(as) == 0 {
		return nil
	}
	models, err := c.byField(ctx, "ir.model", "model", ActivityModels)
	if err != nil {
		return err
	}
	today := time.Now().UTC().Format(time.DateOnly)
	vals := make([]map[string]any, len(as))
	for i, a := range as {
		if models[a.Model] == 0 {
			return fmt.Errorf("odoo: no ir.model %s", a.Model)
		}
		vals[i] = map[string]any{"res_model_id": models[a.Model], "res_id": a.ResID, "activity_type_id": m.Todo, "user_id": a.UserID,
			"summary": a.Summary, "note": a.Note, "date_deadline": today}
	}
	_, err = c.Create(ctx, "mail.activity", vals)
	return err
}

// OpenTodos are the open To-Do activities of user with one of summaries
// (a done one is deleted on 17 and 18, archived on 19: neither is found).
func (c *Client) OpenTodos(ctx context.Context, user int64, summaries []string) ([]Activity, error) {
	if len(summaries) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID      int64 `json:"id"`
		Model   Text  `json:"res_model"`
		ResID   int64 `json:"res_id"`
		Summary Text  `json:"summary"`
	}
	err := c.SearchRead(ctx, "mail.activity", Domain{Cond("user_id", "=", user), In("summary", summaries)},
		[]string{"res_model", "res_id", "summary"}, 0, "id", &rows)
	out := make([]Activity, len(rows))
	for i, r := range rows {
		out[i] = Activity{ID: r.ID, Model: string(r.Model), ResID: r.ResID, UserID: user, Summary: string(r.Summary)}
	}
	return out, err
}

// MarkDone marks activities done with feedback, which Odoo posts on their
// records.
func (c *Client) MarkDone(ctx context.Context, ids []int64, feedback string) error {
	if len(ids) == 0 {
		return nil
	}
	return c.Call(ctx, "mail.activity", "action_feedback", []any{ids}, map[string]any{"feedback": feedback}, nil)
}

// CountTagged counts the sale orders whose origin starts with prefix that
// carry the tag named tag and are in one of states.
func (c *Client) CountTagged(ctx context.Context, prefix, tag string, states []string) (int64, error) {
	var n int64
	err := c.Call(ctx, "sale.order", "search_count", []any{Domain{Cond("origin", "=like", prefix+"%"), Cond("tag_ids.name", "=", tag),
		In("state", states)}}, nil, &n)
	return n, err
}
