package shopifyschema

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"regexp"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
)

//go:embed access-2026-10.json.gz
var accessGz []byte

// Access is what Shopify publishes of who may read each type and field.
type Access struct {
	Types  map[string]Rule `json:"types"`
	Fields map[string]Rule `json:"fields"` // by "Type.field"
}

// Rule is one type's or field's access metadata.
type Rule struct {
	RequiredAccess         string     `json:"requiredAccess"` // in Shopify's words
	AccessRestricted       bool       `json:"accessRestricted"`
	AccessRestrictedReason string     `json:"accessRestrictedReason"`
	Protected              *Protected `json:"protected"`
}

// Protected says a field is protected customer data, e.g. the customer's email.
type Protected struct {
	Subject string `json:"subject"` // "customer"
	Content string `json:"content"` // "name", "email", "phone" or "address"
}

// LoadAccess reads the access metadata once per process.
var LoadAccess = sync.OnceValues(func() (*Access, error) {
	zr, err := gzip.NewReader(bytes.NewReader(accessGz))
	if err != nil {
		return nil, err
	}
	var a Access
	return &a, json.NewDecoder(zr).Decode(&a)
})

// Requirement is the access a field needs.
type Requirement struct {
	Text string // Shopify's words, as its ACCESS_DENIED errors quote them
	// Scopes: every group needs one of its scopes. Empty when the text names
	// none: staff permissions, plans and the like are not checked.
	Scopes    [][]string
	Protected *Protected
}

// Field is the requirement of field f of type parent: the field's own,
// else its type's (a connection's nodes' type), as Shopify words the error
// for QueryRoot.shopifyPaymentsAccount with its type's text.
func (a *Access) Field(s *ast.Schema, parent string, f *ast.FieldDefinition) Requirement {
	own := a.Fields[parent+"."+f.Name]
	r := Requirement{Text: own.RequiredAccess, Protected: own.Protected}
	typ := a.Types[NodeType(s, f.Type.Name())]
	for _, t := range []string{typ.RequiredAccess, own.AccessRestrictedReason, typ.AccessRestrictedReason} {
		if r.Text == "" {
			r.Text = t
		}
	}
	r.Scopes = scopes(r.Text)
	return r
}

// Type is the requirement of an object of a type reached through an
// interface, e.g. an Order among nodes.
func (a *Access) Type(name string) Requirement {
	t := a.Types[name]
	return Requirement{Text: t.RequiredAccess, Scopes: scopes(t.RequiredAccess)}
}

// Allows reports whether an app may read the field; has says whether the
// app holds a scope.
func (r Requirement) Allows(has func(scope string) bool) bool {
	for _, group := range r.Scopes {
		ok := false
		for _, s := range group {
			ok = ok || has(s)
		}
		if !ok {
			return false
		}
	}
	return true
}

// NodeType is the type of a connection's nodes, or name itself.
func NodeType(s *ast.Schema, name string) string {
	if def := s.Types[name]; def != nil && strings.HasSuffix(name, "Connection") {
		if nodes := def.Fields.ForName("nodes"); nodes != nil {
			return nodes.Type.Name()
		}
	}
	return name
}

var quoted = regexp.MustCompile("`([a-z_]+)`")

// scopes reads the scopes out of a requiredAccess text: "`a` access scope
// or `b` access scope" is one group, "`a` ... as well as any of `b`, `c`"
// two. What follows "Also:" is staff permissions and conditions, left out.
func scopes(text string) [][]string {
	text, _, _ = strings.Cut(text, "Also:")
	var out [][]string
	for _, part := range strings.Split(text, " as well as ") {
		var group []string
		for _, m := range quoted.FindAllStringSubmatch(part, -1) {
			group = append(group, m[1])
		}
		if len(group) > 0 {
			out = append(out, group)
		}
	}
	return out
}
