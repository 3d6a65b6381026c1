package shopifysim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

const (
	maxQueryCost = 1000
	maxPageSize  = 250
)

// Obj is a stored object: field name to value, with "__typename" set on
// objects whose type is not implied by the schema.
type Obj = map[string]any

var docCache sync.Map // query text -> *ast.QueryDocument, validated

// prepare parses and validates a document and picks the operation to run.
func (s *Sim) prepare(query, opName string) (*ast.QueryDocument, *ast.OperationDefinition, gqlerror.List) {
	var doc *ast.QueryDocument
	if d, ok := docCache.Load(query); ok {
		doc = d.(*ast.QueryDocument)
	} else {
		var errs gqlerror.List
		if doc, errs = gqlparser.LoadQuery(s.schema, query); errs != nil {
			return nil, nil, errs
		}
		docCache.Store(query, doc)
	}
	if op := doc.Operations.ForName(opName); op != nil {
		return doc, op, nil
	}
	if len(doc.Operations) == 1 && opName == "" {
		return doc, doc.Operations[0], nil
	}
	return nil, nil, gqlerror.List{gqlerror.Errorf("An operation name is required")}
}

func coerceVariables(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) (map[string]any, gqlerror.List) {
	v, err := validator.VariableValues(schema, op, vars)
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			return nil, gqlerror.List{ge}
		}
		return nil, gqlerror.List{gqlerror.Wrap(err)}
	}
	return v, nil
}

// wrapper reports connection plumbing types.
func wrapper(name string) bool {
	return strings.HasSuffix(name, "Connection") || strings.HasSuffix(name, "Edge") || name == "PageInfo"
}

func intArg(args map[string]any, name string, def int) int {
	switch v := args[name].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return def
}

// resolver computes a field; without one the field is read from the object.
type resolver func(e *exec, obj Obj, args map[string]any) (any, error)

// exec walks one operation's selection sets over stored objects.
type exec struct {
	s      *Sim
	vars   map[string]any
	cost   int // actual cost
	errs   gqlerror.List
	search []Obj // extensions.search: warnings about search terms
	// bulkMode leaves nested connections out of their parent and collects
	// them in deferred, to be written as lines of their own.
	bulkMode bool
	deferred []deferred
	path     ast.Path // of the value being completed, for errors
}

// fail records an error at the current path.
func (e *exec) fail(err *gqlerror.Error) {
	err.Path = slices.Clone(e.path)
	e.errs = append(e.errs, err)
}

func (s *Sim) execute(op *ast.OperationDefinition, vars map[string]any) (Obj, *exec) {
	e := &exec{s: s, vars: vars}
	root := "QueryRoot"
	if op.Operation == ast.Mutation {
		root = "Mutation"
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		s.store.event = "" // a mutation is a merchant action of its own
	} else {
		s.store.mu.RLock()
		defer s.store.mu.RUnlock()
	}
	data, cost := e.selectionSet(nil, root, op.SelectionSet)
	e.cost = cost
	return data, e
}

// fields are the fields of set that apply to an object of typeName, each
// alias once (fragments may select a field again).
func (s *Sim) fields(typeName string, set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if !seen[sel.Alias] {
					seen[sel.Alias] = true
					out = append(out, sel)
				}
			case *ast.InlineFragment:
				if s.applies(sel.TypeCondition, typeName) {
					walk(sel.SelectionSet)
				}
			case *ast.FragmentSpread:
				if s.applies(sel.Definition.TypeCondition, typeName) {
					walk(sel.Definition.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return out
}

func (s *Sim) applies(cond, typeName string) bool {
	if cond == "" || cond == typeName {
		return true
	}
	for _, d := range s.schema.PossibleTypes[cond] {
		if d.Name == typeName {
			return true
		}
	}
	return false
}

// selectionSet completes the fields of an object and returns them with
// their actual cost.
func (e *exec) selectionSet(obj Obj, typeName string, set ast.SelectionSet) (Obj, int) {
	fs := e.s.fields(typeName, set)
	out := make(Obj, len(fs))
	total := 0
	for _, f := range fs {
		v, cost, skip := e.field(obj, typeName, f)
		if !skip {
			out[f.Alias] = v
			total += cost
		}
	}
	return out, total
}

// field resolves and completes one field; skip is set for nested connections
// that bulk mode emits as lines of their own.
func (e *exec) field(obj Obj, typeName string, f *ast.Field) (any, int, bool) {
	if f.Name == "__typename" {
		return typeName, 0, false
	}
	e.path = append(e.path, ast.PathName(f.Alias))
	defer func() { e.path = e.path[:len(e.path)-1] }()
	if e.denied(typeName, f) {
		return nil, 0, false
	}
	if typeName == "Mutation" && obj == nil {
		v, cost := e.mutationField(f)
		return v, cost, false
	}
	args := f.ArgumentMap(e.vars)
	var v any
	if r := resolvers[typeName+"."+f.Name]; r != nil {
		var err error
		if v, err = r(e, obj, args); err != nil {
			e.fail(&gqlerror.Error{Message: err.Error()})
			return nil, 0, false
		}
	} else {
		v = obj[f.Name]
	}
	if e.bulkMode && strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		if srt, ok := v.(sorted); ok {
			v = srt.nodes
		}
		e.deferred = append(e.deferred, deferred{v, f})
		return nil, 0, true
	}
	out, cost := e.complete(v, f.Definition.Type, f, args, typeName)
	return out, cost, false
}

// complete shapes a resolved value as the field's type asks and returns its
// actual cost: what came back, by the rules of requested costs (cost.go).
// An object that came back null was still looked up and costs its own
// point; a list costs its dearest element.
func (e *exec) complete(v any, t *ast.Type, f *ast.Field, args map[string]any, parent string) (any, int) {
	if v == nil {
		if t.Elem != nil || strings.HasSuffix(t.NamedType, "Connection") {
			return nil, 0
		}
		return nil, e.s.ownCost(parent, t.NamedType)
	}
	if t.Elem != nil {
		var out []any
		most := 0
		item := func(i int, x any) {
			e.path = append(e.path, ast.PathIndex(i))
			c, cost := e.complete(x, t.Elem, f, args, parent)
			out, most = append(out, c), max(most, cost)
			e.path = e.path[:len(e.path)-1]
		}
		switch list := v.(type) {
		case []Obj:
			for i, x := range list {
				item(i, x)
			}
		case []any:
			for i, x := range list {
				item(i, x)
			}
		case []string:
			if list == nil {
				return nil, 0 // a user error's field path when there is none
			}
			for _, x := range list {
				out = append(out, x)
			}
		default:
			return v, 0
		}
		if out == nil {
			out = []any{}
		}
		return out, most
	}
	def := e.s.schema.Types[t.NamedType]
	if def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return v, 0
	}
	if strings.HasSuffix(def.Name, "Connection") {
		conn, err := connection(v, args)
		if err != nil {
			e.fail(&gqlerror.Error{Message: err.Error()})
			return nil, 0
		}
		out, nodes := e.selectionSet(conn, def.Name, f.SelectionSet)
		return out, connectionCost(len(conn["nodes"].([]Obj)), nodes)
	}
	o, ok := v.(Obj)
	if !ok || o == nil {
		return nil, 0
	}
	name := def.Name
	if tn, ok := o["__typename"].(string); ok {
		name = tn
	}
	if def.IsAbstractType() && e.deniedType(name, f) {
		return nil, 0
	}
	out, cost := e.selectionSet(o, name, f.SelectionSet)
	return out, e.s.ownCost(parent, def.Name) + cost
}

// sorted is a connection's nodes with a sort key, so cursors stay valid when
// nodes move between pages.
type sorted struct {
	nodes []Obj
	key   func(Obj) string
}

// connection pages nodes the way Shopify does: first/last up to 250, opaque
// cursors, edges, nodes and pageInfo.
func connection(v any, args map[string]any) (Obj, error) {
	var list sorted
	switch x := v.(type) {
	case sorted:
		list = x
	case []Obj:
		list = sorted{nodes: x}
	default:
		return nil, fmt.Errorf("internal: %T is not a connection", v)
	}
	first, last := intArg(args, "first", -1), intArg(args, "last", -1)
	if first < 0 && last < 0 {
		return nil, errors.New("you must provide one of first or last")
	}
	if first > maxPageSize || last > maxPageSize {
		return nil, fmt.Errorf("The 'first' and 'last' arguments must be at most %d", maxPageSize)
	}
	keys := make([]string, len(list.nodes))
	for i, n := range list.nodes {
		if list.key != nil {
			keys[i] = list.key(n)
		} else {
			keys[i] = fmt.Sprintf("%09d", i)
		}
	}
	nodes := list.nodes
	if rev, _ := args["reverse"].(bool); rev {
		nodes = reversed(nodes)
		keys = reversed(keys)
	}
	lo, hi := 0, len(nodes)
	if after, _ := args["after"].(string); after != "" {
		k := decodeCursor(after)
		for lo < hi && !beyond(keys[lo], k, args) {
			lo++
		}
	}
	if before, _ := args["before"].(string); before != "" {
		k := decodeCursor(before)
		for hi > lo && !beyond(k, keys[hi-1], args) {
			hi--
		}
	}
	hasNext, hasPrev := false, lo > 0
	if first >= 0 && hi-lo > first {
		hi, hasNext = lo+first, true
	}
	if last >= 0 && hi-lo > last {
		lo, hasPrev = hi-last, true
	}
	edges := make([]Obj, 0, hi-lo)
	for i := lo; i < hi; i++ {
		edges = append(edges, Obj{"cursor": encodeCursor(keys[i]), "node": nodes[i]})
	}
	page := nodes[lo:hi:hi]
	pi := Obj{"hasNextPage": hasNext, "hasPreviousPage": hasPrev, "startCursor": nil, "endCursor": nil}
	if len(edges) > 0 {
		pi["startCursor"], pi["endCursor"] = edges[0]["cursor"], edges[len(edges)-1]["cursor"]
	}
	return Obj{"edges": edges, "nodes": page, "pageInfo": pi}, nil
}

// beyond reports whether key a comes after key b in the listing direction.
func beyond(a, b string, args map[string]any) bool {
	if rev, _ := args["reverse"].(bool); rev {
		return a < b
	}
	return a > b
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(c string) string {
	b, _ := base64.RawURLEncoding.DecodeString(c)
	return string(b)
}

func reversed[T any](in []T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[len(in)-1-i] = v
	}
	return out
}

// gid builds a global ID.
func gid(typ string, n int64) string { return "gid://shopify/" + typ + "/" + strconv.FormatInt(n, 10) }
