package controllers

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/instance"
	"github.com/shopify-odoo/connector/test/controlplane"
)

func TestInstanceBecomesReady(t *testing.T) {
	for _, version := range []int{17, 18, 19} {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			f := newFixture(t, version, 0)
			f.secrets(goodShopify(), goodOdoo())
			f.instance(nil)
			si := f.ready()
			if si.Status.Shop == nil || si.Status.Shop.Name == "" || si.Status.Shop.Currency != "EUR" {
				t.Errorf("status.shop: %+v", si.Status.Shop)
			}
			if si.Status.Odoo == nil || !strings.HasPrefix(si.Status.Odoo.Version, fmt.Sprint(version)) || si.Status.Odoo.Protocol == "" {
				t.Errorf("status.odoo: %+v", si.Status.Odoo)
			}
			for _, typ := range []string{v1.ConditionShopifyConnected, v1.ConditionOdooConnected} {
				f.condition(si, "shop", typ, metav1.ConditionTrue, instance.ReasonConnected)
			}
			f.noSecrets()
		})
	}
}

func TestMissingSecretThenCreated(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.create(secret("shop", goodShopify()))
	f.instance(nil)
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionOdooConnected, metav1.ConditionFalse, instance.ReasonCredentialsUnusable)
	if !strings.Contains(c.Message, `Secret "odoo"`) {
		t.Errorf("the message does not name the Secret: %s", c.Message)
	}
	f.condition(&si, "shop", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonCredentialsUnusable)
	eventually(t, "a CredentialsUnusable event", func() error {
		for _, e := range f.events() {
			if e.Reason == instance.ReasonCredentialsUnusable && e.Type == "Warning" && strings.Contains(e.Note, `Secret "odoo"`) {
				return nil
			}
		}
		return fmt.Errorf("none in %d events", len(f.events()))
	})
	f.create(secret("odoo", goodOdoo()))
	f.ready()
	f.noSecrets()
}

func TestBadOdooKey(t *testing.T) {
	f := newFixture(t, 19, 0)
	f.secrets(goodShopify(), map[string]string{"username": "admin", "apiKey": "wrong-" + odooKey})
	f.instance(nil)
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionOdooConnected, metav1.ConditionFalse, instance.ReasonBadCredentials)
	f.condition(&si, "shop", v1.ConditionReady, metav1.ConditionFalse, instance.ReasonBadCredentials)
	f.condition(&si, "shop", v1.ConditionShopifyConnected, metav1.ConditionTrue, instance.ReasonConnected)
	f.noSecrets()
}

func TestUnreachableOdoo(t *testing.T) {
	closed := "http://" + controlplane.FreeAddr(t) // nothing listens there
	f := newFixture(t, 18, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) { s.Odoo.URL = closed })
	var si v1.ShopifyInstance
	f.condition(&si, "shop", v1.ConditionOdooConnected, metav1.ConditionFalse, instance.ReasonUnreachable)
	f.condition(&si, "shop", v1.ConditionReady, metav1.ConditionFalse, instance.ReasonUnreachable)
	if c := meta.FindStatusCondition(si.Status.Conditions, v1.ConditionStalled); c != nil {
		t.Errorf("an unreachable Odoo is not stalled: %+v", c)
	}
}

func TestUnknownWarehouse(t *testing.T) {
	f := newFixture(t, 17, 0)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) { s.Odoo.Warehouse = "XX" })
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionOdooConnected, metav1.ConditionFalse, instance.ReasonNotFound)
	if !strings.Contains(c.Message, `warehouse "XX"`) {
		t.Errorf("the message does not name the warehouse: %s", c.Message)
	}
	f.condition(&si, "shop", v1.ConditionStalled, metav1.ConditionTrue, instance.ReasonNotFound)
}

func TestScheduledImport(t *testing.T) {
	f := newFixture(t, 18, 42)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		s.Orders.Statuses = []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial, v1.OrderShipped}
	})
	si := f.ready()
	if si.Status.ImportWatermark == nil || si.Status.LastImportTime == nil {
		t.Fatalf("no import recorded: %+v", si.Status)
	}
	want := map[string]v1.QueueType{} // the orders not cancelled, by type
	for _, o := range f.orders() {
		if o.cancelled {
			continue
		}
		want[o.id] = v1.QueueUnshipped
		if o.fulfillment == "FULFILLED" {
			want[o.id] = v1.QueueShipped
		}
	}
	queues := f.queues()
	f.checkQueues(queues, want, 10)

	// Nothing changed in Shopify: a second run adds no queue.
	si = f.runNow("1")
	if n := len(f.queues()); n != len(queues) {
		t.Errorf("a second run made %d queues; want %d", n, len(queues))
	}
	before := si.Status.ImportWatermark

	// New orders: the next run queues them, and only them.
	added := map[string]bool{}
	for _, gid := range f.shop.Store().AddOrders(3) {
		added[strings.TrimPrefix(gid, "gid://shopify/Order/")] = true
	}
	si = f.runNow("2")
	if !si.Status.ImportWatermark.After(before.Time) {
		t.Errorf("the watermark did not move: %s, then %s", before, si.Status.ImportWatermark)
	}
	seen := map[string]bool{}
	for _, q := range f.queues() {
		for _, id := range q.Spec.OrderIDs {
			if seen[id] {
				t.Errorf("order %s is in two queues", id)
			}
			seen[id] = true
		}
	}
	for id := range added {
		if !seen[id] {
			t.Errorf("new order %s not queued", id)
		}
	}
	f.noSecrets()
}

// checkQueues: the queues hold exactly the wanted orders, each in a queue of
// its type, at most size a queue, owned by and labelled with the instance.
func (f *fixture) checkQueues(queues []v1.OrderQueue, want map[string]v1.QueueType, size int) {
	f.t.Helper()
	got := map[string]v1.QueueType{}
	for _, q := range queues {
		if len(q.Spec.OrderIDs) > size {
			f.t.Errorf("%s holds %d orders", q.Name, len(q.Spec.OrderIDs))
		}
		if q.Spec.Source != v1.SourceScheduled || q.Labels["connector.shopify-odoo.dev/instance"] != "shop" ||
			len(q.OwnerReferences) != 1 || q.OwnerReferences[0].Name != "shop" {
			f.t.Errorf("%s: source %s, labels %v, owners %v", q.Name, q.Spec.Source, q.Labels, q.OwnerReferences)
		}
		for _, id := range q.Spec.OrderIDs {
			got[id] = q.Spec.Type
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		f.t.Errorf("queued orders by type:\n%v\nwant\n%v", got, want)
	}
}

type order struct {
	id, name, fulfillment string
	cancelled             bool
}

// orders reads the simulated store's orders.
func (f *fixture) orders() []order {
	var out []order
	f.shop.Store().Each(func(o map[string]any) {
		out = append(out, order{id: fmt.Sprint(o["legacyResourceId"]), name: fmt.Sprint(o["name"]),
			fulfillment: fmt.Sprint(o["displayFulfillmentStatus"]), cancelled: o["cancelledAt"] != nil})
	})
	return out
}

func TestSuspend(t *testing.T) {
	f := newFixture(t, 18, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) { s.Suspend = true })
	var si v1.ShopifyInstance
	c := f.condition(&si, "shop", v1.ConditionSuspended, metav1.ConditionTrue, "Suspended")
	if !strings.Contains(c.Message, "suspend") {
		t.Errorf("the condition does not say why: %s", c.Message)
	}
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "manual"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: []string{f.orders()[0].id}}})
	var q v1.OrderQueue
	f.condition(&q, "manual", v1.ConditionSuspended, metav1.ConditionTrue, ReasonInstanceSuspended)
	if si.Status.LastImportTime != nil || len(f.queues()) != 1 || q.Status.Passes != 0 {
		t.Errorf("a suspended instance imported: last import %v, %d queues, %d attempts", si.Status.LastImportTime, len(f.queues()), q.Status.Passes)
	}
}
