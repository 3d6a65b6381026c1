// Package shopifyschema holds the real Shopify Admin GraphQL schema (see
// PROVENANCE.md), so the simulator and the document tests need nothing from
// outside the repository.
package shopifyschema

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Version is the Admin API version of the schema.
const Version = "2026-10"

//go:embed admin-2026-10.graphql.gz
var gz []byte

// Load parses the schema once per process; it takes a while.
var Load = sync.OnceValues(func() (*ast.Schema, error) { return Parse(gz) })

// Parse reads a gzipped SDL schema.
func Parse(gzipped []byte) (*ast.Schema, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gzipped))
	if err != nil {
		return nil, err
	}
	sdl, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	s, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "admin-" + Version + ".graphql", Input: string(sdl)})
	if gqlErr != nil {
		return nil, gqlErr
	}
	return s, nil
}
