package odoosim

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// method is a public model method: its parameter names (after ids for
// record methods), whether it runs on records, and its body.
type method struct {
	params       []string
	required     int // how many of params must be given
	records      bool
	models       []string // empty: every model
	since        int      // first version having it, if not 17
	privateSince int      // version from which @api.private refuses it remotely
	run          func(t *tx, m *model, ids []int64, a map[string]any) (any, error)
	// listOnJSON2: JSON-2 answers the record's id as a list (message_post)
	listOnJSON2 bool
}

var methods map[string]method

func init() {
	methods = map[string]method{
		"search":       {params: []string{"domain", "offset", "limit", "order"}, run: doSearch},
		"search_read":  {params: []string{"domain", "fields", "offset", "limit", "order", "load"}, run: doSearchRead},
		"search_count": {params: []string{"domain", "limit"}, run: doSearchCount},
		"read":         {params: []string{"fields", "load"}, records: true, run: doRead},
		"create":       {params: []string{"vals_list"}, run: doCreate},
		"write":        {params: []string{"vals"}, records: true, run: doWrite},
		"unlink":       {records: true, run: doUnlink},
		"fields_get":   {params: []string{"allfields", "attributes"}, run: doFieldsGet},
		"name_search":  {params: []string{"name", "domain", "operator", "limit"}, run: doNameSearch},
		"default_get":  {params: []string{"fields_list"}, run: doDefaultGet},
		"context_get": {models: []string{"res.users"}, run: func(t *tx, _ *model, _ []int64, _ map[string]any) (any, error) {
			return map[string]any{"lang": "en_US", "tz": false, "uid": int64(2)}, nil
		}},
		"address_get":            {params: []string{"adr_pref"}, records: true, models: []string{"res.partner"}, run: doAddressGet},
		"action_confirm":         {records: true, models: []string{"sale.order"}, run: actionConfirm},
		"action_cancel":          {records: true, models: []string{"sale.order", "sale.order.cancel", "stock.picking"}, run: actionCancel},
		"action_draft":           {records: true, models: []string{"sale.order"}, run: actionDraft},
		"button_validate":        {records: true, models: []string{"stock.picking"}, run: buttonValidate},
		"action_assign":          {records: true, models: []string{"stock.picking"}, run: actionAssign},
		"create_invoices":        {records: true, models: []string{"sale.advance.payment.inv"}, run: createInvoices},
		"action_post":            {records: true, models: []string{"account.move"}, run: actionPost},
		"button_draft":           {records: true, models: []string{"account.move"}, run: buttonDraft},
		"button_cancel":          {records: true, models: []string{"account.move"}, run: buttonCancel},
		"action_create_payments": {records: true, models: []string{"account.payment.register"}, run: createPayments},
		"refund_moves":           {records: true, models: []string{"account.move.reversal"}, run: refundMoves},
		"reconcile":              {records: true, models: []string{"account.move.line"}, run: reconcileLines},
		"process": {records: true, models: []string{"stock.backorder.confirmation"}, run: func(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
			return processBackorder(t, m, ids, false)
		}},
		"process_cancel_backorder": {records: true, models: []string{"stock.backorder.confirmation"}, run: func(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
			return processBackorder(t, m, ids, true)
		}},
		"send_sms": {records: true, models: []string{"confirm.stock.sms"}, run: func(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
			return answerSMS(t, m, ids, true)
		}},
		"dont_send_sms": {records: true, models: []string{"confirm.stock.sms"}, run: func(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
			return answerSMS(t, m, ids, false)
		}},
		"message_post": {params: []string{"body", "subject", "message_type", "subtype_xmlid", "body_is_html", "partner_ids"},
			records: true, models: []string{"sale.order", "account.journal", "res.partner"}, listOnJSON2: true, run: messagePost},
		"action_feedback":     {params: []string{"feedback", "attachment_ids"}, records: true, models: []string{"mail.activity"}, run: activityDone},
		"action_done":         {records: true, models: []string{"mail.activity"}, run: activityDone},
		"check_access_rights": {params: []string{"operation", "raise_exception"}, required: 1, run: checkAccessRights},
		"has_access":          {params: []string{"operation"}, required: 1, records: true, since: 18, run: hasAccess},
		"check_access":        {params: []string{"operation"}, required: 1, records: true, since: 18, privateSince: 19, run: checkAccess},
	}
}

func (mt method) allowed(model string, version int) bool {
	return (len(mt.models) == 0 || slices.Contains(mt.models, model)) && version >= mt.since
}

func className(model string) string {
	var b strings.Builder
	for _, p := range strings.FieldsFunc(model, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

func qualname(model, name string, mt method) string {
	if len(mt.models) == 0 {
		return "BaseModel." + name
	}
	return className(model) + "." + name
}

// bind maps positional arguments onto parameter names, as Python would.
func bind(model, name string, mt method, args []any, kw map[string]any) ([]int64, map[string]any, error) {
	named := map[string]any{}
	var ids []int64
	if mt.records {
		if len(args) == 0 {
			return nil, nil, typeError("%s() missing 1 required positional argument: 'self'", qualname(model, name, mt))
		}
		var ok bool
		if ids, ok = toIDs(args[0]); !ok {
			return nil, nil, valueError("Invalid ids %s", pyRepr(args[0]))
		}
		args = args[1:]
	}
	if len(args) > len(mt.params) {
		return nil, nil, typeError("%s() takes %d positional arguments but %d were given", qualname(model, name, mt), len(mt.params)+1, len(args)+1)
	}
	for i, a := range args {
		named[mt.params[i]] = a
	}
	for k, v := range kw {
		if !slices.Contains(mt.params, k) && !(k == "args" && name == "name_search") {
			return nil, nil, typeError("%s() got an unexpected keyword argument %s", qualname(model, name, mt), pyRepr(k))
		}
		if k == "args" {
			k = "domain"
		}
		named[k] = v
	}
	for _, p := range mt.params[:mt.required] {
		if _, ok := named[p]; !ok {
			return nil, nil, typeError("%s() missing 1 required positional argument: %s", qualname(model, name, mt), pyRepr(p))
		}
	}
	return ids, named, nil
}

func intArg(a map[string]any, k string) int {
	n, _ := toInt(a[k])
	return int(n)
}

func domainArg(a map[string]any) ([]any, error) {
	switch d := a["domain"].(type) {
	case nil:
		return nil, nil
	case []any:
		return d, nil
	}
	return nil, valueError("Invalid domain %s", pyRepr(a["domain"]))
}

func stringsArg(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, asString(e))
	}
	return out
}

func doSearch(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	d, err := domainArg(a)
	if err != nil {
		return nil, err
	}
	return t.search(m, d, intArg(a, "offset"), intArg(a, "limit"), asString(a["order"]))
}

func doSearchCount(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	d, err := domainArg(a)
	if err != nil {
		return nil, err
	}
	ids, err := t.search(m, d, 0, intArg(a, "limit"), "id")
	return int64(len(ids)), err
}

func doSearchRead(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	ids, err := doSearch(t, m, nil, a)
	if err != nil {
		return nil, err
	}
	return doRead(t, m, ids.([]int64), a)
}

func doRead(t *tx, m *model, ids []int64, a map[string]any) (any, error) {
	fields := stringsArg(a["fields"])
	if a["fields"] == nil || len(fields) == 0 {
		fields = t.allFields(m)
	}
	if err := t.checkFields(m, fields); err != nil {
		return nil, err
	}
	if err := t.ruleError(m, ids); err != nil {
		return nil, err
	}
	out := []any{}
	for _, id := range ids {
		if r := m.records[id]; r != nil {
			out = append(out, t.readRecord(m, r, fields))
		}
	}
	return out, nil
}

// createWith are the models whose create may do otherwise than make a
// record, e.g. return one that exists.
var createWith = map[string]func(t *tx, m *model, vals map[string]any) (int64, error){}

func doCreate(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	list, _ := a["vals_list"].([]any)
	single := false
	if v, ok := a["vals_list"].(map[string]any); ok {
		list, single = []any{v}, true
	}
	ids := []int64{}
	for _, v := range list {
		vals, ok := v.(map[string]any)
		if !ok {
			return nil, valueError("Invalid vals %s", pyRepr(v))
		}
		vals = t.contextDefaults(m, vals)
		if err := t.checkVals(m, vals); err != nil {
			return nil, err
		}
		create := t.create
		if c := createWith[m.name]; c != nil {
			create = func(m *model, vals map[string]any) (int64, error) { return c(t, m, vals) }
		}
		id, err := create(m, vals)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if single {
		return ids[0], nil
	}
	return ids, nil
}

// contextDefaults gives the fields a create leaves out the values of the
// context's default_<field> keys, as default_get does.
func (t *tx) contextDefaults(m *model, vals map[string]any) map[string]any {
	for k, v := range t.ctx {
		name, ok := strings.CutPrefix(k, "default_")
		if _, given := vals[name]; !ok || given {
			continue
		}
		if f, _ := t.db.fieldOf(m, name); f != nil && !f.computed {
			vals = withKey(vals, name, v)
		}
	}
	return vals
}

func doWrite(t *tx, m *model, ids []int64, a map[string]any) (any, error) {
	vals, _ := a["vals"].(map[string]any)
	if err := t.ruleError(m, ids); err != nil {
		return nil, err
	}
	return true, t.write(m, ids, vals)
}

func doUnlink(t *tx, m *model, ids []int64, _ map[string]any) (any, error) {
	if missing := t.missing(m, ids); len(missing) > 0 {
		return nil, missingError(m, missing)
	}
	return true, t.unlink(m, ids)
}

func doFieldsGet(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	attrs := stringsArg(a["attributes"])
	out := map[string]any{}
	for name, rec := range recordedFields[fmt.Sprint(t.db.version)][m.name] {
		if reifiedGroupField(t.db.version, m.name, name) {
			out[name] = rec // whatever attributes were asked for
			continue
		}
		out[name] = filterAttrs(rec, attrs)
	}
	for _, name := range t.allFields(m) {
		if _, ok := out[name]; ok {
			continue
		}
		f, _ := t.db.fieldOf(m, name)
		desc := map[string]any{"type": f.typ, "string": name, "required": f.required, "readonly": f.computed}
		if f.rel != "" {
			desc["relation"] = f.rel
		}
		if f.sel != nil {
			var sel []any
			for _, s := range f.sel {
				sel = append(sel, []any{s, s})
			}
			desc["selection"] = sel
		}
		out[name] = filterAttrs(desc, attrs)
	}
	return out, nil
}

// reifiedGroupField tells the in_group_<id> and sel_groups_<ids> fields that
// res.users.fields_get adds on 17 and 18 with their type, string, help,
// exportable and selectable (and selection), whatever attributes were asked
// for (base/models/res_users.py UsersView.fields_get).
func reifiedGroupField(version int, model, name string) bool {
	return version <= 18 && model == "res.users" && (strings.HasPrefix(name, "in_group_") || strings.HasPrefix(name, "sel_groups_"))
}

func filterAttrs(desc map[string]any, attrs []string) map[string]any {
	if len(attrs) == 0 {
		return desc
	}
	out := map[string]any{}
	for k, v := range desc {
		if slices.Contains(attrs, k) || k == "searchable" && desc["searchable"] == false {
			out[k] = v
		}
	}
	return out
}

func doNameSearch(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	d, err := domainArg(a)
	if err != nil {
		return nil, err
	}
	op := asString(a["operator"])
	if op == "" {
		op = "ilike"
	}
	limit := 100
	if _, ok := a["limit"]; ok {
		limit = intArg(a, "limit")
	}
	if name := asString(a["name"]); name != "" {
		d = append(slices.Clone(d), []any{"display_name", op, name})
	}
	ids, err := t.search(m, d, 0, limit, "")
	out := []any{}
	for _, id := range ids {
		out = append(out, []any{id, t.displayName(m, id)})
	}
	return out, err
}

func doDefaultGet(t *tx, m *model, _ []int64, a map[string]any) (any, error) {
	out := map[string]any{}
	if d := defaults[m.name]; d != nil {
		for k, v := range d(t) {
			if f := m.fields[k]; f != nil {
				out[k] = t.output(f, v)
			}
		}
	}
	fields := stringsArg(a["fields_list"])
	maps.DeleteFunc(out, func(k string, _ any) bool { return !slices.Contains(fields, k) })
	return out, nil
}

func doAddressGet(t *tx, m *model, ids []int64, a map[string]any) (any, error) {
	if len(ids) == 0 {
		return map[string]any{}, nil
	}
	prefs := stringsArg(a["adr_pref"])
	if a["adr_pref"] == nil {
		prefs = []string{"contact"}
	}
	all := t.addressGet(ids[0])
	out := map[string]any{}
	for _, p := range prefs {
		out[p] = all[p]
	}
	return out, nil
}

// recordedFields holds fields_get answers of real servers, so the simulated
// fields_get lists every field a stock database has.
var recordedFields map[string]map[string]map[string]map[string]any

func loadRecordedFields(data []byte) {
	if err := json.Unmarshal(data, &recordedFields); err != nil {
		panic(err)
	}
}
