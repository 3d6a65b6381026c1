// Command conformance runs the operator's order flows against a real Odoo
// and the simulated Odoo of the same version and compares what each order
// became (make conformance; see package test/conformance).
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/shopify-odoo/connector/test/conformance"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := conformance.Main(ctx, os.Args[1:], os.Stdout)
	stop()
	os.Exit(code)
}
