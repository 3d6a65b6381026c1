package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Many2One is a many2one value as read: [id, display name] or false.
type Many2One struct {
	ID   int64
	Name string
}

func (m *Many2One) UnmarshalJSON(b []byte) error {
	*m = Many2One{}
	if bytes.Equal(b, []byte("false")) || bytes.Equal(b, []byte("null")) {
		return nil
	}
	var pair []any
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("odoo: bad many2one %s", b)
	}
	id, _ := pair[0].(float64)
	m.ID = int64(id)
	m.Name, _ = pair[1].(string)
	return nil
}

// Text is a char, text or selection value; Odoo sends false when unset.
type Text string

func (t *Text) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("false")) || bytes.Equal(b, []byte("null")) {
		*t = ""
		return nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	*t = Text(s)
	return err
}

// Domain is an Odoo search domain in prefix notation.
type Domain []any

// Cond is one domain leaf.
func Cond(field, op string, value any) []any { return []any{field, op, value} }

// In is the leaf field in values, for batching lookups of many keys.
func In[T any](field string, values []T) []any { return []any{field, "in", values} }

// SearchRead searches and reads in one round trip; out is a pointer to a
// slice of structs or maps. limit 0 means no limit; order "" the model's.
func (c *Client) SearchRead(ctx context.Context, model string, domain Domain, fields []string, limit int, order string, out any) error {
	kw := map[string]any{"fields": fields}
	if limit > 0 {
		kw["limit"] = limit
	}
	if order != "" {
		kw["order"] = order
	}
	return c.Call(ctx, model, "search_read", []any{nonNil(domain)}, kw, out)
}

func nonNil(d Domain) Domain {
	if d == nil {
		return Domain{}
	}
	return d
}

// Search returns the ids matching domain.
func (c *Client) Search(ctx context.Context, model string, domain Domain, limit int) ([]int64, error) {
	kw := map[string]any{}
	if limit > 0 {
		kw["limit"] = limit
	}
	var ids []int64
	err := c.Call(ctx, model, "search", []any{nonNil(domain)}, kw, &ids)
	return ids, err
}

// Read reads fields of ids into out; missing records are left out.
func (c *Client) Read(ctx context.Context, model string, ids []int64, fields []string, out any) error {
	return c.Call(ctx, model, "read", []any{ids}, map[string]any{"fields": fields}, out)
}

// Create creates records in one call per chunk of 200 and returns their
// ids in the order of vals. It is never repeated by the transport: look the
// records up by a key of yours before creating again after an error.
func (c *Client) Create(ctx context.Context, model string, vals []map[string]any) ([]int64, error) {
	return c.CreateWithContext(ctx, model, vals, nil)
}

// CreateWithContext is Create with an Odoo context (active_ids for wizards).
func (c *Client) CreateWithContext(ctx context.Context, model string, vals []map[string]any, odooCtx map[string]any) ([]int64, error) {
	var ids []int64
	for start := 0; start < len(vals); start += 200 {
		chunk := vals[start:min(start+200, len(vals))]
		var got []int64
		if err := c.Call(ctx, model, "create", []any{chunk}, withContext(nil, odooCtx), &got); err != nil {
			return ids, err
		}
		if len(got) != len(chunk) {
			return ids, fmt.Errorf("odoo: %s.create returned %d ids for %d records", model, len(got), len(chunk))
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

func withContext(kw map[string]any, odooCtx map[string]any) map[string]any {
	if kw == nil {
		kw = map[string]any{}
	}
	if odooCtx != nil {
		kw["context"] = odooCtx
	}
	return kw
}

// Write sets vals on every record of ids.
func (c *Client) Write(ctx context.Context, model string, ids []int64, vals map[string]any) error {
	if len(ids) == 0 {
		return nil
	}
	return c.Call(ctx, model, "write", []any{ids, vals}, nil, nil)
}

// Unlink deletes ids.
func (c *Client) Unlink(ctx context.Context, model string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return c.Call(ctx, model, "unlink", []any{ids}, nil, nil)
}

// Action is the part of a returned window action that names records.
type Action struct {
	ResModel string `json:"res_model"`
	ResID    int64  `json:"res_id"`
	Domain   any    `json:"domain"`
}

// IDs are the records the action opens: its res_id or its ('id', 'in', ids).
func (a Action) IDs() []int64 {
	if a.ResID != 0 {
		return []int64{a.ResID}
	}
	leaves, _ := a.Domain.([]any)
	for _, l := range leaves {
		if leaf, ok := l.([]any); ok && len(leaf) == 3 && leaf[0] == "id" && leaf[1] == "in" {
			var ids []int64
			for _, v := range leaf[2].([]any) {
				n, _ := v.(float64)
				ids = append(ids, int64(n))
			}
			return ids
		}
	}
	return nil
}

// action calls a method on ids that returns an action, true, false or None.
func (c *Client) action(ctx context.Context, model, method string, ids []int64, odooCtx map[string]any) (Action, error) {
	var raw json.RawMessage
	if err := c.Call(ctx, model, method, []any{ids}, withContext(nil, odooCtx), &raw); err != nil {
		return Action{}, err
	}
	var a Action
	if len(raw) > 0 && raw[0] == '{' {
		err := json.Unmarshal(raw, &a)
		return a, err
	}
	return a, nil
}

// wizard creates a transient record with the context of the records it acts
// on and runs its button method.
func (c *Client) wizard(ctx context.Context, model string, vals map[string]any, activeModel string, activeIDs []int64, method string) (Action, error) {
	wctx := map[string]any{"active_model": activeModel, "active_ids": activeIDs}
	if len(activeIDs) == 1 {
		wctx["active_id"] = activeIDs[0]
	}
	ids, err := c.CreateWithContext(ctx, model, []map[string]any{vals}, wctx)
	if err != nil {
		return Action{}, err
	}
	return c.action(ctx, model, method, ids, wctx)
}
