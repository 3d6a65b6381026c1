package e2e

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/shard"
	"github.com/shopify-odoo/connector/test/controlplane"
	"github.com/shopify-odoo/connector/test/odoosim"
	"github.com/shopify-odoo/connector/test/shopifysim"
)

// scale is the number of instances of BenchmarkManyInstances; newcomers
// the instances created one at a time among them, readyWait how long one
// may take to be Ready before it counts as never.
const (
	scale     = 1000
	newcomers = 10
	tarpits   = 10
	readyWait = 30 * time.Second
)

// BenchmarkManyInstances runs 1,000 instances, each of a shop of its own
// (an empty simulated store) and one Odoo, on one manager, their orders
// listed every minute. It reports the manager's heap, the instances'
// reconcile times, and how long a new instance takes to be Ready while
// they run: alone, then with 10 of the 1,000 shops tarpits that accept
// connections and never answer. Then two shards take the same 1,000 by
// label: it reports what each holds and what either wrote of the other's.
func BenchmarkManyInstances(b *testing.B) {
	ctrl.SetLogger(logr.Discard())
	cp := controlplane.ForTest(b)
	o := odoosim.New(odoosim.Options{Version: 17, Database: "db", Login: "admin", APIKey: odooKey, Catalog: true})
	o.Start()
	b.Cleanup(o.Close)
	base := spec("", o.URL())
	base.Suspend = true // a template for the others, which calls nothing
	deploy(b, cp, "scale", base)
	shops := make([]string, scale+2*newcomers)
	for i := range shops {
		shops[i] = startShop(b, i)
	}
	ctx := context.Background()
	for i := range scale {
		create(b, cp, i, shops[i])
	}
	for range b.N {
		base := heapInUse()
		before := reconcileBuckets(b, "shopifyinstance")
		stop := run(b, newManager(b, cp))
		waitFor(b, 10*time.Minute, "every instance Ready", func() bool { return readyCount(b, cp) >= scale })
		b.ReportMetric(float64(heapInUse()-base)/(1<<20), "manager-heap-MB")
		times := reconcileBuckets(b, "shopifyinstance").since(before)
		b.ReportMetric(times.quantile(0.5)*1000, "instance-reconcile-p50-ms")
		b.ReportMetric(times.quantile(0.99)*1000, "instance-reconcile-p99-ms")

		p50, p99, late := newcomersReady(b, cp, shops, scale)
		b.ReportMetric(p50.Seconds(), "new-instance-ready-p50-s")
		b.ReportMetric(p99.Seconds(), "new-instance-ready-p99-s")
		b.ReportMetric(float64(late), "new-instances-not-ready")

		for i := range tarpits {
			setEndpoint(b, cp, i, tarpit(b))
		}
		p50, p99, late = newcomersReady(b, cp, shops, scale+newcomers)
		b.ReportMetric(p50.Seconds(), "tarpits-new-instance-ready-p50-s")
		b.ReportMetric(p99.Seconds(), "tarpits-new-instance-ready-p99-s")
		b.ReportMetric(float64(late), "tarpits-new-instances-not-ready")
		stop()
		for i := range tarpits {
			setEndpoint(b, cp, i, shops[i])
		}
		for i := scale; i < len(shops); i++ {
			if err := cp.Client.Delete(ctx, &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "scale", Name: shopName(i)}}); err != nil {
				b.Fatal(err)
			}
		}

		held, crossed := twoShards(b, cp)
		b.ReportMetric(float64(held["a"]), "shard-a-instances")
		b.ReportMetric(float64(held["b"]), "shard-b-instances")
		b.ReportMetric(float64(crossed), "other-shard-writes")
	}
}

func shopName(i int) string { return fmt.Sprintf("shop-%04d", i) }

// startShop starts the empty simulated store of instance i.
func startShop(b *testing.B, i int) string {
	s, err := shopifysim.Start(shopifysim.Options{Shop: shopName(i) + ".myshopify.com", EmptyCatalog: true, AccessToken: shopToken,
		RestoreRate: 1e5, MaxCost: 1e5})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s.URL()
}

// create creates instance i of the shop at url.
func create(b *testing.B, cp *controlplane.ControlPlane, i int, url string) {
	var base v1.ShopifyInstance
	if err := cp.Client.Get(context.Background(), client.ObjectKey{Namespace: "scale", Name: "shop"}, &base); err != nil {
		b.Fatal(err)
	}
	s := base.Spec
	s.Suspend = false
	s.Shopify.Shop, s.Shopify.Endpoint = shopName(i)+".myshopify.com", url
	s.Orders.ImportInterval = &metav1.Duration{Duration: time.Minute}
	s.Fulfillment.Enabled = false
	inst := &v1.ShopifyInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "scale", Name: shopName(i)}, Spec: s}
	if err := cp.Client.Create(context.Background(), inst); err != nil {
		b.Fatal(err)
	}
}

func readyCount(b *testing.B, cp *controlplane.ControlPlane) int {
	var list v1.ShopifyInstanceList
	if err := cp.Client.List(context.Background(), &list, client.InNamespace("scale")); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, i := range list.Items {
		if meta.IsStatusConditionTrue(i.Status.Conditions, v1.ConditionReady) {
			n++
		}
	}
	return n
}

// newcomersReady creates instances from, one at a time, and returns the
// median and 99th percentile of their times to Ready, and how many were not
// Ready within readyWait (counted as readyWait).
func newcomersReady(b *testing.B, cp *controlplane.ControlPlane, shops []string, from int) (p50, p99 time.Duration, late int) {
	var took []time.Duration
	for i := from; i < from+newcomers; i++ {
		start := time.Now()
		create(b, cp, i, shops[i])
		key := client.ObjectKey{Namespace: "scale", Name: shopName(i)}
		for {
			var inst v1.ShopifyInstance
			if err := cp.Client.Get(context.Background(), key, &inst); err == nil && meta.IsStatusConditionTrue(inst.Status.Conditions, v1.ConditionReady) {
				took = append(took, time.Since(start))
				break
			}
			if time.Since(start) > readyWait {
				took, late = append(took, readyWait), late+1
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	slices.Sort(took)
	at := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))))] }
	return at(0.5), at(0.99), late
}

func setEndpoint(b *testing.B, cp *controlplane.ControlPlane, i int, url string) {
	var inst v1.ShopifyInstance
	key := client.ObjectKey{Namespace: "scale", Name: shopName(i)}
	if err := cp.Client.Get(context.Background(), key, &inst); err != nil {
		b.Fatal(err)
	}
	inst.Spec.Shopify.Endpoint = url
	if err := cp.Client.Update(context.Background(), &inst); err != nil {
		b.Fatal(err)
	}
}

// tarpit accepts connections and never answers.
func tarpit(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	b.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// twoShards labels the instances a and b in turn and runs a manager of
// each shard until both hold theirs. It returns how many each holds and
// how many objects of the other's either wrote meanwhile.
func twoShards(b *testing.B, cp *controlplane.ControlPlane) (held map[string]int, crossed int) {
	ctx := context.Background()
	of := map[string]string{}
	for i := range scale {
		var inst v1.ShopifyInstance
		key := client.ObjectKey{Namespace: "scale", Name: shopName(i)}
		if err := cp.Client.Get(ctx, key, &inst); err != nil {
			b.Fatal(err)
		}
		of[inst.Name] = []string{"a", "b"}[i%2]
		inst.Labels = map[string]string{shard.Label: of[inst.Name]}
		// The run-now annotation makes every instance check both ends again.
		inst.Annotations = map[string]string{v1.ReconcileRequestedAnnotation: time.Now().Format(time.RFC3339Nano)}
		if err := cp.Client.Update(ctx, &inst); err != nil {
			b.Fatal(err)
		}
	}
	held = map[string]int{}
	wrote := map[string]*writes{}
	mgrs := map[string]ctrl.Manager{}
	for _, s := range []string{"a", "b"} {
		mgrs[s], wrote[s] = shardManager(b, cp, shard.Label+"="+s)
		defer run(b, mgrs[s])()
	}
	waitFor(b, 5*time.Minute, "both shards hold their instances", func() bool {
		for s, mgr := range mgrs {
			var list v1.ShopifyInstanceList
			if mgr.GetCache().List(ctx, &list) != nil {
				return false
			}
			held[s] = len(list.Items)
		}
		return held["a"]+held["b"] >= scale
	})
	time.Sleep(10 * time.Second) // the shards work a while
	for s, w := range wrote {
		for k := range w.all() {
			var kind, ns, name string
			fmt.Sscanf(k, "%s %s", &kind, &ns)
			if _, err := fmt.Sscanf(ns, "scale/%s", &name); err == nil && of[name] != "" && of[name] != s {
				crossed++
			}
		}
	}
	return held, crossed
}

// buckets are a histogram's cumulative bucket counts by upper bound.
type buckets struct {
	bounds []float64
	counts []float64
}

// reconcileBuckets reads controller-runtime's reconcile time histogram of a controller.
func reconcileBuckets(b testing.TB, controller string) buckets {
	var h buckets
	for _, m := range controllerMetrics(b, "controller_runtime_reconcile_time_seconds", controller) {
		for i, bk := range m.GetHistogram().GetBucket() {
			if len(h.bounds) <= i {
				h.bounds, h.counts = append(h.bounds, bk.GetUpperBound()), append(h.counts, 0)
			}
			h.counts[i] += float64(bk.GetCumulativeCount())
		}
	}
	return h
}

// controllerMetrics are the series of a metric family of one controller.
func controllerMetrics(b testing.TB, family, controller string) []*dto.Metric {
	b.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var out []*dto.Metric
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == controller {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// since is the histogram of the observations after h0.
func (h buckets) since(h0 buckets) buckets {
	out := buckets{bounds: h.bounds, counts: slices.Clone(h.counts)}
	for i := range h0.counts {
		out.counts[i] -= h0.counts[i]
	}
	return out
}

// quantile interpolates within the bucket the q-quantile falls in, as
// Prometheus's histogram_quantile does.
func (h buckets) quantile(q float64) float64 {
	if len(h.counts) == 0 || h.counts[len(h.counts)-1] == 0 {
		return 0
	}
	rank := q * h.counts[len(h.counts)-1]
	lower, below := 0.0, 0.0
	for i, c := range h.counts {
		if c >= rank {
			return lower + (h.bounds[i]-lower)*(rank-below)/max(c-below, 1)
		}
		lower, below = h.bounds[i], c
	}
	return h.bounds[len(h.bounds)-1]
}
