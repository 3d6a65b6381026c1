package odoosim

import (
	_ "embed"
	"encoding/json"
)

// states.json holds base's res.country.state.csv rows of the simulated
// countries, by version, each as [id, country code, code, name]: the id is
// the row's, as a fresh database numbers them.
//
//go:embed states.json
var statesJSON []byte

type countryState struct {
	id                  int64
	country, code, name string
}

var countryStates = map[int][]countryState{}

func init() {
	var raw map[string][][4]any
	if err := json.Unmarshal(statesJSON, &raw); err != nil {
		panic(err)
	}
	for v, rows := range raw {
		var n int
		for _, c := range v {
			n = n*10 + int(c-'0')
		}
		for _, r := range rows {
			countryStates[n] = append(countryStates[n], countryState{int64(r[0].(float64)), r[1].(string), r[2].(string), r[3].(string)})
		}
	}
}
