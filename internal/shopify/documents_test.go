package shopify

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

var (
	schemaOnce sync.Once
	schema     *ast.Schema
	schemaErr  error
)

// adminSchema loads the real Admin API schema from the shared directory beside
// the repository.
func adminSchema(t testing.TB) *ast.Schema {
	schemaOnce.Do(func() {
		var f *os.File
		f, schemaErr = os.Open(filepath.Join("..", "..", "..", "shared", "shopify", "admin-2026-10.graphql.gz"))
		if schemaErr != nil {
			return
		}
		defer f.Close()
		var zr *gzip.Reader
		if zr, schemaErr = gzip.NewReader(f); schemaErr != nil {
			return
		}
		var b []byte
		if b, schemaErr = io.ReadAll(zr); schemaErr != nil {
			return
		}
		schema, schemaErr = gqlparser.LoadSchema(&ast.Source{Name: "admin-2026-10.graphql", Input: string(b)})
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schema
}

func TestDocumentsValidateAgainstSchema(t *testing.T) {
	s := adminSchema(t)
	if len(documents) < 15 {
		t.Fatalf("only %d documents embedded", len(documents))
	}
	for name, d := range documents {
		text := d.text
		if name == "BulkOrders" {
			text = bulkOrdersQuery("status:any")
		}
		q, errs := gqlparser.LoadQuery(s, text)
		if errs != nil {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if name != "BulkOrders" && q.Operations.ForName(name) == nil {
			t.Errorf("%s: the operation must be named like its file", name)
		}
		if d.mutation != strings.HasPrefix(strings.TrimSpace(text), "mutation") {
			t.Errorf("%s: mutation flag wrong", name)
		}
	}
}
