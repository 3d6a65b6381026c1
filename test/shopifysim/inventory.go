package shopifysim

// SetAvailable stocks an inventory item at a location with available
// units, as a merchant counting it in the admin would; the units on hand
// move by as much.
func (st *Store) SetAvailable(itemID, locationID string, available int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	q := st.activate(itemID, locationID, available)["q"].(map[string]int)
	q["on_hand"] += available - q["available"]
	q["available"] = available
}
