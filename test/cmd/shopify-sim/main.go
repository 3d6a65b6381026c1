// Command shopify-sim serves a simulated Shopify store for demos and manual
// testing, until interrupted.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/shopify-odoo/connector/test/shopifysim"
)

func main() {
	var o shopifysim.Options
	addr := flag.String("listen", "127.0.0.1:8765", "address to listen on")
	flag.Uint64Var(&o.Seed, "seed", 1, "generator seed")
	flag.IntVar(&o.Orders, "orders", 500, "number of orders to generate")
	flag.IntVar(&o.Products, "products", 0, "more products to generate, with variants and an image each")
	flag.IntVar(&o.Customers, "customers", 0, "more customers to generate, with addresses, tags and marketing consent")
	flag.Float64Var(&o.RestoreRate, "restore-rate", 100, "cost bucket restore rate, points per second")
	flag.StringVar(&o.Shop, "shop", "sim-shop.myshopify.com", "shop domain")
	flag.StringVar(&o.AccessToken, "access-token", "", "static Admin API access token to accept")
	flag.StringVar(&o.ClientID, "client-id", "", "client id for the client-credentials grant")
	flag.StringVar(&o.ClientSecret, "client-secret", "", "client secret for the grant; also signs webhooks")
	scopes := flag.String("scopes", "", "access scopes granted to the app, comma-separated (default: all the connector needs, and read_all_orders)")
	withheld := flag.String("withhold", "", "protected customer data the app is not approved for, comma-separated: name, email, phone, address")
	flag.Parse()
	if *scopes != "" {
		o.Scopes = strings.Split(*scopes, ",")
	}
	if *withheld != "" {
		o.Withheld = strings.Split(*withheld, ",")
	}
	if o.AccessToken == "" && o.ClientID == "" {
		log.Fatal("shopify-sim: set -access-token or -client-id and -client-secret")
	}
	sim, err := shopifysim.Listen(o, *addr)
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	fmt.Printf("shopify-sim: %s serving %d orders at %s\n", o.Shop, sim.Store().Len(), sim.URL())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
