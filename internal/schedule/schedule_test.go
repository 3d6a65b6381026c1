package schedule

import (
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
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
	o := v1.OrdersSpec{QueueSize: 2}
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

func TestChildren(t *testing.T) {
	own, children := Children("q", v1.QueueUnshipped, []string{"1", "2", "3", "4", "5"}, 2)
	if fmt.Sprint(own) != "[1 2]" || len(children) != 2 || children[0].Name != "q-2" || fmt.Sprint(children[1].OrderIDs) != "[5]" {
		t.Errorf("%v %+v", own, children)
	}
}

func TestLines(t *testing.T) {
	st := v1.OrderQueueStatus{Lines: Lines([]string{"1", "2", "gid://shopify/Order/3"})}
	ids, _ := Due(st, t0)
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Fatalf("due: %v", ids)
	}
	failed := Record(st.Lines, []importer.Result{
		{ID: "1", State: v1.LineDone, Outcome: v1.OutcomePaid, Delivered: true},
		{ID: "2", State: v1.LineFailed, Message: "Odoo busy", Retry: true},
		{ID: "3", State: v1.LineFailed, Message: "unknown SKU X"},
	})
	if len(failed) != 2 {
		t.Errorf("failed: %+v", failed)
	}
	st.LastAttemptTime = &metav1.Time{Time: t0}
	if ids, next := Due(st, t0.Add(time.Second)); len(ids) != 0 || !next.Equal(t0.Add(RetryDelay(1))) {
		t.Errorf("before the backoff: %v %s", ids, next)
	}
	if ids, _ := Due(st, t0.Add(RetryDelay(1))); fmt.Sprint(ids) != "[2]" {
		t.Errorf("after the backoff: %v", ids)
	}
	s := Summarize(st.Lines)
	if s.Phase != v1.PhaseProcessing || s.Counts.Invoices != 1 || s.Counts.Deliveries != 1 || len(s.Attention) != 1 {
		t.Errorf("summary: %+v", s)
	}
	st.Lines[1].Attempts = MaxAttempts
	if s := Summarize(st.Lines); s.Phase != v1.PhasePartiallyCompleted || len(s.Attention) != 2 {
		t.Errorf("past the retry limit: %+v", s)
	}
	if s := Summarize(st.Lines[2:]); s.Phase != v1.PhaseFailed {
		t.Errorf("all failed: %+v", s)
	}
	if s := Summarize(st.Lines[:1]); s.Phase != v1.PhaseCompleted {
		t.Errorf("all done: %+v", s)
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("ééé", 5); got != "é..." {
		t.Errorf("%q", got)
	}
}
