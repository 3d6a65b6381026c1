// Command odoo-sim serves the simulated Odoo seeded with the shared catalogue,
// for the demo and for manual testing.
package main

import (
	"flag"
	"log"
	"net/http"

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
	flag.Parse()
	if *apiKey == "" {
		log.Fatal("odoo-sim: -api-key is required")
	}
	if *version < 17 || *version > 19 {
		log.Fatalf("odoo-sim: unsupported version %d", *version)
	}
	sim := odoosim.New(odoosim.Options{Version: *version, Database: *db, Login: *login, Password: *password, APIKey: *apiKey, Catalog: *seed})
	log.Printf("odoo-sim: Odoo %d.0, database %s, listening on http://%s", *version, *db, *addr)
	log.Fatal(http.ListenAndServe(*addr, sim))
}
