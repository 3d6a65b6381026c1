// Command odoo-sim serves the simulated Odoo seeded with the shared catalogue,
// for the demo and for manual testing.
package main

import (
	"flag"
	"log"
	"net/http"
	"strings"

	"github.com/shopify-odoo/connector/test/odoosim"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:8069", "listen address")
	version := flag.Int("version", 19, "Odoo version to behave as: 17, 18 or 19")
	db := flag.String("database", "odoo", "database name")
	login := flag.String("login", "admin", "user login")
	password := flag.String("password", "admin", "user password")
	apiKey := flag.String("api-key", "", "API key (required)")
	seed := flag.Bool("seed", true, "seed the shared product catalogue, its taxes and stock")
	modules := flag.String("modules", "", "modules to install beyond those of a fresh sale_management, stock and account database, comma-separated; -name removes one, e.g. delivery,-stock_sms")
	second := flag.String("second-company", "", "name of a second company to seed beside the first, with its own taxes, journals, warehouse WH2 and pricelist")
	flag.Parse()
	if *apiKey == "" {
		log.Fatal("odoo-sim: -api-key is required")
	}
	if *version < 17 || *version > 19 {
		log.Fatalf("odoo-sim: unsupported version %d", *version)
	}
	mods := map[string]bool{}
	for _, m := range strings.Split(*modules, ",") {
		if m = strings.TrimSpace(m); m != "" {
			name, off := strings.CutPrefix(m, "-")
			mods[name] = !off
		}
	}
	sim := odoosim.New(odoosim.Options{Version: *version, Database: *db, Login: *login, Password: *password, APIKey: *apiKey, Catalog: *seed,
		Modules: mods, SecondCompany: *second})
	log.Printf("odoo-sim: Odoo %d.0, database %s, listening on http://%s", *version, *db, *addr)
	log.Fatal(http.ListenAndServe(*addr, sim))
}
