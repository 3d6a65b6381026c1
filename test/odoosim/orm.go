package odoosim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

type database struct {
	version  int
	modules  map[string]bool     // installed modules
	denied   map[string][]string // operations the API user may not perform, by model
	models   map[string]*model
	seq      map[string]int
	computes map[string]map[string]func(t *tx, r Record) any
	now      func() time.Time
}

// tx is one RPC: every record is saved before its first change so that an
// error rolls the whole call back, as Odoo does with one transaction per call.
type tx struct {
	db    *database
	saved map[*model]map[int64]Record // nil Record: created in this tx
	ctx   map[string]any
	uid   int64 // who creates: the API's user, or the superuser when seeding
	// seeding says the seed is making the database: it sets up what
	// the create hooks would on its own.
	seeding bool
	// barcodes indexes product.product by barcode; see barcodeHolders.
	barcodes map[string][]int64
	// company is the call's current company and companies those whose
	// records it sees (see setCompanies); nil while seeding: all of them.
	company   int64
	companies []int64
}

func (db *database) begin(ctx map[string]any) *tx {
	return &tx{db: db, saved: map[*model]map[int64]Record{}, ctx: ctx, uid: superUser}
}

func (t *tx) touch(m *model, id int64) Record {
	s := t.saved[m]
	if s == nil {
		s = map[int64]Record{}
		t.saved[m] = s
	}
	r := m.records[id]
	if _, done := s[id]; !done {
		if r == nil {
			s[id] = nil
		} else {
			c := make(Record, len(r))
			for k, v := range r {
				c[k] = v
			}
			s[id] = c
		}
	}
	return r
}

func (t *tx) rollback() {
	for m, recs := range t.saved {
		for id, r := range recs {
			if r == nil {
				delete(m.records, id)
			} else {
				m.records[id] = r
			}
		}
	}
}

// odooError is an exception as Odoo serialises it.
type odooError struct {
	name, msg string
	status    int // JSON-2 HTTP status
}

func (e *odooError) Error() string { return e.name + ": " + e.msg }

func userError(f string, a ...any) error {
	return &odooError{"odoo.exceptions.UserError", fmt.Sprintf(f, a...), 422}
}
func validationError(f string, a ...any) error {
	return &odooError{"odoo.exceptions.ValidationError", fmt.Sprintf(f, a...), 422}
}
func accessError(f string, a ...any) error {
	return &odooError{"odoo.exceptions.AccessError", fmt.Sprintf(f, a...), 403}
}

// Python's own exceptions are no UserError: JSON-2 answers them with 500
// (http.py Json2Dispatcher.handle_error).
func valueError(f string, a ...any) error {
	return &odooError{"builtins.ValueError", fmt.Sprintf(f, a...), 500}
}
func typeError(f string, a ...any) error {
	return &odooError{"builtins.TypeError", fmt.Sprintf(f, a...), 500}
}
func missingError(m *model, ids []int64) error {
	return &odooError{"odoo.exceptions.MissingError", fmt.Sprintf("Record does not exist or has been deleted.\n(Record: %s%s, User: 2)", m.name, pyTuple(ids)), 404}
}

// pyTuple formats ids as Python's repr of a tuple: (1,) or (1, 2).
func pyTuple(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	if len(ids) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// pyRepr formats a JSON value as Python's repr would, for error messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	case float64:
		if x == math.Trunc(x) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// flt marshals like Python's float: always with a fraction or exponent.
type flt float64

func (f flt) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(f), 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return []byte(s), nil
}

// floatRound is Odoo's float_round(HALF-UP) with its epsilon correction, so
// that 4.995 rounds to 5.0 as on the server.
func floatRound(v, precision float64) float64 {
	if v == 0 {
		return 0
	}
	n := v / precision
	sign := math.Copysign(1, n)
	eps := math.Pow(2, math.Log2(math.Abs(n))-52)
	n = math.Round(n + sign*eps)
	if precision < 1 { // dividing gives the nearest float, as the database's numeric does
		return n / math.Round(1/precision)
	}
	return n * precision
}

func round2(v float64) float64 { return floatRound(v, 0.01) }

// ---- value conversion --------------------------------------------------------

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), x == math.Trunc(x)
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case json.Number:
		f, _ := x.Float64()
		return f
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case flt:
		return float64(x)
	}
	return 0
}

func toIDs(v any) ([]int64, bool) {
	if n, ok := toInt(v); ok {
		return []int64{n}, true
	}
	l, ok := v.([]any)
	if !ok {
		if ids, ok := v.([]int64); ok {
			return ids, true
		}
		return nil, false
	}
	ids := make([]int64, 0, len(l))
	for _, e := range l {
		n, ok := toInt(e)
		if !ok {
			return nil, false
		}
		ids = append(ids, n)
	}
	return ids, true
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case float64:
		return x != 0
	case []int64:
		return len(x) > 0
	}
	return true
}

// ---- record access -----------------------------------------------------------

func (t *tx) model(name string) *model { return t.db.models[name] }

// get returns the stored or computed value of a field (int64 for many2one).
func (t *tx) get(m *model, r Record, name string) any {
	if name == "id" {
		return r["id"]
	}
	if fn := t.db.computes[m.name][name]; fn != nil {
		return fn(t, r)
	}
	if name == "display_name" && r[name] == nil {
		return r["name"] // Odoo's default _compute_display_name
	}
	if _, ok := m.fields[name]; ok {
		return r[name]
	}
	if m.delegate != "" {
		pf := m.fields[m.delegate]
		parent := t.model(pf.rel)
		if pr := parent.records[asInt(r[m.delegate])]; pr != nil {
			return t.get(parent, pr, name)
		}
	}
	return nil
}

func asInt(v any) int64 {
	n, _ := toInt(v)
	return n
}

func (t *tx) rec(model string, id int64) Record { return t.model(model).records[id] }

func (t *tx) val(model string, id int64, f string) any {
	m := t.model(model)
	r := m.records[id]
	if r == nil {
		return nil
	}
	return t.get(m, r, f)
}

func (t *tx) displayName(m *model, id int64) string {
	r := m.records[id]
	if r == nil {
		return ""
	}
	return asString(t.get(m, r, "display_name"))
}

// output converts a value to its JSON form as Odoo's read returns it.
func (t *tx) output(f *field, v any) any {
	switch f.typ {
	case "many2one":
		id := asInt(v)
		if id == 0 || t.model(f.rel).records[id] == nil {
			return false
		}
		return []any{id, t.displayName(t.model(f.rel), id)}
	case "one2many", "many2many":
		ids, _ := v.([]int64)
		if ids == nil {
			ids = []int64{}
		}
		return ids
	case "float", "monetary":
		return flt(toFloat(v))
	case "integer":
		return asInt(v)
	case "boolean":
		return truthy(v)
	}
	if v == nil {
		return false
	}
	return v
}

func (t *tx) readRecord(m *model, r Record, fields []string) map[string]any {
	out := map[string]any{"id": r["id"]}
	for _, name := range fields {
		f, _ := t.db.fieldOf(m, name)
		out[name] = t.output(f, t.get(m, r, name))
	}
	return out
}

func (t *tx) checkFields(m *model, fields []string) error {
	for _, name := range fields {
		if f, _ := t.db.fieldOf(m, name); f == nil {
			return valueError("Invalid field %s on model %s", pyRepr(name), pyRepr(m.name))
		}
	}
	return nil
}

func (t *tx) allFields(m *model) []string {
	var out []string
	for name := range m.fields {
		out = append(out, name)
	}
	if m.delegate != "" {
		for name := range t.model(m.fields[m.delegate].rel).fields {
			if _, own := m.fields[name]; !own {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ---- create / write / unlink ---------------------------------------------------

func (t *tx) create(m *model, vals map[string]any) (int64, error) {
	id := m.nextID
	m.nextID++
	t.touch(m, id)
	r := Record{"id": id, "create_date": t.now(), "write_date": t.now(), "create_uid": t.uid}
	m.records[id] = r
	if d := defaults[m.name]; d != nil {
		for k, v := range d(t) {
			if _, given := vals[k]; !given {
				if _, own := m.fields[k]; own {
					r[k] = v
				}
			}
		}
	}
	if m.delegate != "" {
		own, parentVals := map[string]any{}, map[string]any{}
		for k, v := range vals {
			if _, ok := m.fields[k]; ok {
				own[k] = v
			} else {
				parentVals[k] = v
			}
		}
		if _, ok := own[m.delegate]; !ok {
			parent := t.model(m.fields[m.delegate].rel)
			if err := t.checkVals(parent, parentVals); err != nil {
				return 0, err
			}
			parentVals["product_variant_ids"] = []any{} // no automatic variant
			pid, err := t.create(parent, parentVals)
			if err != nil {
				return 0, err
			}
			own[m.delegate] = float64(pid)
		} else if len(parentVals) > 0 {
			if err := t.write(t.model(m.fields[m.delegate].rel), []int64{asInt(own[m.delegate])}, parentVals); err != nil {
				return 0, err
			}
		}
		vals = own
	}
	if err := t.assign(m, r, vals); err != nil {
		return 0, err
	}
	for name, f := range m.fields {
		if f.required && !truthy(r[name]) && f.typ != "boolean" {
			return 0, validationError("The operation cannot be completed: Missing required value for the field '%s' (%s).\nModel: %s", name, name, m.name)
		}
	}
	if hook := onCreate[m.name]; hook != nil {
		if err := hook(t, r, vals); err != nil {
			return 0, err
		}
	}
	return id, t.constrain(m, r)
}

func (t *tx) checkVals(m *model, vals map[string]any) error {
	for k := range vals {
		if f, _ := t.db.fieldOf(m, k); f == nil && !slices.Contains(createOnly[m.name], k) {
			return valueError("Invalid field %s on model %s", pyRepr(k), pyRepr(m.name))
		}
	}
	return nil
}

func (t *tx) write(m *model, ids []int64, vals map[string]any) error {
	if err := t.checkVals(m, vals); err != nil {
		return err
	}
	if missing := t.missing(m, ids); len(missing) > 0 {
		return missingError(m, missing)
	}
	for _, id := range ids {
		r := t.touch(m, id)
		own := vals
		if m.delegate != "" {
			own = map[string]any{}
			parentVals := map[string]any{}
			for k, v := range vals {
				if _, ok := m.fields[k]; ok {
					own[k] = v
				} else {
					parentVals[k] = v
				}
			}
			if len(parentVals) > 0 {
				if err := t.write(t.model(m.fields[m.delegate].rel), []int64{asInt(r[m.delegate])}, parentVals); err != nil {
					return err
				}
			}
		}
		if hook := onWrite[m.name]; hook != nil {
			if err := hook(t, r, own); err != nil {
				return err
			}
		}
		if err := t.assign(m, r, own); err != nil {
			return err
		}
		if hook := afterWrite[m.name]; hook != nil {
			if err := hook(t, r, own); err != nil {
				return err
			}
		}
		r["write_date"] = t.now()
		if err := t.constrain(m, r); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) missing(m *model, ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if m.records[id] == nil {
			out = append(out, id)
		}
	}
	return out
}

func (t *tx) now() string { return t.db.now().UTC().Format(time.DateTime) }

// assign stores vals on r, applying x2many commands and keeping one2many
// lists in step with their inverse many2one.
func (t *tx) assign(m *model, r Record, vals map[string]any) error {
	for _, k := range sortedKeys(vals) {
		v := vals[k]
		f := m.fields[k]
		if f == nil && slices.Contains(createOnly[m.name], k) {
			r["_"+k] = v
			continue
		}
		if f == nil {
			return valueError("Invalid field %s on model %s", pyRepr(k), pyRepr(m.name))
		}
		if f.computed {
			continue // computed without inverse: Odoo drops the value
		}
		switch f.typ {
		case "many2one":
			id, _ := toInt(v)
			if v == false || v == nil {
				id = 0
			}
			if id != 0 && t.model(f.rel).records[id] == nil {
				return missingError(t.model(f.rel), []int64{id})
			}
			t.setParent(m, r, f, id)
		case "one2many", "many2many":
			if err := t.commands(m, r, f, v); err != nil {
				return err
			}
		case "float", "monetary":
			r[k] = toFloat(v)
		case "integer":
			r[k] = asInt(v)
		case "boolean":
			r[k] = truthy(v)
		case "selection":
			if v == false || v == nil {
				r[k] = nil
				continue
			}
			s := asString(v)
			if !slices.Contains(f.sel, s) {
				return valueError("Wrong value for %s.%s: %s", m.name, k, pyRepr(v))
			}
			r[k] = s
		default:
			if v == false {
				v = nil
			}
			r[k] = v
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// setParent sets a many2one and updates the one2many pointing back to it.
func (t *tx) setParent(m *model, r Record, f *field, id int64) {
	old := asInt(r[f.name])
	r[f.name] = id
	if old == id {
		return
	}
	pm := t.model(f.rel)
	for _, of := range pm.fields {
		if of.typ != "one2many" || of.rel != m.name || of.inverse != f.name {
			continue
		}
		self := asInt(r["id"])
		if p := pm.records[old]; old != 0 && p != nil {
			t.touch(pm, old)
			p[of.name] = slices.DeleteFunc(slices.Clone(idList(p[of.name])), func(x int64) bool { return x == self })
		}
		if p := pm.records[id]; id != 0 && p != nil {
			t.touch(pm, id)
			p[of.name] = append(slices.Clone(idList(p[of.name])), self)
		}
	}
}

func idList(v any) []int64 {
	ids, _ := v.([]int64)
	return ids
}

// commands applies Odoo's x2many commands (0..6) or a plain list of ids.
func (t *tx) commands(m *model, r Record, f *field, v any) error {
	rel := t.model(f.rel)
	list, ok := v.([]any)
	if !ok {
		return valueError("Wrong value for %s.%s: %s", m.name, f.name, pyRepr(v))
	}
	cur := slices.Clone(idList(r[f.name]))
	self := asInt(r["id"])
	link := func(id int64) error {
		if rel.records[id] == nil {
			return missingError(rel, []int64{id})
		}
		if f.typ == "one2many" {
			t.touch(rel, id)
			t.setParent(rel, rel.records[id], rel.fields[f.inverse], self)
			cur = idList(r[f.name])
		} else if !slices.Contains(cur, id) {
			cur = append(cur, id)
		}
		return nil
	}
	drop := func(id int64, del bool) error {
		if f.typ == "one2many" || del {
			if err := t.unlink(rel, []int64{id}); err != nil {
				return err
			}
		}
		cur = slices.DeleteFunc(slices.Clone(cur), func(x int64) bool { return x == id })
		return nil
	}
	for _, c := range list {
		if id, ok := toInt(c); ok { // plain id list
			if err := link(id); err != nil {
				return err
			}
			continue
		}
		cmd, ok := c.([]any)
		if !ok || len(cmd) == 0 {
			return valueError("Wrong value for %s.%s: %s", m.name, f.name, pyRepr(v))
		}
		op, _ := toInt(cmd[0])
		var arg int64
		if len(cmd) > 1 {
			arg, _ = toInt(cmd[1])
		}
		var err error
		switch op {
		case 0:
			vals, _ := cmd[2].(map[string]any)
			if f.typ == "one2many" {
				vals = withKey(vals, f.inverse, float64(self))
				if err = t.checkVals(rel, vals); err == nil {
					_, err = t.create(rel, vals)
				}
				cur = idList(r[f.name])
			} else {
				var id int64
				if err = t.checkVals(rel, vals); err == nil {
					if id, err = t.create(rel, vals); err == nil {
						cur = append(cur, id)
					}
				}
			}
		case 1:
			vals, _ := cmd[2].(map[string]any)
			err = t.write(rel, []int64{arg}, vals)
		case 2:
			err = drop(arg, true)
		case 3:
			err = drop(arg, false)
		case 4:
			err = link(arg)
		case 5:
			for _, id := range slices.Clone(cur) {
				if err = drop(id, false); err != nil {
					break
				}
			}
		case 6:
			ids, _ := toIDs(cmd[2])
			for _, id := range slices.Clone(cur) {
				if !slices.Contains(ids, id) {
					if err = drop(id, false); err != nil {
						return err
					}
				}
			}
			for _, id := range ids {
				if err = link(id); err != nil {
					return err
				}
			}
		default:
			err = valueError("Unknown command %d", op)
		}
		if err != nil {
			return err
		}
	}
	if f.typ == "many2many" {
		r[f.name] = cur
	}
	return nil
}

func withKey(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

func (t *tx) unlink(m *model, ids []int64) error {
	for _, id := range ids {
		r := m.records[id]
		if r == nil {
			continue
		}
		if hook := onUnlink[m.name]; hook != nil {
			if err := hook(t, r); err != nil {
				return err
			}
		}
		for _, f := range m.fields {
			if f.typ == "many2one" && !f.computed {
				t.setParent(m, r, f, 0)
			}
		}
		t.touch(m, id)
		delete(m.records, id)
	}
	return nil
}

// ---- search ----------------------------------------------------------------------

func (t *tx) search(m *model, domain []any, offset, limit int, order string) ([]int64, error) {
	pred, err := t.compile(m, domain)
	if err != nil {
		return nil, err
	}
	var recs []Record
	for _, r := range m.records {
		if m.fields["active"] != nil && r["active"] == false && !domainMentions(domain, "active") && t.ctx["active_test"] != false {
			continue
		}
		if pred(r) && t.visible(m, r) {
			recs = append(recs, r)
		}
	}
	if order == "" {
		order = m.order
	}
	t.sortRecords(m, recs, order)
	if offset > len(recs) {
		offset = len(recs)
	}
	recs = recs[offset:]
	if limit > 0 && limit < len(recs) {
		recs = recs[:limit]
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = asInt(r["id"])
	}
	return ids, nil
}

func domainMentions(domain []any, name string) bool {
	for _, e := range domain {
		if l, ok := e.([]any); ok && len(l) == 3 && l[0] == name {
			return true
		}
	}
	return false
}

func (t *tx) sortRecords(m *model, recs []Record, order string) {
	type key struct {
		name string
		desc bool
	}
	var keys []key
	for _, part := range strings.Split(order, ",") {
		fs := strings.Fields(part)
		if len(fs) == 0 {
			continue
		}
		keys = append(keys, key{fs[0], len(fs) > 1 && strings.EqualFold(fs[1], "desc")})
	}
	slices.SortStableFunc(recs, func(a, b Record) int {
		for _, k := range keys {
			c := compareValues(t.sortValue(m, a, k.name), t.sortValue(m, b, k.name))
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(asInt(a["id"]), asInt(b["id"]))
	})
}

func (t *tx) sortValue(m *model, r Record, name string) any {
	v := t.get(m, r, name)
	if f, _ := t.db.fieldOf(m, name); f != nil && f.typ == "many2one" {
		return t.displayName(t.model(f.rel), asInt(v))
	}
	return v
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		return cmp.Compare(x, asString(b))
	case int64, float64, int:
		return cmp.Compare(toFloat(a), toFloat(b))
	case bool:
		return cmp.Compare(boolInt(x), boolInt(truthy(b)))
	case nil:
		if b == nil {
			return 0
		}
		return -1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compile turns a prefix-notation domain into a predicate.
func (t *tx) compile(m *model, domain []any) (func(Record) bool, error) {
	pos := 0
	var parse func() (func(Record) bool, error)
	parse = func() (func(Record) bool, error) {
		if pos >= len(domain) {
			return func(Record) bool { return true }, nil
		}
		e := domain[pos]
		pos++
		switch e {
		case "&", "|":
			a, err := parse()
			if err != nil {
				return nil, err
			}
			b, err := parse()
			if err != nil {
				return nil, err
			}
			if e == "&" {
				return func(r Record) bool { return a(r) && b(r) }, nil
			}
			return func(r Record) bool { return a(r) || b(r) }, nil
		case "!":
			a, err := parse()
			if err != nil {
				return nil, err
			}
			return func(r Record) bool { return !a(r) }, nil
		}
		return t.leaf(m, e)
	}
	var preds []func(Record) bool
	for pos < len(domain) {
		p, err := parse()
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return func(r Record) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, nil
}

func (t *tx) leafError(m *model, leaf []any, name string) error {
	word := "leaf"
	if t.db.version >= 19 {
		word = "condition"
	}
	parts := make([]string, len(leaf))
	for i, e := range leaf {
		parts[i] = pyRepr(e)
	}
	return valueError("Invalid field %s.%s in %s (%s)", m.name, name, word, strings.Join(parts, ", "))
}

func (t *tx) leaf(m *model, e any) (func(Record) bool, error) {
	leaf, ok := e.([]any)
	if !ok || len(leaf) != 3 {
		if b, ok := e.(bool); ok {
			return func(Record) bool { return b }, nil
		}
		return nil, valueError("Invalid leaf %s", pyRepr(e))
	}
	path, _ := leaf[0].(string)
	op, _ := leaf[1].(string)
	value := leaf[2]
	name, rest, nested := strings.Cut(path, ".")
	f, _ := t.db.fieldOf(m, name)
	if f == nil {
		return nil, t.leafError(m, leaf, name)
	}
	if nested && f.rel != "" {
		sub, err := t.leaf(t.model(f.rel), []any{rest, op, value})
		if err != nil {
			return nil, err
		}
		rel := t.model(f.rel)
		return func(r Record) bool {
			for _, id := range relIDs(t.get(m, r, name)) {
				if sr := rel.records[id]; sr != nil && sub(sr) {
					return true
				}
			}
			return false
		}, nil
	}
	if op == "child_of" || op == "parent_of" {
		return t.childOf(m, f, op, value)
	}
	if f.rel != "" {
		if s, ok := value.(string); ok && op != "=like" && op != "=ilike" { // name search on the relation
			rel := t.model(f.rel)
			return func(r Record) bool {
				for _, id := range relIDs(t.get(m, r, name)) {
					if matchOp(op, t.displayName(rel, id), s) {
						return true
					}
				}
				return false
			}, nil
		}
		return func(r Record) bool {
			ids := relIDs(t.get(m, r, name))
			if len(ids) == 0 {
				return matchOp(op, nil, value)
			}
			if f.typ != "many2one" && (op == "!=" || op == "not in") {
				for _, id := range ids {
					if !matchOp(op, id, value) {
						return false
					}
				}
				return true
			}
			for _, id := range ids {
				if matchOp(op, id, value) {
					return true
				}
			}
			return false
		}, nil
	}
	if path == "id" {
		return func(r Record) bool { return matchOp(op, r["id"], value) }, nil
	}
	return func(r Record) bool { return matchOp(op, t.get(m, r, name), value) }, nil
}

func relIDs(v any) []int64 {
	switch x := v.(type) {
	case int64:
		if x == 0 {
			return nil
		}
		return []int64{x}
	case []int64:
		return x
	}
	return nil
}

func (t *tx) childOf(m *model, f *field, op string, value any) (func(Record) bool, error) {
	target := m
	if f.rel != "" {
		target = t.model(f.rel)
	}
	parentField := "parent_id"
	if target.name == "stock.location" {
		parentField = "location_id"
	}
	roots, _ := toIDs(value)
	within := func(id int64) bool {
		for seen := 0; id != 0 && seen < 100; seen++ {
			if slices.Contains(roots, id) {
				return true
			}
			id = asInt(target.records[id][parentField])
		}
		return false
	}
	name := f.name
	return func(r Record) bool {
		ids := relIDs(t.get(m, r, name))
		if f.name == "id" {
			ids = []int64{asInt(r["id"])}
		}
		for _, id := range ids {
			if within(id) {
				return true
			}
		}
		return false
	}, nil
}

func matchOp(op string, v, want any) bool {
	if v == nil || v == false || v == "" {
		v = nil
	}
	switch op {
	case "=", "==":
		return equalValue(v, want)
	case "!=", "<>":
		return !equalValue(v, want)
	case "in", "not in":
		l, _ := want.([]any)
		found := false
		for _, w := range l {
			if equalValue(v, w) {
				found = true
				break
			}
		}
		return found == (op == "in")
	case "<", ">", "<=", ">=":
		if v == nil {
			return false
		}
		c := compareValues(normal(v), normal(want))
		return map[string]bool{"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
	case "like", "ilike", "not like", "not ilike", "=like", "=ilike":
		s, pat := fmt.Sprint(v), fmt.Sprint(want)
		if v == nil {
			s = ""
		}
		if strings.Contains(op, "ilike") {
			s, pat = strings.ToLower(s), strings.ToLower(pat)
		}
		var ok bool
		if strings.HasPrefix(op, "=") {
			ok = likeMatch(s, pat)
		} else {
			ok = v != nil && strings.Contains(s, pat)
		}
		if strings.HasPrefix(op, "not") {
			return !ok
		}
		return ok
	}
	return false
}

func normal(v any) any {
	switch v.(type) {
	case int64, int, json.Number, flt:
		return toFloat(v)
	}
	return v
}

func equalValue(v, w any) bool {
	if w == false || w == nil {
		return v == nil || v == false
	}
	if v == nil {
		return false
	}
	switch x := normal(v).(type) {
	case float64:
		return x == toFloat(w)
	case bool:
		return x == truthy(w)
	}
	return v == w
}

// likeMatch implements SQL LIKE with % and _.
func likeMatch(s, pat string) bool {
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(s[i:], pat[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(s[1:], pat[1:])
	}
	return s != "" && s[0] == pat[0] && likeMatch(s[1:], pat[1:])
}
