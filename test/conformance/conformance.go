// Package conformance checks the operator against a real Odoo: it seeds the
// database through the external API with what the sample instance and the
// simulated store need, runs the order flows the controllers run (import in
// queues, a second import, deliveries validated in the warehouse and sent
// back as fulfilments, refunds and cancellations in Shopify imported again,
// a payout), does the same against the simulated Odoo of the same version
// with an identical store, and compares what each Shopify order became.
// It also measures the operator against the reference flows.
package conformance

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/internal/shopify"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/reference"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Main runs the check and returns the exit code: 0 when both runs went
// through and agree, 1 when they differ or a run failed, 2 when the check
// could not start.
func Main(ctx context.Context, args []string, out io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(out, "usage: ODOO_URL=... ODOO_DB=... ODOO_USER=... ODOO_API_KEY=... conformance [flags]")
		fs.PrintDefaults()
	}
	sample := fs.String("sample", "config/samples/shopifyinstance.yaml", "the ShopifyInstance whose settings the flows follow")
	record := fs.String("record", "", "write every request to the real Odoo and its reply to this `directory`, as transcripts")
	protocol := fs.String("protocol", odoo.ProtocolAuto, "protocol for both Odoos: auto, jsonrpc or json2")
	allow := fs.Bool("allow-existing", os.Getenv("CONFORMANCE_ALLOW_EXISTING") == "1",
		"run against a database that has sale orders already (or CONFORMANCE_ALLOW_EXISTING=1)")
	var opts Options
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed of the simulated Shopify stores")
	fs.IntVar(&opts.PerKind, "per-kind", 10, "orders of each kind in the simulated store")
	fs.IntVar(&opts.PerfOrders, "perf-orders", 100, "typical unshipped orders each flow imports for the performance figures; 0 skips them")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(out, "conformance: "+format+"\n", args...)
		return 2
	}
	cfg := odoo.Config{URL: os.Getenv("ODOO_URL"), Database: os.Getenv("ODOO_DB"), Username: os.Getenv("ODOO_USER"),
		APIKey: os.Getenv("ODOO_API_KEY"), Protocol: *protocol, Timeout: 10 * time.Minute}
	if cfg.URL == "" || cfg.Database == "" || cfg.Username == "" || cfg.APIKey == "" {
		fs.Usage()
		return fail("ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are required")
	}
	spec, err := loadSpec(*sample)
	if err != nil {
		return fail("%v", err)
	}
	rec := &Recorder{Next: http.DefaultTransport.(*http.Transport).Clone()}
	cfg.HTTPClient = &http.Client{Transport: rec}
	actual, err := newRun(ctx, "real", cfg, spec, opts, out)
	if err != nil {
		return fail("Odoo at %s: %v", cfg.URL, err)
	}
	defer actual.close()
	if *record != "" {
		defer func() {
			files, err := rec.Write(*record, actual.oc.Major())
			for _, f := range files {
				fmt.Fprintln(out, "recorded", f)
			}
			if err != nil {
				fmt.Fprintln(out, "conformance: recording:", err)
			}
		}()
	}
	var orders int
	if err := actual.oc.Call(ctx, "sale.order", "search_count", []any{odoo.Domain{}}, nil, &orders); err != nil {
		return fail("counting the sale orders: %v", err)
	}
	if orders > 0 && !*allow {
		return fail("database %s has %d sale orders already: give a fresh one, or -allow-existing", cfg.Database, orders)
	}
	sim := odoosim.New(odoosim.Options{Version: actual.oc.Major(), Database: "conformance", Login: "admin", APIKey: "conformance", Fresh: true})
	sim.Start()
	defer sim.Close()
	simulated, err := newRun(ctx, "simulator", odoo.Config{URL: sim.URL(), Database: "conformance", Username: "admin", APIKey: "conformance",
		Protocol: *protocol}, spec, opts, out)
	if err != nil {
		return fail("the simulated Odoo: %v", err)
	}
	defer simulated.close()

	fmt.Fprintf(out, "Conformance of the operator: Odoo %s at %s (database %s, %s) against the simulated Odoo %d\n",
		actual.oc.ServerVersion(), cfg.URL, cfg.Database, actual.oc.Protocol(), actual.oc.Major())
	fmt.Fprintf(out, "Shopify store: %d orders (%d of each of %d kinds), seed %d, settings of %s\n",
		opts.PerKind*len(shopifysim.Kinds), opts.PerKind, len(shopifysim.Kinds), opts.Seed, *sample)
	for _, r := range []*run{actual, simulated} {
		fmt.Fprintf(out, "\n== %s: seeding\n", r.label)
		lines, err := Seed(ctx, r.oc, &r.spec)
		for _, l := range lines {
			r.printf("%s", l)
		}
		if err != nil {
			r.problem("%v", err)
			continue
		}
		r.im.Settings = importer.Settings{Shop: r.spec.Shopify.Shop, Odoo: r.spec.Odoo, Orders: r.spec.Orders}
		r.im.Products = &catalogimport.Importer{Shopify: r.sc, Odoo: r.oc, Cache: r.im.Cache, Settings: r.im.Settings,
			ProductSettings: r.spec.Products.Import}
		fmt.Fprintf(out, "\n== %s: scenario\n", r.label)
		r.scenario(ctx)
	}
	return report(out, actual, simulated)
}

// newRun connects to an Odoo and starts the run's own simulated store.
func newRun(ctx context.Context, label string, cfg odoo.Config, spec v1.ShopifyInstanceSpec, opts Options, out io.Writer) (*run, error) {
	r := &run{out: out, opts: opts, spec: spec, calls: &reference.Counter{}, lines: map[lineKey]string{}, extra: map[string]string{}}
	cfg.Observer = r.observe
	var err error
	if r.oc, err = odoo.New(cfg); err != nil {
		return nil, err
	}
	if err := r.oc.Connect(ctx); err != nil {
		return nil, err
	}
	r.label = fmt.Sprintf("%s Odoo %s", label, r.oc.ServerVersion())
	r.store, err = shopifysim.Start(shopifysim.Options{Shop: spec.Shopify.Shop, Orders: opts.PerKind * len(shopifysim.Kinds), Seed: opts.Seed,
		AccessToken: shopToken, RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		return nil, err
	}
	if r.sc, err = shopify.New(shopify.Config{Shop: spec.Shopify.Shop, Endpoint: r.store.URL(), AccessToken: shopToken}); err != nil {
		r.store.Close()
		return nil, err
	}
	r.im = &importer.Importer{Shopify: r.sc, Odoo: r.oc, Cache: &importer.Cache{}}
	return r, nil
}

func (r *run) close() { r.store.Close() }

// loadSpec reads the ShopifyInstance of a sample manifest.
func loadSpec(path string) (v1.ShopifyInstanceSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return v1.ShopifyInstanceSpec{}, err
	}
	var si v1.ShopifyInstance
	if err := yaml.Unmarshal(data, &si); err != nil || si.Kind != "ShopifyInstance" {
		return si.Spec, fmt.Errorf("%s is no ShopifyInstance manifest: %v", path, err)
	}
	return si.Spec, nil
}

// report prints how the runs differ and the performance figures, and
// returns the exit code.
func report(out io.Writer, a, b *run) int {
	bad := len(a.problems) + len(b.problems)
	for _, r := range []*run{a, b} {
		if len(r.problems) > 0 {
			fmt.Fprintf(out, "\n== %s: %d problems\n", r.label, len(r.problems))
			for _, p := range r.problems {
				fmt.Fprintln(out, "  "+p)
			}
		}
	}
	orders := diff(a.outcome, b.outcome, "real", "simulated")
	fmt.Fprintf(out, "\n== comparison, order by order (%d orders): %d differences\n", len(a.outcome), len(orders))
	for _, d := range orders {
		fmt.Fprintln(out, "  "+d)
	}
	var others []string
	for _, k := range slices.Sorted(keysOf(a.extra, b.extra)) {
		x, y := a.extra[k], b.extra[k]
		switch {
		case x == y:
		case x == "" || y == "" || !strings.Contains(x+y, "\n"):
			others = append(others, fmt.Sprintf("  %s:\n    real:      %s\n    simulated: %s", k, brief(x), brief(y)))
		default:
			others = append(others, fmt.Sprintf("  %s, lines of one run only:\n%s%s", k, only("real:      ", x, y), only("simulated: ", y, x)))
		}
	}
	fmt.Fprintf(out, "\n== fulfilment export and payout: %d differences\n", len(others))
	for _, d := range others {
		fmt.Fprintln(out, strings.TrimSuffix(d, "\n"))
	}
	var lines []string
	for _, k := range sortedLines(a.lines, b.lines) {
		if a.lines[k] != b.lines[k] {
			lines = append(lines, fmt.Sprintf("  %-13s %-6s real:      %s\n  %-20s simulated: %s", k.phase, k.order, a.lines[k], "", b.lines[k]))
		}
	}
	fmt.Fprintf(out, "\n== queue lines: %d differ\n", len(lines))
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	bad += len(orders) + len(others) + len(lines)
	for _, r := range []*run{a, b} {
		printPerf(out, r)
	}
	fmt.Fprintln(out)
	if bad > 0 {
		fmt.Fprintf(out, "FAIL: %d differences and problems\n", bad)
		return 1
	}
	fmt.Fprintln(out, "PASS: the real and the simulated Odoo agree")
	return 0
}

func printPerf(out io.Writer, r *run) {
	if len(r.perf) == 0 {
		return
	}
	fmt.Fprintf(out, "\n== performance on %s: %d typical unshipped orders, queues and batches of %d; the operator runs %d queues at once, as the manager does\n",
		r.label, r.perf[0].Orders, r.spec.Orders.QueueSize, reference.QueueConcurrency)
	fmt.Fprintf(out, "  %-18s %10s %18s\n", "flow", "orders/s", "Odoo calls/order")
	for _, p := range r.perf {
		fmt.Fprintf(out, "  %-18s %10.2f %18.2f\n", p.Flow, p.PerSecond(), p.CallsPerOrder())
	}
	op := r.perf[0]
	for _, p := range r.perf[1:] {
		fmt.Fprintf(out, "  %-18s %9.2fx %17.2fx\n", "operator/"+p.Flow, op.PerSecond()/p.PerSecond(), op.CallsPerOrder()/p.CallsPerOrder())
	}
}

// brief is s, or how many lines it has when more than one.
func brief(s string) string {
	switch n := strings.Count(s, "\n") + 1; {
	case s == "":
		return "none"
	case n > 1:
		return fmt.Sprintf("%d lines", n)
	}
	return s
}

// only lists the lines of a that b lacks, one per line after prefix.
func only(prefix, a, b string) string {
	var out string
	for _, l := range strings.Split(a, "\n") {
		if l != "" && !slices.Contains(strings.Split(b, "\n"), l) {
			out += "    " + prefix + l + "\n"
		}
	}
	return out
}

func keysOf(a, b map[string]string) func(func(string) bool) {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return maps.Keys(m)
}

// sortedLines are the keys of both by phase, in the scenario's order, then
// by order number.
func sortedLines(a, b map[lineKey]string) []lineKey {
	phases := []string{"import", "second import", "after changes"}
	var out []lineKey
	for _, ph := range phases {
		var names []string
		for _, m := range []map[lineKey]string{a, b} {
			for k := range m {
				if k.phase == ph && !slices.Contains(names, k.order) {
					names = append(names, k.order)
				}
			}
		}
		for _, n := range byNumber(names) {
			out = append(out, lineKey{ph, n})
		}
	}
	return out
}
