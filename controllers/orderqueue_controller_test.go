package controllers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// noSchedule leaves the seeded orders to the queues a test makes.
func noSchedule(s *v1.ShopifyInstanceSpec) {
	s.Orders.ImportAfter = &metav1.Time{Time: time.Now().Add(24 * time.Hour)}
}

func TestWindowQueueResolvesAndSplits(t *testing.T) {
	f := newFixture(t, 19, 42)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(noSchedule)
	f.ready()
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "backfill"}, Spec: v1.OrderQueueSpec{
		InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, Source: v1.SourceManual,
		Window: &v1.TimeWindow{From: metav1.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), To: metav1.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	var names []string
	seen := map[string]bool{}
	eventually(t, "the window split into 5 queues", func() error {
		names, seen = nil, map[string]bool{}
		for _, q := range f.queues() {
			names = append(names, q.Name)
			ids := q.Spec.OrderIDs
			if q.Name == "backfill" {
				if q.Status.Phase == "" {
					return fmt.Errorf("backfill not resolved")
				}
				ids = nil
				for _, l := range q.Status.Lines {
					ids = append(ids, l.ID)
				}
			} else if q.Spec.Source != v1.SourceManual || q.Spec.Type != v1.QueueUnshipped || len(q.OwnerReferences) != 1 || q.OwnerReferences[0].Name != "shop" {
				return fmt.Errorf("%s: source %s, type %s, owners %v", q.Name, q.Spec.Source, q.Spec.Type, q.OwnerReferences)
			}
			if len(ids) > 10 {
				return fmt.Errorf("%s holds %d orders", q.Name, len(ids))
			}
			for _, id := range ids {
				seen[id] = true
			}
		}
		slices.Sort(names)
		if fmt.Sprint(names) != "[backfill backfill-2 backfill-3 backfill-4 backfill-5]" {
			return fmt.Errorf("queues %v", names)
		}
		return nil
	})
	for _, o := range f.orders() {
		if !seen[o.id] {
			t.Errorf("order %s of the window is in no queue", o.id)
		}
	}
	if len(seen) != 42 {
		t.Errorf("%d orders queued; want 42", len(seen))
	}
}

func TestQueueWaitsForItsInstance(t *testing.T) {
	f := newFixture(t, 17, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "early"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: []string{f.orders()[0].id}}})
	var q v1.OrderQueue
	c := f.condition(&q, "early", v1.ConditionStalled, metav1.ConditionTrue, ReasonInstanceNotFound)
	if !strings.Contains(c.Message, `"shop"`) {
		t.Errorf("the message does not name the instance: %s", c.Message)
	}
	f.instance(noSchedule)
	eventually(t, "the queue goes on once the instance exists", func() error {
		if err := f.get("early", &q); err != nil {
			return err
		}
		if q.Status.Passes == 0 {
			return fmt.Errorf("not processed: %+v", q.Status.Conditions)
		}
		return nil
	})
}

func TestQueueLargerThanQueueSize(t *testing.T) {
	f := newFixture(t, 18, 21)
	f.secrets(goodShopify(), goodOdoo())
	f.instance(func(s *v1.ShopifyInstanceSpec) {
		noSchedule(s)
		s.Orders.QueueSize = 2
	})
	f.ready()
	var ids []string
	for _, o := range f.orders()[:3] {
		ids = append(ids, o.id)
	}
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "big"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, OrderIDs: ids}})
	var q v1.OrderQueue
	c := f.condition(&q, "big", v1.ConditionStalled, metav1.ConditionTrue, "TooManyOrders")
	if !strings.Contains(c.Message, "3 orders") || q.Status.Passes != 0 {
		t.Errorf("message %q, %d passes", c.Message, q.Status.Passes)
	}
}

func TestKubectlGetOrderQueues(t *testing.T) {
	f := newFixture(t, 18, 0)
	f.create(&v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "listed"},
		Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueShipped, Source: v1.SourceManual,
			OrderIDs: []string{"1001", "1002"}}})
	kubectl := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	out, err := exec.Command(kubectl, "--kubeconfig", cp.Kubeconfig, "get", "orderqueues", "-n", f.ns).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME INSTANCE TYPE SOURCE ORDERS DONE FAILED PHASE ATTEMPT AGE" {
		t.Fatalf("kubectl get orderqueues:\n%s", out)
	}
	if row := strings.Fields(lines[1]); len(row) < 4 || row[0] != "listed" || row[1] != "shop" || row[2] != "shipped" || row[3] != "manual" {
		t.Errorf("row: %q", lines[1])
	}
}
