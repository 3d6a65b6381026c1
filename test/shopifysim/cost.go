package shopifysim

import (
	"math"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Shopify's calculated query cost, fitted to the extensions.cost of its
// answers captured in the public shopify-draft-proxy fixtures (API versions
// 2025-01 to 2026-04; cost_test.go replays a few):
//
//   - scalars and enums cost 0, objects 1, and so do lists of objects
//     (not one per element);
//   - money (MoneyBag, MoneyV2), user errors and connection plumbing cost 0;
//   - an interface or union costs the most any of its types selected costs;
//   - a connection costs 2 plus its node's cost times pageWeight(first);
//   - a mutation costs its base (10, refundCreate 20) plus what its payload
//     selects; the payload and the objects right in it cost nothing themselves.
//
// The actual cost applies the same rules to what came back: a connection
// weighs the nodes returned, an object that came back null its own point.

// mutationBase is what a mutation costs beyond its payload.
var mutationBase = map[string]int{"refundCreate": 20}

const defaultMutationBase = 10

// pageWeight is what a connection of n nodes multiplies its node's cost by:
// much less than n (first: 250 weighs 11).
func pageWeight(n int) int {
	if n <= 1 {
		return 1
	}
	return int(math.Ceil(math.Log2(float64(n)))) + int(math.Sqrt(float64(n))/5)
}

func connectionCost(n, nodes int) int { return 2 + pageWeight(max(n, 1))*nodes }

// ownCost is what an object of typeName costs itself when a field of parent
// returns it.
func (s *Sim) ownCost(parent, typeName string) int {
	def := s.schema.Types[typeName]
	switch {
	case def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum || wrapper(typeName),
		typeName == "MoneyBag" || typeName == "MoneyV2" || strings.HasSuffix(typeName, "UserError"),
		strings.HasSuffix(typeName, "Payload") || strings.HasSuffix(parent, "Payload"):
		return 0
	}
	return 1
}

// requestedCost is the worst case of an operation, known before it runs.
func (s *Sim) requestedCost(op *ast.OperationDefinition, vars map[string]any) int {
	if op.Operation != ast.Mutation {
		return s.selectionCost("QueryRoot", op.SelectionSet, vars)
	}
	total := 0
	for _, f := range s.fields("Mutation", op.SelectionSet) {
		total += baseCost(f.Name) + s.fieldCost("Mutation", f, vars)
	}
	return total
}

func baseCost(mutation string) int {
	if c, ok := mutationBase[mutation]; ok {
		return c
	}
	return defaultMutationBase
}

// selectionCost is what set costs on an object of typeName; on an interface
// or union, the most it costs on any type its fragments name.
func (s *Sim) selectionCost(typeName string, set ast.SelectionSet, vars map[string]any) int {
	types := []string{typeName}
	if def := s.schema.Types[typeName]; def != nil && def.IsAbstractType() {
		var walk func(ast.SelectionSet)
		walk = func(set ast.SelectionSet) {
			for _, sel := range set {
				switch sel := sel.(type) {
				case *ast.InlineFragment:
					types = append(types, sel.TypeCondition)
					walk(sel.SelectionSet)
				case *ast.FragmentSpread:
					types = append(types, sel.Definition.TypeCondition)
					walk(sel.Definition.SelectionSet)
				}
			}
		}
		walk(set)
	}
	most := 0
	for _, t := range slices.Compact(types) {
		total := 0
		for _, f := range s.fields(t, set) {
			total += s.fieldCost(t, f, vars)
		}
		most = max(most, total)
	}
	return most
}

func (s *Sim) fieldCost(parent string, f *ast.Field, vars map[string]any) int {
	if f.Definition == nil {
		return 0
	}
	name := f.Definition.Type.Name()
	children := s.selectionCost(name, f.SelectionSet, vars)
	if strings.HasSuffix(name, "Connection") && f.Definition.Type.Elem == nil {
		args := f.ArgumentMap(vars)
		return connectionCost(intArg(args, "first", intArg(args, "last", 1)), children)
	}
	return s.ownCost(parent, name) + children
}
