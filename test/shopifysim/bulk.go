package shopifysim

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// bulkState tracks bulk operations; guarded by Store.mu.
type bulkState struct {
	dir     string
	running []Obj // query operations not finished
	last    Obj   // the most recent
	hold    bool  // operations started stay RUNNING until cancelled
}

// HoldBulk makes the bulk operations started from now on stay RUNNING until
// cancelled, as one stuck on Shopify's side does; false lets the next ones
// run again.
func (s *Sim) HoldBulk(hold bool) {
	s.store.mu.Lock()
	s.store.bulk.hold = hold
	s.store.mu.Unlock()
}

// cancelDelay is how long a bulk operation stays CANCELING.
const cancelDelay = 200 * time.Millisecond

// Since 2026-01 an app may run five bulk queries at once per shop.
const bulkConcurrency = 5

// bulkPage is how many root objects the simulator writes before their
// children when the result is not grouped.
const bulkPage = 100

func init() {
	resolvers["Mutation.bulkOperationRunQuery"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		fail := func(field []string, code string, msgs ...string) (any, error) {
			errs := make([]Obj, len(msgs))
			for i, m := range msgs {
				errs[i] = userError(field, code, "%s", m)
			}
			return Obj{"bulkOperation": nil, "userErrors": errs}, nil
		}
		if len(st.bulk.running) >= bulkConcurrency {
			ids := make([]string, len(st.bulk.running))
			for i, bo := range st.bulk.running {
				ids[i] = bo["id"].(string)
			}
			return fail(nil, "OPERATION_IN_PROGRESS", "A bulk query operation for this app and shop is already in progress: "+strings.Join(ids, ", ")+".")
		}
		query := str(a, "query")
		doc, errs := gqlparser.LoadQuery(e.s.schema, query)
		if errs != nil {
			return fail([]string{"query"}, "INVALID", "Invalid bulk query: "+errs.Error())
		}
		op := doc.Operations[0]
		if msgs := checkBulkQuery(op); msgs != nil {
			return fail([]string{"query"}, "INVALID", msgs...)
		}
		bo := st.add("BulkOperation", Obj{"status": "RUNNING", "type": "QUERY", "query": query, "createdAt": now(),
			"completedAt": nil, "errorCode": nil, "objectCount": "0", "rootObjectCount": "0", "fileSize": nil, "url": nil, "partialDataUrl": nil})
		st.bulk.running = append(st.bulk.running, bo)
		st.bulk.last = bo
		grouped, _ := a["groupObjects"].(bool)
		root := fieldsOf(op.SelectionSet)[0] // the connection: checkBulkQuery wants one, and nothing beside it
		if !st.bulk.hold {
			go e.s.runBulk(bo, root, grouped)
		}
		return Obj{"bulkOperation": bo, "userErrors": []Obj{}}, nil
	}
	resolvers["Mutation.bulkOperationCancel"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		bo := st.nodes[str(a, "id")]
		if bo == nil || bo["__typename"] != "BulkOperation" {
			return Obj{"bulkOperation": nil, "userErrors": []Obj{userError([]string{"id"}, nil, "Bulk operation does not exist")}}, nil
		}
		if bo["status"] != "RUNNING" && bo["status"] != "CREATED" {
			return Obj{"bulkOperation": bo, "userErrors": []Obj{userError(nil, nil,
				"A bulk operation cannot be canceled when it is %s", strings.ToLower(bo["status"].(string)))}}, nil
		}
		// Shopify's schema: "There may be a short delay from when a
		// cancelation starts until the operation is actually canceled";
		// until then it still takes one of the shop's concurrent slots.
		bo["status"] = "CANCELING"
		time.AfterFunc(cancelDelay, func() {
			st.mu.Lock()
			defer st.mu.Unlock()
			bo["status"], bo["completedAt"] = "CANCELED", now()
			st.bulk.running = slices.DeleteFunc(st.bulk.running, func(o Obj) bool { return o["id"] == bo["id"] })
		})
		return Obj{"bulkOperation": bo, "userErrors": []Obj{}}, nil
	}
	resolvers["QueryRoot.currentBulkOperation"] = func(e *exec, _ Obj, _ map[string]any) (any, error) {
		return e.s.store.bulk.last, nil
	}
}

// checkBulkQuery returns Shopify's objections to a bulk query, in the words
// of its answers captured in bulk-operation-run-query-validators.json: at
// most five connections, nested at most two deep, read through edges and
// node, each nested one under a node that selects its id, none in a list.
func checkBulkQuery(op *ast.OperationDefinition) []string {
	if op.Operation != ast.Query {
		return []string{"Invalid operation type. Only `query` operations are supported."}
	}
	var msgs, viaNodes, withoutID []string
	connections, depth, inList := 0, 0, false
	var walk func(set ast.SelectionSet, level int, list bool, parent *ast.Field)
	walk = func(set ast.SelectionSet, level int, list bool, parent *ast.Field) {
		for _, f := range fieldsOf(set) {
			switch t := f.Definition.Type; {
			case parent == nil && level == 0 && (f.Name == "node" || f.Name == "nodes"):
				msgs = append(msgs, "Bulk queries cannot contain a top level `"+f.Name+"` field.")
			case strings.HasSuffix(t.Name(), "Connection") && t.Elem == nil:
				connections++
				depth, inList = max(depth, level), inList || list
				if parent != nil && !slices.ContainsFunc(fieldsOf(nodeSelection(parent)), func(c *ast.Field) bool { return c.Name == "id" && c.Alias == "id" }) {
					withoutID = append(withoutID, parent.Name)
				}
				if slices.ContainsFunc(fieldsOf(f.SelectionSet), func(c *ast.Field) bool { return c.Name == "nodes" }) {
					viaNodes = append(viaNodes, f.Name)
				}
				walk(nodeSelection(f), level+1, list, f)
			default:
				walk(f.SelectionSet, level, list || t.Elem != nil, parent)
			}
		}
	}
	walk(op.SelectionSet, 0, false, nil)
	if len(fieldsOf(op.SelectionSet)) > 1 {
		msgs = append(msgs, "Bulk queries must contain exactly one top-level connection field.")
	}
	if connections == 0 {
		msgs = append(msgs, "Bulk queries must contain at least one connection.")
	}
	if viaNodes != nil {
		msgs = append(msgs, "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: '"+viaNodes[0]+
			" { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: '"+strings.Join(viaNodes, "', '")+"'.")
	}
	if connections > 5 {
		msgs = append(msgs, "Bulk queries cannot contain more than 5 connections.")
	}
	if depth > 2 {
		msgs = append(msgs, "Bulk queries cannot contain connections with a nesting depth greater than 2.")
	}
	if withoutID != nil {
		msgs = append(msgs, "The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': "+
			strings.Join(slices.Compact(withoutID), ", ")+".")
	}
	if inList {
		msgs = append(msgs, "Queries that contain a connection field within a list field are not currently supported.")
	}
	return msgs
}

// fieldsOf are the fields of a selection set, through its fragments.
func fieldsOf(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			out = append(out, sel)
		case *ast.InlineFragment:
			out = append(out, fieldsOf(sel.SelectionSet)...)
		case *ast.FragmentSpread:
			out = append(out, fieldsOf(sel.Definition.SelectionSet)...)
		}
	}
	return out
}

// nodeSelection is what a connection field asks of each node.
func nodeSelection(f *ast.Field) ast.SelectionSet {
	for _, sel := range f.SelectionSet {
		c, ok := sel.(*ast.Field)
		switch {
		case !ok:
		case c.Name == "nodes":
			return c.SelectionSet
		case c.Name == "edges":
			for _, s := range c.SelectionSet {
				if n, ok := s.(*ast.Field); ok && n.Name == "node" {
					return n.SelectionSet
				}
			}
		}
	}
	return nil
}

type deferred struct {
	value any
	field *ast.Field
}

// runBulk writes the JSONL result to a file: each node on a line, nested
// connections' nodes on lines of their own after their parent, pointing back
// with __parentId. Grouped, an object's children follow it; otherwise a page
// of objects comes first, then their children, as Shopify's children come
// after their parent but not right after it. The store is locked per page,
// so writers are not held off for the whole run.
func (s *Sim) runBulk(bo Obj, root *ast.Field, grouped bool) {
	st := s.store
	finish := func(fields Obj) {
		st.mu.Lock()
		defer st.mu.Unlock()
		if bo["status"] == "CANCELING" || bo["status"] == "CANCELED" {
			return
		}
		for k, v := range fields {
			bo[k] = v
		}
		bo["completedAt"] = now()
		st.bulk.running = slices.DeleteFunc(st.bulk.running, func(o Obj) bool { return o["id"] == bo["id"] })
	}
	st.mu.Lock()
	if st.bulk.dir == "" {
		st.bulk.dir, _ = os.MkdirTemp("", "shopifysim-bulk-")
	}
	dir := st.bulk.dir
	st.mu.Unlock()
	f, err := os.CreateTemp(dir, "bulk-*.jsonl")
	if err != nil {
		finish(Obj{"status": "FAILED", "errorCode": "INTERNAL_SERVER_ERROR"})
		return
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	enc := json.NewEncoder(w)
	e := &exec{s: s, bulkMode: true}
	st.mu.RLock()
	v, err := resolvers["QueryRoot."+root.Name](e, nil, root.ArgumentMap(nil))
	st.mu.RUnlock()
	if err != nil {
		finish(Obj{"status": "FAILED", "errorCode": "INTERNAL_SERVER_ERROR"})
		return
	}
	nodes, _ := v.([]Obj)
	if srt, ok := v.(sorted); ok {
		nodes = srt.nodes
	}
	type line struct {
		o      Obj
		set    ast.SelectionSet
		parent any
	}
	objects := 0
	// write encodes one object and returns the nodes of its nested connections.
	write := func(l line) ([]line, error) {
		e.deferred = nil
		out, _ := e.selectionSet(l.o, l.o["__typename"].(string), l.set)
		if l.parent != nil {
			out["__parentId"] = l.parent
		}
		objects++
		var children []line
		for _, d := range e.deferred {
			nodes, _ := d.value.([]Obj)
			for _, c := range nodes {
				children = append(children, line{c, nodeSelection(d.field), l.o["id"]})
			}
		}
		return children, enc.Encode(out)
	}
	var emit func(lines []line) error
	emit = func(lines []line) error {
		for len(lines) > 0 {
			var next []line
			for _, l := range lines {
				children, err := write(l)
				if err == nil && grouped {
					err = emit(children)
				}
				if err != nil {
					return err
				}
				next = append(next, children...)
			}
			if grouped {
				return nil
			}
			lines = next
		}
		return nil
	}
	sel := nodeSelection(root)
	for page := range slices.Chunk(nodes, bulkPage) {
		lines := make([]line, len(page))
		for i, n := range page {
			lines[i] = line{o: n, set: sel}
		}
		st.mu.RLock()
		err = emit(lines)
		st.mu.RUnlock()
		if err != nil {
			finish(Obj{"status": "FAILED", "errorCode": "INTERNAL_SERVER_ERROR"})
			return
		}
	}
	if err := w.Flush(); err != nil {
		finish(Obj{"status": "FAILED", "errorCode": "INTERNAL_SERVER_ERROR"})
		return
	}
	size, _ := f.Seek(0, 2)
	done := Obj{"status": "COMPLETED", "objectCount": strconv.Itoa(objects), "rootObjectCount": strconv.Itoa(len(nodes)),
		"fileSize": strconv.FormatInt(size, 10)}
	if objects > 0 {
		done["url"] = s.URL() + "/bulk/" + filepath.Base(f.Name())
	}
	finish(done)
}

func (st *Store) serveBulk(w http.ResponseWriter, r *http.Request) {
	st.mu.RLock()
	dir := st.bulk.dir
	st.mu.RUnlock()
	name := filepath.Base(r.PathValue("file"))
	if dir == "" || filepath.Ext(name) != ".jsonl" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	http.ServeFile(w, r, filepath.Join(dir, name))
}

func (st *Store) closeBulk() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.bulk.dir != "" {
		os.RemoveAll(st.bulk.dir)
	}
}
