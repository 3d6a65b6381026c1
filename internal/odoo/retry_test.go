package odoo_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopify-odoo/connector/internal/odoo"
	"github.com/shopify-odoo/connector/test/catalog"
	"github.com/shopify-odoo/connector/test/odoosim"
)

func partnersNamed(t *testing.T, sim *odoosim.Sim, name string) int {
	t.Helper()
	rows, err := sim.SearchRead("res.partner", []any{[]any{"name", "=", name}}, "name")
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func TestRetries(t *testing.T) {
	for _, protocol := range []string{"jsonrpc", "json2"} {
		t.Run(protocol, func(t *testing.T) {
			ctx := context.Background()
			sim := start(t, 19)
			c := connect(t, sim, protocol, func(cfg *odoo.Config) { cfg.Timeout = time.Second })
			create := func(name string) error {
				_, err := c.Create(ctx, "res.partner", []map[string]any{{"name": name}})
				return err
			}

			sim.ResetCalls()
			sim.Inject(odoosim.Fault{Kind: odoosim.Serialization, Model: "res.partner", Method: "create", Times: 1})
			if err := create("serialized"); err != nil || sim.Calls("res.partner", "create") != 2 || partnersNamed(t, sim, "serialized") != 1 {
				t.Fatalf("serialization failure not retried once: %v, %d calls", err, sim.Calls("res.partner", "create"))
			}

			sim.ResetCalls()
			_, err := c.Create(ctx, "product.product", []map[string]any{{"name": "dup", "barcode": catalog.Variants()[0].Barcode}})
			if !odoo.IsKind(err, odoo.ValidationError) || sim.Calls("product.product", "create") != 1 {
				t.Fatalf("validation error: %v after %d calls", err, sim.Calls("product.product", "create"))
			}

			sim.ResetCalls()
			sim.Inject(odoosim.Fault{Kind: odoosim.LostReply, Model: "res.partner", Method: "create", Times: 1})
			err = create("lost")
			if !errors.Is(err, odoo.ErrReplyLost) || sim.Calls("res.partner", "create") != 1 || partnersNamed(t, sim, "lost") != 1 {
				t.Fatalf("lost create reply: %v, %d calls", err, sim.Calls("res.partner", "create"))
			}
			if strings.Contains(err.Error(), apiKey) {
				t.Fatal("API key in error")
			}

			for _, kind := range []odoosim.FaultKind{odoosim.LostReply, odoosim.Reset, odoosim.HTTPError, odoosim.Latency} {
				sim.ResetCalls()
				sim.Inject(odoosim.Fault{Kind: kind, Model: "res.partner", Method: "search_read", Times: 1, Delay: 1500 * time.Millisecond})
				found, err := c.PartnersByEmail(ctx, []string{"admin@yourcompany.example.com"})
				if err != nil || len(found) != 1 || sim.Calls("res.partner", "search_read") != 2 {
					t.Fatalf("read after fault %d: %v %v, %d calls", kind, found, err, sim.Calls("res.partner", "search_read"))
				}
			}

			sim.ResetCalls()
			sim.Inject(odoosim.Fault{Kind: odoosim.HTTPError, Status: 502, Model: "sale.order", Method: "action_confirm"})
			err = c.ConfirmOrders(ctx, []int64{1})
			if !errors.Is(err, odoo.ErrReplyLost) || sim.Calls("sale.order", "action_confirm") != 1 {
				t.Fatalf("action after 502: %v, %d calls", err, sim.Calls("sale.order", "action_confirm"))
			}
			sim.ClearFaults()

			sim.ResetCalls()
			sim.Inject(odoosim.Fault{Kind: odoosim.HTTPError, Model: "res.partner", Method: "search_read"})
			if _, err := c.PartnersByEmail(ctx, []string{"x@example.com"}); !odoo.IsRetryable(err) || sim.Calls("res.partner", "search_read") != 3 {
				t.Fatalf("persistent 503: %v after %d calls", err, sim.Calls("res.partner", "search_read"))
			}
			sim.ClearFaults()
		})
	}
}

func TestBadCredentials(t *testing.T) {
	sim := start(t, 19)
	for _, protocol := range []string{"jsonrpc", "json2"} {
		c, err := odoo.New(odoo.Config{URL: sim.URL(), Database: "shop", Username: "admin", APIKey: "wrong-key", Protocol: protocol})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Connect(context.Background())
		if !errors.Is(err, odoo.ErrBadCredentials) || odoo.IsRetryable(err) || strings.Contains(err.Error(), "wrong-key") {
			t.Errorf("%s: %v", protocol, err)
		}
	}
	if s := (odoo.Config{APIKey: "secret"}).String(); strings.Contains(s, "secret") {
		t.Errorf("config prints its key: %s", s)
	}
}

func TestAdapter(t *testing.T) {
	for v, want := range map[int][3]string{17: {"tax_id", "product_uom", "price_include"}, 18: {"tax_id", "product_uom", "price_include_override"},
		19: {"tax_ids", "product_uom_id", "price_include_override"}} {
		a := connect(t, start(t, v), "auto").Adapter()
		if got := [3]string{a.SaleLineTaxField, a.SaleLineUoMField, a.TaxIncludeField}; got != want {
			t.Errorf("%d: %v", v, got)
		}
		storable := a.StorableProductVals()
		if (v == 17) != (storable["type"] == "product") || (v >= 18) != (storable["is_storable"] == true) {
			t.Errorf("%d: storable %v", v, storable)
		}
		if (v < 19) != (a.CancelContext() != nil) {
			t.Errorf("%d: cancel context %v", v, a.CancelContext())
		}
	}
}

func TestConcurrencyBound(t *testing.T) {
	sim := start(t, 18)
	var rounds atomic.Int64
	c := connect(t, sim, "auto", func(cfg *odoo.Config) {
		cfg.MaxConcurrent = 2
		cfg.Observer = func(odoo.CallInfo) { rounds.Add(1) }
	})
	sim.Inject(odoosim.Fault{Kind: odoosim.Latency, Delay: 20 * time.Millisecond})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _, _ = c.Search(context.Background(), "res.country", nil, 1) })
	}
	wg.Wait()
	if sim.Calls("res.country", "search") != 8 || rounds.Load() < 8 || sim.PeakConcurrency() > 2 {
		t.Fatalf("%d calls, %d observed, %d at once", sim.Calls("res.country", "search"), rounds.Load(), sim.PeakConcurrency())
	}
}
