package schedule

import (
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/shopify"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func refs(n int, status string) []shopify.OrderRef {
	var out []shopify.OrderRef
	for i := range n {
		out = append(out, shopify.OrderRef{LegacyResourceID: fmt.Sprint(status, i), UpdatedAt: t0.Add(time.Duration(i) * time.Minute),
			DisplayFulfillmentStatus: status})
	}
	return out
}

func TestQueues(t *testing.T) {
	rs := append(refs(5, "UNFULFILLED"), refs(2, "FULFILLED")...)
	rs = append(rs, refs(1, "PARTIALLY_FULFILLED")...)
	o := v1.OrdersSpec{QueueSettings: v1.QueueSettings{QueueSize: 2}}
	qs := Queues("shop", rs, o, nil, nil)
	// unshipped and partial by default, in queues of 2: 6 orders, 3 queues.
	if len(qs) != 3 || qs[0].Type != v1.QueueUnshipped || len(qs[2].OrderIDs) != 2 {
		t.Fatalf("queues: %+v", qs)
	}
	if again := Queues("shop", rs, o, nil, nil); fmt.Sprint(again) != fmt.Sprint(qs) {
		t.Errorf("the same listing named other queues: %+v", again)
	}
	// A bulk listing comes in any order, with equal update times too.
	shuffled := slices.Clone(rs)
	for i := range shuffled {
		shuffled[i].UpdatedAt = t0
	}
	same := Queues("shop", shuffled, o, nil, nil)
	slices.Reverse(shuffled)
	if again := Queues("shop", shuffled, o, nil, nil); fmt.Sprint(again) != fmt.Sprint(same) {
		t.Errorf("the listing's order changed the queues: %+v, then %+v", same, again)
	}
	o.Statuses = []v1.OrderStatus{v1.OrderShipped}
	if qs := Queues("shop", rs, o, nil, nil); len(qs) != 1 || qs[0].Type != v1.QueueShipped {
		t.Errorf("shipped: %+v", qs)
	}
	// Orders of the overlap that a queue holds are not queued again.
	wm := metav1.NewTime(t0.Add(3 * time.Minute))
	queued := map[string]bool{"UNFULFILLED2": true, "UNFULFILLED3": true, "UNFULFILLED4": true}
	o.Statuses = nil
	qs = Queues("shop", rs[2:5], o, &wm, queued)
	if len(qs) != 1 || fmt.Sprint(qs[0].OrderIDs) != "[UNFULFILLED4]" {
		t.Errorf("overlap: %+v", qs)
	}
	if w := Watermark(rs, t0.Add(time.Hour), nil); !w.Equal(t0.Add(4 * time.Minute)) {
		t.Errorf("watermark %s", w)
	}
	if w := Watermark(nil, t0, &wm); !w.Equal(wm.Time) {
		t.Errorf("the watermark moved back to %s", w)
	}
}
