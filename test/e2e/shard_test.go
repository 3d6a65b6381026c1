package e2e

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/controllers"
	"github.com/shopify-odoo/connector/internal/shard"
	"github.com/shopify-odoo/connector/test/controlplane"
)

// writes records the objects a manager's client wrote, by kind, namespace
// and name.
type writes struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (w *writes) add(obj client.Object) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.keys[fmt.Sprintf("%T %s/%s", obj, obj.GetNamespace(), obj.GetName())] = true
}

func (w *writes) all() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.keys)
}

// recording is a client that records what it writes: the controllers
// create, patch and delete objects, and patch their status.
type recording struct {
	client.Client
	w *writes
}

func (c recording) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	c.w.add(obj)
	return c.Client.Create(ctx, obj, opts...)
}

func (c recording) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	c.w.add(obj)
	return c.Client.Delete(ctx, obj, opts...)
}

func (c recording) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	c.w.add(obj)
	return c.Client.Patch(ctx, obj, patch, opts...)
}

func (c recording) Status() client.SubResourceWriter { return recordingStatus{c.Client.Status(), c.w} }

type recordingStatus struct {
	client.SubResourceWriter
	w *writes
}

func (c recordingStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	c.w.add(obj)
	return c.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// shardManager builds a manager of the shard selector selects, with leader
// election, whose writes are recorded.
func shardManager(t testing.TB, cp *controlplane.ControlPlane, selector string) (ctrl.Manager, *writes) {
	t.Helper()
	sel, err := shard.Parse(selector)
	if err != nil {
		t.Fatal(err)
	}
	w := &writes{keys: map[string]bool{}}
	mgr := newManager(t, cp, func(opts *ctrl.Options, copts *controllers.Options) {
		lease, renew, retry := 4*time.Second, 2*time.Second, 500*time.Millisecond
		opts.Cache, copts.Shard = controllers.ShardCache(opts.Cache, sel), sel
		opts.LeaderElection, opts.LeaderElectionID, opts.LeaderElectionNamespace = true, shard.LeaseName("connector-e2e", sel), "default"
		opts.LeaderElectionReleaseOnCancel = true
		opts.LeaseDuration, opts.RenewDeadline, opts.RetryPeriod = &lease, &renew, &retry
		opts.NewClient = func(config *rest.Config, o client.Options) (client.Client, error) {
			c, err := client.New(config, o)
			return recording{c, w}, err
		}
	})
	return mgr, w
}

// Two shards and the manager of objects of no shard run side by side, each
// electing its own leader. Each instance, its queues and a queue a person
// made without the shard label are handled by the instance's shard alone:
// the others neither hold them in their caches nor write to them, but for
// the label the unsharded manager gives the person's queue.
func TestShardsHandleTheirOwnInstances(t *testing.T) {
	ctrl.SetLogger(logr.Discard())
	cp := controlplane.ForTest(t)
	ctx := context.Background()
	const n = 30
	shards := []string{"a", "b"}
	for _, s := range shards {
		shop, o := simsOf(t, n, 0)
		ns := "shard-" + s
		deploy(t, cp, ns, spec(shop.URL(), o.URL()))
		inst := &v1.ShopifyInstance{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "shop"}, inst); err != nil {
			t.Fatal(err)
		}
		inst.Labels = map[string]string{shard.Label: s}
		if err := cp.Client.Update(ctx, inst); err != nil {
			t.Fatal(err)
		}
	}
	// Each manager's selector, and the namespace of its shard's instance.
	home := map[string]string{shard.Label + "=a": "shard-a", shard.Label + "=b": "shard-b", "!" + shard.Label: ""}
	mgrs := map[string]ctrl.Manager{}
	wrote := map[string]*writes{}
	for s := range home {
		mgrs[s], wrote[s] = shardManager(t, cp, s)
		defer run(t, mgrs[s])()
	}
	for s, mgr := range mgrs {
		select {
		case <-mgr.Elected():
		case <-time.After(time.Minute):
			t.Fatalf("shard %s elected no leader", s)
		}
	}
	var leases coordinationv1.LeaseList
	if err := cp.Client.List(ctx, &leases, client.InNamespace("default")); err != nil {
		t.Fatal(err)
	}
	if len(leases.Items) != len(mgrs) {
		t.Errorf("%d leases for %d shards", len(leases.Items), len(mgrs))
	}

	for _, s := range shards {
		ns := "shard-" + s
		queues := finished(t, cp, ns, n, 3*time.Minute)
		byHand := &v1.OrderQueue{ObjectMeta: metav1.ObjectMeta{Name: "by-hand", Namespace: ns},
			Spec: v1.OrderQueueSpec{InstanceRef: v1.InstanceReference{Name: "shop"}, Type: v1.QueueUnshipped, Source: v1.SourceManual,
				OrderIDs: []string{queues[0].Status.Lines[0].ID}}}
		if err := cp.Client.Create(ctx, byHand); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range shards {
		key := client.ObjectKey{Namespace: "shard-" + s, Name: "by-hand"}
		waitFor(t, time.Minute, "the queue made by hand finished in shard "+s, func() bool {
			var q v1.OrderQueue
			return cp.Client.Get(ctx, key, &q) == nil && meta.IsStatusConditionTrue(q.Status.Conditions, v1.ConditionReady)
		})
	}

	for s, mgr := range mgrs {
		var insts v1.ShopifyInstanceList
		var queues v1.OrderQueueList
		if err := mgr.GetCache().List(ctx, &insts); err != nil {
			t.Fatal(err)
		}
		if err := mgr.GetCache().List(ctx, &queues); err != nil {
			t.Fatal(err)
		}
		for _, i := range insts.Items {
			if i.Namespace != home[s] {
				t.Errorf("manager %s holds the instance of %s", s, i.Namespace)
			}
		}
		for _, q := range queues.Items {
			if q.Namespace != home[s] {
				t.Errorf("manager %s holds queue %s/%s", s, q.Namespace, q.Name)
			}
		}
		if home[s] != "" && (len(insts.Items) != 1 || len(queues.Items) < 2) {
			t.Errorf("manager %s holds %d instances and %d queues", s, len(insts.Items), len(queues.Items))
		}
		keys := wrote[s].all()
		for k := range keys {
			mine := home[s] != "" && strings.Contains(k, " "+home[s]+"/")
			labelled := home[s] == "" && strings.HasSuffix(k, "/by-hand")
			if !mine && !labelled {
				t.Errorf("manager %s wrote %s", s, k)
			}
		}
		if len(keys) < 2 {
			t.Errorf("manager %s wrote only %v", s, keys)
		}
	}
	for _, s := range shards {
		var list v1.OrderQueueList
		if err := cp.Client.List(ctx, &list, client.InNamespace("shard-"+s)); err != nil {
			t.Fatal(err)
		}
		for _, q := range list.Items {
			if q.Labels[shard.Label] != s {
				t.Errorf("queue %s/%s has shard %q", q.Namespace, q.Name, q.Labels[shard.Label])
			}
		}
	}
}
