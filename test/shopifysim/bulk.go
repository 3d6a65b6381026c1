package shopifysim

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// bulkState tracks bulk operations; guarded by Store.mu.
type bulkState struct {
	dir     string
	running Obj
}

func init() {
	resolvers["Mutation.bulkOperationRunQuery"] = func(e *exec, _ Obj, a map[string]any) (any, error) {
		st := e.s.store
		fail := func(code, msg string) (any, error) {
			return Obj{"bulkOperation": nil, "userErrors": []Obj{userError([]string{"query"}, code, "%s", msg)}}, nil
		}
		if st.bulk.running != nil {
			return fail("OPERATION_IN_PROGRESS", "A bulk query operation for this app and shop is already in progress: "+st.bulk.running["id"].(string)+".")
		}
		query := str(a, "query")
		doc, errs := gqlparser.LoadQuery(e.s.schema, query)
		if errs != nil {
			return fail("INVALID", "Invalid bulk query: "+errs.Error())
		}
		op := doc.Operations[0]
		if op.Operation != ast.Query || len(op.SelectionSet) != 1 {
			return fail("INVALID", "Bulk queries must contain exactly one top-level connection field.")
		}
		root, _ := op.SelectionSet[0].(*ast.Field)
		if root == nil || !wrapper(root.Definition.Type.Name()) {
			return fail("INVALID", "Bulk queries must contain at least one connection.")
		}
		bo := st.add("BulkOperation", Obj{"status": "RUNNING", "type": "QUERY", "query": query, "createdAt": now(),
			"completedAt": nil, "errorCode": nil, "objectCount": "0", "rootObjectCount": "0", "fileSize": nil, "url": nil, "partialDataUrl": nil})
		st.bulk.running = bo
		go e.s.runBulk(bo, root)
		return Obj{"bulkOperation": bo, "userErrors": []Obj{}}, nil
	}
	resolvers["QueryRoot.currentBulkOperation"] = func(e *exec, _ Obj, _ map[string]any) (any, error) {
		return e.s.store.bulk.running, nil
	}
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
// with __parentId. The store is locked per root node, so writers are not held
// off for the whole run.
func (s *Sim) runBulk(bo Obj, root *ast.Field) {
	st := s.store
	finish := func(fields Obj) {
		st.mu.Lock()
		defer st.mu.Unlock()
		for k, v := range fields {
			bo[k] = v
		}
		bo["completedAt"] = now()
		st.bulk.running = nil
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
	sel := nodeSelection(root)
	objects := 0
	var emit func(o Obj, set ast.SelectionSet, parent any) error
	emit = func(o Obj, set ast.SelectionSet, parent any) error {
		saved := e.deferred
		e.deferred = nil
		out, _ := e.selectionSet(o, o["__typename"].(string), set)
		mine := e.deferred
		e.deferred = saved
		if parent != nil {
			out["__parentId"] = parent
		}
		objects++
		if err := enc.Encode(out); err != nil {
			return err
		}
		for _, d := range mine {
			children, _ := d.value.([]Obj)
			for _, c := range children {
				if err := emit(c, nodeSelection(d.field), o["id"]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, n := range nodes {
		st.mu.RLock()
		err = emit(n, sel, nil)
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
