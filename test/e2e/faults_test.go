package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Each fault strikes while the store imports; Odoo ends as one clean import
// leaves it: no order lost, none with a second sale order, invoice or payment.
func TestFaultsLoseAndDoubleNothing(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	odooFaults := func(fs ...odoosim.Fault) func(*shopifysim.Sim, *odoosim.Sim) func(*testing.T) {
		return func(_ *shopifysim.Sim, o *odoosim.Sim) func(*testing.T) {
			for _, f := range fs {
				o.Inject(f)
			}
			return func(*testing.T) {}
		}
	}
	for i, tc := range []struct {
		name   string
		inject func(*shopifysim.Sim, *odoosim.Sim) (stop func(*testing.T))
	}{
		{"Odoo replies lost after commit", odooFaults(
			odoosim.Fault{Kind: odoosim.LostReply, Model: "sale.order", Method: "create", Times: 2},
			odoosim.Fault{Kind: odoosim.LostReply, Model: "account.payment.register", Times: 2},
			odoosim.Fault{Kind: odoosim.LostReply, Method: "action_confirm", Times: 1})},
		{"Odoo 5xx bursts", odooFaults(odoosim.Fault{Kind: odoosim.HTTPError, Times: 15})},
		{"Odoo latency spikes", odooFaults(odoosim.Fault{Kind: odoosim.Latency, Delay: 300 * time.Millisecond, Times: 20})},
		{"Odoo serialization errors", odooFaults(odoosim.Fault{Kind: odoosim.Serialization, Times: 10})},
		{"Shopify 5xx and resets", func(s *shopifysim.Sim, _ *odoosim.Sim) func(*testing.T) {
			s.SetFaults(shopifysim.Faults{ServerErrors: 6, Resets: 6})
			return func(*testing.T) {}
		}},
		{"Shopify THROTTLED bursts", func(s *shopifysim.Sim, _ *odoosim.Sim) func(*testing.T) {
			// Another app spends the bucket from before the first request
			// to a second after it, then every other second.
			drain := func() { s.SetBucket(-1e4) }
			drain()
			done := make(chan struct{})
			go func() {
				var first time.Time
				for {
					select {
					case <-done:
						return
					case <-time.After(50 * time.Millisecond):
					}
					if first.IsZero() && s.Stats().Requests > 0 {
						first = time.Now()
					}
					if first.IsZero() || time.Since(first)/time.Second%2 == 0 {
						drain()
					}
				}
			}()
			return func(t *testing.T) {
				close(done)
				if s.Stats().Throttled == 0 {
					t.Error("no request was throttled")
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop, o := sims(t, 0)
			stopFault := tc.inject(shop, o)
			ns := fmt.Sprintf("fault-%d", i)
			deploy(t, cp, ns, spec(shop.URL(), o.URL()))
			stop := startManager(t, cp)
			defer stop()
			queues := finished(t, cp, ns, orders, 3*time.Minute)
			stopFault(t)
			sameAsClean(t, o, want, queues)
		})
	}
}

// The API server is out of reach for a few seconds while the manager
// imports; the manager carries on when it is back.
func TestAPIServerAwayWhileImporting(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	shop, o := sims(t, 5*time.Millisecond)
	deploy(t, cp, "away", spec(shop.URL(), o.URL()))
	p := newProxy(t, cp.Config.Host)
	behind := *cp
	behind.Config = rest.CopyConfig(cp.Config)
	behind.Config.Host = p.url
	stop := run(t, newManager(t, &behind))
	defer stop()
	target := o.Calls("sale.order", "create") + 1
	wait(t, "sale orders created", func() bool { return o.Calls("sale.order", "create") >= target })
	if cut := p.down(); cut == 0 {
		t.Fatal("the manager had no connection to cut")
	}
	time.Sleep(3 * time.Second)
	p.up()
	sameAsClean(t, o, want, finished(t, cp, "away", orders, 3*time.Minute))
}

// Two replicas elect a leader; the leader dies while importing and the other
// finishes the work.
func TestLeaderDiesWhileImporting(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	shop, o := sims(t, 5*time.Millisecond)
	deploy(t, cp, "ha", spec(shop.URL(), o.URL()))
	elect := func(opts *ctrl.Options) {
		lease, renew, retry := 2*time.Second, time.Second, 200*time.Millisecond
		opts.LeaderElection, opts.LeaderElectionID, opts.LeaderElectionNamespace = true, "connector-e2e", "ha"
		opts.LeaseDuration, opts.RenewDeadline, opts.RetryPeriod = &lease, &renew, &retry
	}
	first := newManager(t, cp, elect)
	stopFirst := run(t, first)
	select {
	case <-first.Elected():
	case <-time.After(time.Minute):
		t.Fatal("no leader elected")
	}
	stopSecond := run(t, newManager(t, cp, elect))
	defer stopSecond()
	target := o.Calls("sale.order", "create") + 1
	wait(t, "the leader creates sale orders", func() bool { return o.Calls("sale.order", "create") >= target })
	stopFirst()
	sameAsClean(t, o, want, finished(t, cp, "ha", orders, 2*time.Minute))
}
