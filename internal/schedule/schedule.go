// Package schedule decides what the order import does next, without
// Kubernetes or the network: which orders go into which queues and under
// which names, where the watermark moves, when the next import is due.
package schedule

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/keys"
	"github.com/shopify-odoo/connector/internal/queue"
	"github.com/shopify-odoo/connector/internal/shopify"
)

// Defaults of the instance's spec.
const (
	DefaultInterval        = 10 * time.Minute
	DefaultStockInterval   = 15 * time.Minute
	DefaultProductInterval = 30 * time.Minute
)

// Overlap is how far before the watermark each listing starts again:
// Shopify's search index lags behind writes, so an order updated just
// before the last listing may only show up in the next.
const Overlap = 5 * time.Minute

// LabelInstance carries the instance name on the queues the operator creates.
const LabelInstance = "connector.shopify-odoo.dev/instance"

// Interval is how often the scheduled import runs.
func Interval(o v1.OrdersSpec) time.Duration {
	return Every(o.ImportInterval, DefaultInterval)
}

// Every is d, or def when d is not set.
func Every(d *metav1.Duration, def time.Duration) time.Duration {
	if d == nil || d.Duration <= 0 {
		return def
	}
	return d.Duration
}

// QueueSize is the most orders one queue holds.
func QueueSize(o v1.OrdersSpec) int {
	return queue.Size(o.QueueSettings)
}

// Statuses are the order statuses imported.
func Statuses(o v1.OrdersSpec) []v1.OrderStatus {
	if len(o.Statuses) == 0 {
		return []v1.OrderStatus{v1.OrderUnshipped, v1.OrderPartial}
	}
	return o.Statuses
}

// StatusOf says how far an order shipped, in the spec's terms.
func StatusOf(r shopify.OrderRef) v1.OrderStatus {
	switch {
	case r.CancelledAt != nil:
		return v1.OrderCancelled
	case r.DisplayFulfillmentStatus == "FULFILLED":
		return v1.OrderShipped
	case r.DisplayFulfillmentStatus == "PARTIALLY_FULFILLED":
		return v1.OrderPartial
	}
	return v1.OrderUnshipped // UNFULFILLED, ON_HOLD, SCHEDULED, IN_PROGRESS, OPEN, ...
}

// TypeOf is the queue type an order goes into.
func TypeOf(r shopify.OrderRef) v1.QueueType {
	if r.DisplayFulfillmentStatus == "FULFILLED" {
		return v1.QueueShipped
	}
	return v1.QueueUnshipped
}

// Window is what the next listing asks Shopify for.
type Window struct {
	UpdatedAfter time.Time // inclusive
	CreatedAfter time.Time // orders created before it are never imported
}

// NextWindow starts at the watermark less the overlap; the first listing
// starts at importAfter, or at the instance's creation.
func NextWindow(o v1.OrdersSpec, watermark *metav1.Time, created time.Time) Window {
	w := Window{CreatedAfter: created}
	if o.ImportAfter != nil {
		w.CreatedAfter = o.ImportAfter.Time
	}
	w.UpdatedAfter = w.CreatedAfter
	if watermark != nil {
		w.UpdatedAfter = watermark.Add(-Overlap)
	}
	return w
}

// Filter is the Shopify order filter of w.
func (w Window) Filter() shopify.OrderFilter {
	return shopify.OrderFilter{UpdatedAtMin: w.UpdatedAfter,
		Query: keys.Since(keys.CreatedAt, w.CreatedAfter)}
}

// Queue is a queue to create.
type Queue struct {
	Name     string
	Type     v1.QueueType
	OrderIDs []string // numeric
}

// Queues groups the listed orders in the configured statuses into queues of
// at most size orders, one type per queue. Orders of the overlap (updated
// before the watermark) that a queue already holds are left out: they were
// queued by an earlier listing. A queue's name is a hash of its orders and
// their update times, so that the same listing, repeated after a crash
// before the watermark moved, names the same queues.
func Queues(instance string, refs []shopify.OrderRef, o v1.OrdersSpec, watermark *metav1.Time, queued map[string]bool) []Queue {
	statuses := Statuses(o)
	byType := map[v1.QueueType][]shopify.OrderRef{}
	for _, r := range refs {
		if !slices.Contains(statuses, StatusOf(r)) {
			continue
		}
		if watermark != nil && !r.UpdatedAt.After(watermark.Time) && queued[r.LegacyResourceID] {
			continue
		}
		byType[TypeOf(r)] = append(byType[TypeOf(r)], r)
	}
	size := QueueSize(o)
	var out []Queue
	for _, typ := range []v1.QueueType{v1.QueueUnshipped, v1.QueueShipped} {
		rs := byType[typ]
		Sort(rs)
		for chunk := range slices.Chunk(rs, size) {
			h := sha256.New()
			q := Queue{Type: typ}
			for _, r := range chunk {
				q.OrderIDs = append(q.OrderIDs, r.LegacyResourceID)
				h.Write([]byte(r.LegacyResourceID + "@" + r.UpdatedAt.UTC().Format(time.RFC3339Nano) + ","))
			}
			q.Name = prefix(instance) + "-" + string(typ) + "-" + hex.EncodeToString(h.Sum(nil))[:10]
			out = append(out, q)
		}
	}
	return out
}

// Sort orders a listing by update time, then id: a bulk listing comes in no
// particular order, and a repeated listing must split into the same queues.
func Sort(refs []shopify.OrderRef) {
	slices.SortFunc(refs, func(a, b shopify.OrderRef) int {
		if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(len(a.LegacyResourceID), len(b.LegacyResourceID)), strings.Compare(a.LegacyResourceID, b.LegacyResourceID))
	})
}

// prefix cuts an instance name so that queue names derived from it stay
// within the 253 characters of an object name, child suffixes included.
func prefix(instance string) string {
	const most = 253 - len("-unshipped-0123456789-999")
	if len(instance) <= most {
		return instance
	}
	return strings.TrimRight(instance[:most], ".-")
}

// Watermark is where the next listing starts from (before the overlap): the
// latest update seen, or the listing's start when it found nothing. It
// never moves back.
func Watermark(refs []shopify.OrderRef, start time.Time, old *metav1.Time) time.Time {
	w := start
	if len(refs) > 0 {
		w = time.Time{}
		for _, r := range refs {
			if r.UpdatedAt.After(w) {
				w = r.UpdatedAt
			}
		}
	}
	if old != nil && old.After(w) {
		return old.Time
	}
	return w
}

// Next is when the run after the one at last is due: an interval later,
// plus a jitter of up to a tenth of it, fixed per object so that objects
// created together do not poll together.
func Next(last *metav1.Time, interval time.Duration, uid string) time.Time {
	if last == nil {
		return time.Time{}
	}
	h := fnv.New32a()
	h.Write([]byte(uid))
	jitter := time.Duration(h.Sum32()%1000) * interval / 10000
	return last.Add(interval + jitter)
}

// Lines makes draft lines of order ids.
func Lines(ids []string) []v1.OrderLine {
	return queue.Draft[v1.OrderLine](ids)
}
