package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// Each fault strikes once a quarter of the store is imported, while the rest
// imports and the warehouse ships; both ends finish as the clean run leaves
// them: no order lost, none with a second sale order, invoice, payment or
// fulfilment.
func TestFaultsLoseAndDoubleNothing(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	odooFaults := func(fs ...odoosim.Fault) func(*shopifysim.Sim, *odoosim.Sim) func(*testing.T) {
		return func(_ *shopifysim.Sim, o *odoosim.Sim) func(*testing.T) {
			for _, f := range fs {
				o.Inject(f)
			}
			return func(t *testing.T) {
				if left := o.Faults(); len(left) > 0 {
					t.Errorf("faults that never struck: %+v", left)
				}
			}
		}
	}
	shopifyFaults := func(f shopifysim.Faults) func(*shopifysim.Sim, *odoosim.Sim) func(*testing.T) {
		return func(s *shopifysim.Sim, _ *odoosim.Sim) func(*testing.T) {
			s.SetFaults(f)
			return func(t *testing.T) {
				if left := s.Faults(); left.ServerErrors+left.Resets+left.LostReplies > 0 {
					t.Errorf("faults that never struck: %+v", left)
				}
			}
		}
	}
	for i, tc := range []struct {
		name   string
		inject func(*shopifysim.Sim, *odoosim.Sim) (stop func(*testing.T))
	}{
		{"Odoo replies lost after commit", odooFaults(
			odoosim.Fault{Kind: odoosim.LostReply, Model: "sale.order", Method: "create", Times: 2},
			odoosim.Fault{Kind: odoosim.LostReply, Model: "account.payment.register", Times: 2},
			odoosim.Fault{Kind: odoosim.LostReply, Method: "action_confirm", Times: 1},
			odoosim.Fault{Kind: odoosim.LostReply, Model: "ir.model.data", Method: "create", Times: 2})},
		{"Odoo 5xx bursts", odooFaults(odoosim.Fault{Kind: odoosim.HTTPError, Times: 15})},
		{"Odoo latency spikes", odooFaults(odoosim.Fault{Kind: odoosim.Latency, Delay: 300 * time.Millisecond, Times: 20})},
		{"Odoo serialization errors", odooFaults(odoosim.Fault{Kind: odoosim.Serialization, Times: 10})},
		{"Shopify 5xx and resets", shopifyFaults(shopifysim.Faults{ServerErrors: 6, Resets: 6})},
		{"Shopify fulfilments cut or their replies lost", shopifyFaults(shopifysim.Faults{Resets: 2, LostReplies: 3, Operation: "FulfillmentCreate"})},
		{"Shopify THROTTLED bursts", func(s *shopifysim.Sim, _ *odoosim.Sim) func(*testing.T) {
			// Another app spends the bucket every other second.
			done := make(chan struct{})
			go func() {
				for start := time.Now(); ; {
					if time.Since(start)/time.Second%2 == 0 {
						s.SetBucket(-1e4)
					}
					select {
					case <-done:
						return
					case <-time.After(50 * time.Millisecond):
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
			ns := fmt.Sprintf("fault-%d", i)
			deploy(t, cp, ns, spec(shop.URL(), o.URL()))
			stop := startManager(t, cp)
			defer stop()
			ship := warehouse(t, cp, ns, shop, o)
			imported(t, o, orders/4)
			stopFault := tc.inject(shop, o)
			queues := finished(t, cp, ns, orders, 5*time.Minute)
			ship()
			stopFault(t)
			sameAsClean(t, outcomeOf(t, shop, o), want, queues)
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
	ship := warehouse(t, cp, "away", shop, o)
	imported(t, o, orders/4)
	if cut := p.down(); cut == 0 {
		t.Fatal("the manager had no connection to cut")
	}
	time.Sleep(3 * time.Second)
	p.up()
	queues := finished(t, cp, "away", orders, 5*time.Minute)
	ship()
	sameAsClean(t, outcomeOf(t, shop, o), want, queues)
}

// Two replicas elect a leader; the leader dies while importing and the other
// finishes the work.
func TestLeaderDiesWhileImporting(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	want := clean(t)
	cp := controlplane.ForTest(t)
	shop, o := sims(t, 5*time.Millisecond)
	deploy(t, cp, "ha", spec(shop.URL(), o.URL()))
	elect := func(opts *ctrl.Options, _ *controllers.Options) {
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
	ship := warehouse(t, cp, "ha", shop, o)
	imported(t, o, orders/4)
	stopFirst()
	queues := finished(t, cp, "ha", orders, 5*time.Minute)
	ship()
	sameAsClean(t, outcomeOf(t, shop, o), want, queues)
}
