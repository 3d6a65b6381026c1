package odoosim

import (
	"fmt"
	"testing"
)

var inventoryMode = map[string]any{"context": map[string]any{"inventory_mode": true}}

// countAt counts qty of a product at the warehouse's stock location in
// inventory mode and returns the quant it was written on.
func countAt(t *testing.T, s *Sim, product any, qty float64) []any {
	t.Helper()
	return must(t, s, "stock.quant", "create", []any{[]any{map[string]any{"product_id": product, "location_id": stockLocation(t, s),
		"inventory_quantity": qty}}}, inventoryMode).([]any)
}

func stockLocation(t *testing.T, s *Sim) any {
	t.Helper()
	wh := must(t, s, "stock.warehouse", "search_read", []any{[]any{}, []any{"lot_stock_id"}}, nil).([]any)
	return wh[0].(map[string]any)["lot_stock_id"].([]any)[0]
}

func onHandAt(t *testing.T, s *Sim, product any) float64 {
	t.Helper()
	rows := must(t, s, "stock.quant", "search_read", []any{[]any{[]any{"product_id", "=", product},
		[]any{"location_id", "=", stockLocation(t, s)}}, []any{"quantity"}}, nil).([]any)
	sum := 0.0
	for _, r := range rows {
		sum += r.(map[string]any)["quantity"].(float64)
	}
	return sum
}

func inventoryMoves(t *testing.T, s *Sim, product any) int {
	t.Helper()
	n := must(t, s, "stock.move", "search_count", []any{[]any{[]any{"product_id", "=", product}, []any{"is_inventory", "=", true}}}, nil)
	return int(n.(float64))
}

func newProduct(t *testing.T, s *Sim, vals map[string]any) any {
	t.Helper()
	if s.opts.Version == 17 && vals["is_storable"] == true {
		delete(vals, "is_storable")
		vals["type"] = "product"
	}
	return must(t, s, "product.product", "create", []any{vals}, nil)
}

func TestInventoryCountIsAppliedOnTheSameQuant(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v})
			p := newProduct(t, s, map[string]any{"name": "Counted mug", "type": "consu", "is_storable": true})
			q := countAt(t, s, p, 7)
			if onHandAt(t, s, p) != 0 {
				t.Fatal("a count changes the quantity before it is applied")
			}
			if res := must(t, s, "stock.quant", "action_apply_inventory", []any{q}, inventoryMode); res != nil {
				t.Fatalf("apply returned %v", res)
			}
			if got := onHandAt(t, s, p); got != 7 {
				t.Fatalf("on hand %v, want 7", got)
			}
			again := countAt(t, s, p, 4)
			if fmt.Sprint(again) != fmt.Sprint(q) {
				t.Fatalf("the second count made quant %v, not counted on %v", again, q)
			}
			must(t, s, "stock.quant", "action_apply_inventory", []any{again}, inventoryMode)
			if got := onHandAt(t, s, p); got != 4 {
				t.Fatalf("on hand %v, want 4", got)
			}
			// Applying an equal count still records an adjustment, as Odoo does.
			must(t, s, "stock.quant", "action_apply_inventory", []any{countAt(t, s, p, 4)}, inventoryMode)
			if n := inventoryMoves(t, s, p); n != 3 {
				t.Fatalf("%d inventory moves, want 3", n)
			}
			// inventory_quantity_auto_apply leaves an equal quantity alone.
			must(t, s, "stock.quant", "create", []any{[]any{map[string]any{"product_id": p, "location_id": stockLocation(t, s),
				"inventory_quantity_auto_apply": 4}}}, inventoryMode)
			if n := inventoryMoves(t, s, p); n != 3 {
				t.Fatalf("%d inventory moves after an equal auto-applied count, want 3", n)
			}
		})
	}
}

func TestInventoryCountRefusals(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v})
			consu := newProduct(t, s, map[string]any{"name": "Paper bag", "type": "consu"})
			_, err := call(t, s, "stock.quant", "create", []any{[]any{map[string]any{"product_id": consu, "location_id": stockLocation(t, s),
				"inventory_quantity": 5}}}, inventoryMode)
			if errMsg(err) != "Quants cannot be created for consumables or services." {
				t.Errorf("a consumable's count: %v", err)
			}
			good := newProduct(t, s, map[string]any{"name": "Mug", "type": "consu", "is_storable": true})
			_, err = call(t, s, "stock.quant", "create", []any{[]any{map[string]any{"product_id": good, "location_id": stockLocation(t, s),
				"inventory_quantity": 5, "quantity": 5}}}, inventoryMode)
			if errMsg(err) != "Quant's creation is restricted, you can't do this operation." {
				t.Errorf("a count setting the quantity: %v", err)
			}
			if _, err := call(t, s, "stock.quant", "_apply_inventory", []any{[]any{}}, nil); err == nil {
				t.Error("the private _apply_inventory ran")
			}
		})
	}
}

func TestLotTrackedCountWantsLotsBefore19(t *testing.T) {
	for _, v := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			s := New(Options{Version: v})
			p := newProduct(t, s, map[string]any{"name": "Wine", "type": "consu", "is_storable": true, "tracking": "lot"})
			res := must(t, s, "stock.quant", "action_apply_inventory", []any{countAt(t, s, p, 5)}, inventoryMode)
			a, _ := res.(map[string]any)
			switch {
			case v <= 18 && (a == nil || a["res_model"] != "stock.track.confirmation" || onHandAt(t, s, p) != 0):
				t.Errorf("want the stock.track.confirmation wizard and nothing applied, got %v and %v on hand", res, onHandAt(t, s, p))
			case v == 19 && (res != nil || onHandAt(t, s, p) != 5):
				t.Errorf("want the count applied, got %v and %v on hand", res, onHandAt(t, s, p))
			}
		})
	}
}
