package shopify

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/shopify-odoo/connector/test/shopifyschema"
)

func TestDocumentsValidateAgainstSchema(t *testing.T) {
	s, err := shopifyschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(documents) < 15 {
		t.Fatalf("only %d documents embedded", len(documents))
	}
	for name, d := range documents {
		text := d.text
		bulk := strings.Contains(text, `"QUERY"`)
		if bulk {
			text = bulkQuery(name, "status:open")
		}
		q, errs := gqlparser.LoadQuery(s, text)
		if errs != nil {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if !bulk && q.Operations.ForName(name) == nil {
			t.Errorf("%s: the operation must be named like its file", name)
		}
		if d.mutation != strings.HasPrefix(strings.TrimSpace(text), "mutation") {
			t.Errorf("%s: mutation flag wrong", name)
		}
	}
}
