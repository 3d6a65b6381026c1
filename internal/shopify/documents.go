package shopify

import (
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

//go:embed graphql/*.graphql
var documentFiles embed.FS

// document is one operation with the fragments it uses appended, ready to send.
type document struct {
	name       string
	text       string
	mutation   bool
	idempotent bool // carries @idempotent, so a retry cannot apply it twice
}

var (
	fragmentRef = regexp.MustCompile(`\.\.\.\s*([A-Z]\w*)`)
	fragmentDef = regexp.MustCompile(`(?m)^fragment (\w+) on `)
	documents   = loadDocuments()
)

func loadDocuments() map[string]*document {
	read := func(name string) string {
		b, err := documentFiles.ReadFile("graphql/" + name)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	fragments := map[string]string{}
	src := read("fragments.graphql")
	locs := fragmentDef.FindAllStringSubmatchIndex(src, -1)
	for i, l := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		fragments[src[l[2]:l[3]]] = strings.TrimSpace(src[l[0]:end])
	}
	entries, _ := documentFiles.ReadDir("graphql")
	out := map[string]*document{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".graphql")
		if name == "fragments" {
			continue
		}
		body := read(e.Name())
		var used []string
		seen := map[string]bool{}
		var walk func(string)
		walk = func(text string) {
			for _, m := range fragmentRef.FindAllStringSubmatch(text, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					f, ok := fragments[m[1]]
					if !ok {
						panic(fmt.Sprintf("shopify: document %s uses unknown fragment %s", name, m[1]))
					}
					used = append(used, m[1])
					walk(f)
				}
			}
		}
		walk(body)
		sort.Strings(used)
		text := body
		for _, f := range used {
			text += "\n" + fragments[f]
		}
		out[name] = &document{
			name:       name,
			text:       text,
			mutation:   strings.HasPrefix(strings.TrimSpace(body), "mutation"),
			idempotent: strings.Contains(body, "@idempotent("),
		}
	}
	return out
}

func doc(name string) *document {
	d, ok := documents[name]
	if !ok {
		panic("shopify: no document " + name)
	}
	return d
}
