package export

import (
	"context"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// maxPublications bounds the publications a State remembers, as the status does.
const maxPublications = 40

// publishing is what a pass publishes on and unpublishes from.
type publishing struct {
	want []v1.PublicationRef // spec.publications, resolved
	drop []v1.PublicationRef // published on before, no longer wanted
}

func (p publishing) on() bool { return len(p.want)+len(p.drop) > 0 }

// Publishes tells whether an export with these settings, after a pass that
// left prev, publishes or unpublishes, and so needs the publishing scopes.
func Publishes(prev State, p Products) bool { return len(p.Publications)+len(prev.Publications) > 0 }

// resolvePublications finds the publications p names, and those prev
// published on that p no longer names and the shop still has.
func resolvePublications(ctx context.Context, s *shopify.Client, p Products, prev State) (publishing, error) {
	if !Publishes(prev, p) {
		return publishing{}, nil
	}
	shop, err := s.Publications(ctx)
	if err != nil {
		return publishing{}, err
	}
	byName := map[string]string{}
	var names []string
	for _, pub := range shop {
		byName[pub.Name] = pub.ID
		names = append(names, fmt.Sprintf("%q", pub.Name))
	}
	var out publishing
	for _, name := range p.Publications {
		id, ok := byName[name]
		if !ok {
			return publishing{}, settingsErrorf("spec.publications names %q, which the shop has no publication of; it has %s",
				name, strings.Join(names, ", "))
		}
		out.want = append(out.want, v1.PublicationRef{Name: name, ID: id})
	}
	for _, old := range prev.Publications {
		gone := !slices.ContainsFunc(shop, func(pub shopify.Publication) bool { return pub.ID == old.ID })
		if !gone && !slices.ContainsFunc(out.want, func(r v1.PublicationRef) bool { return r.ID == old.ID }) {
			out.drop = append(out.drop, old)
		}
	}
	return out, nil
}

// remembered is what the next pass must know: the wanted publications,
// and those to drop while some product may still be on them.
func (p publishing) remembered(failed bool) []v1.PublicationRef {
	out := slices.Clone(p.want)
	if failed {
		out = append(out, p.drop...)
	}
	return out[:min(len(out), maxPublications)]
}

// publish puts a product on the wanted publications it is not on, and
// takes it off the dropped ones it is on; have is where it is now. It
// tells whether it changed anything, or why Shopify refused.
func (e *exporter) publish(ctx context.Context, productID string, have []string) (bool, string, error) {
	var on, off []string
	for _, r := range e.pubs.want {
		if !slices.Contains(have, r.ID) {
			on = append(on, r.ID)
		}
	}
	for _, r := range e.pubs.drop {
		if slices.Contains(have, r.ID) {
			off = append(off, r.ID)
		}
	}
	err := e.s.Publish(ctx, productID, on)
	if err == nil {
		err = e.s.Unpublish(ctx, productID, off)
	}
	if msg, ok := refused(err); ok {
		return false, "publishing: " + msg, nil
	}
	return len(on)+len(off) > 0, "", err
}
