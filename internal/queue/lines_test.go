package queue

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type result struct {
	id, name string
	state    v1.LineState
	retry    bool
	msg      string
	odooID   int64
}

func record(lines []v1.ImportLine, err error, rs ...result) {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.id)
	}
	Record(lines, ids, rs, err, func(r result) v1.LineStatus {
		return v1.LineStatus{ID: r.id, Name: r.name, State: r.state, Retry: r.retry, Message: r.msg}
	}, func(l *v1.ImportLine, r result) { l.OdooID = max(r.odooID, l.OdooID) })
}

func TestLines(t *testing.T) {
	lines := Draft[v1.ImportLine]([]string{"1", "gid://shopify/Product/2", "gid://shopify/Order/3"})
	b := Bases(lines)
	ids, _ := Due(b, nil, t0)
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Fatalf("due: %v", ids)
	}
	record(lines, nil,
		result{id: "1", name: "Scarf", state: v1.LineDone, odooID: 42, msg: "created with 16 variants"},
		result{id: "2", state: v1.LineFailed, msg: "Odoo busy", retry: true},
		result{id: "3", state: v1.LineFailed, msg: strings.Repeat("x", 600)})
	if l := lines[0]; l.OdooID != 42 || l.Name != "Scarf" || l.Attempts != 1 || l.State != v1.LineDone {
		t.Errorf("done line: %+v", l)
	}
	if n := len(lines[2].Message); n > maxMessage {
		t.Errorf("a message of %d bytes", n)
	}
	last := &metav1.Time{Time: t0}
	if ids, next := Due(b, last, t0.Add(time.Second)); len(ids) != 0 || !next.Equal(t0.Add(RetryDelay(1))) {
		t.Errorf("before the backoff: %v %s", ids, next)
	}
	if ids, _ := Due(b, last, t0.Add(RetryDelay(1))); fmt.Sprint(ids) != "[2]" {
		t.Errorf("after the backoff: %v", ids)
	}
	s := Summarize(b)
	if s.Phase != v1.PhaseProcessing || s.Counts != (v1.LineCounts{Total: 3, Done: 1, Failed: 2}) || len(s.Attention) != 1 {
		t.Errorf("summary: %+v", s)
	}
	// A failure of the whole batch is retried, and the Odoo id learnt before stays.
	record(lines, errors.New("Shopify unreachable"), result{id: "1"}, result{id: "2"})
	if l := lines[0]; l.State != v1.LineFailed || !l.Retry || l.OdooID != 42 || l.Attempts != 2 {
		t.Errorf("after a batch failure: %+v", l)
	}
	lines[0].Attempts, lines[1].Attempts = MaxAttempts, MaxAttempts
	s = Summarize(b)
	if msg := AttentionMessage("products", s.Attention); s.Phase != v1.PhaseFailed || !strings.HasPrefix(msg, "3 products failed") {
		t.Errorf("past the retry limit: %s %s", s.Phase, msg)
	}
	if s := Summarize(b[:1]); s.Phase != v1.PhaseFailed {
		t.Errorf("all failed: %+v", s)
	}
	record(lines, nil, result{id: "1", state: v1.LineDone})
	if s := Summarize(b); s.Phase != v1.PhasePartiallyCompleted {
		t.Errorf("some failed: %+v", s)
	}
	if s := Summarize(b[:1]); s.Phase != v1.PhaseCompleted {
		t.Errorf("all done: %+v", s)
	}
}

func TestRetryFailedLeavesDoneLines(t *testing.T) {
	lines := Draft[v1.OrderLine]([]string{"1", "2", "3"})
	lines[0].State, lines[0].Attempts, lines[0].SaleOrderID = v1.LineDone, 1, 7
	lines[1].State, lines[1].Attempts, lines[1].Message = v1.LineFailed, MaxAttempts, "unknown SKU X"
	lines[2].State, lines[2].Attempts = v1.LineFailed, 1
	b := Bases(lines)
	if n := RetryFailed(b); n != 2 {
		t.Errorf("%d lines retried; want 2", n)
	}
	if ids, _ := Due(b, &metav1.Time{Time: t0}, t0); fmt.Sprint(ids) != "[2 3]" {
		t.Errorf("due after the retry: %v", ids)
	}
	if l := lines[0]; l.State != v1.LineDone || l.Attempts != 1 || l.SaleOrderID != 7 {
		t.Errorf("the done line changed: %+v", l)
	}
	if l := lines[1]; l.Attempts != 0 || l.Message != "unknown SKU X" {
		t.Errorf("a retried line: %+v", l)
	}
}

func TestOrderCounts(t *testing.T) {
	lines := Draft[v1.OrderLine]([]string{"1", "2", "3"})
	lines[0].State, lines[0].Outcome, lines[0].Delivered = v1.LineDone, v1.OutcomePaid, true
	lines[1].State, lines[1].Outcome = v1.LineDone, v1.OutcomeRiskyQuotation
	lines[2].State = v1.LineFailed
	c := OrderCounts(lines, Summarize(Bases(lines)).Counts)
	if c.Invoices != 1 || c.Deliveries != 1 || c.SalesOrders != 1 || c.RiskyQuotations != 1 || c.Done != 2 || c.Failed != 1 {
		t.Errorf("%+v", c)
	}
	tot := OrderTotals(c)
	if tot.OrdersImported != 2 || tot.FailedLines != 1 || tot.Invoices != 1 {
		t.Errorf("totals %+v", tot)
	}
}

func TestTotalsAddOnlyWhatChanged(t *testing.T) {
	var into v1.Counters
	first := ImportTotals(v1.ImportProducts, v1.LineCounts{Total: 3, Done: 1, Failed: 2})
	Add(&into, first, v1.Counters{})
	// The failed lines pass on a retry: the queue adds only the difference.
	Add(&into, ImportTotals(v1.ImportProducts, v1.LineCounts{Total: 3, Done: 3}), first)
	if into != (v1.Counters{ProductsImported: 3}) {
		t.Errorf("%+v", into)
	}
}

func TestMarksAreBounded(t *testing.T) {
	var marks []string
	for i := range 40 {
		marks = Mark(marks, fmt.Sprint(i))
	}
	if len(marks) != maxMarks || marks[0] != "8" || marks[len(marks)-1] != "39" {
		t.Errorf("%v", marks)
	}
}

func TestExpiry(t *testing.T) {
	last := &metav1.Time{Time: t0}
	if at := Expiry(v1.QueueSettings{}, last, false); !at.Equal(t0.Add(DefaultRetention)) {
		t.Errorf("default retention: %s", at)
	}
	if at := Expiry(v1.QueueSettings{}, last, true); !at.Equal(t0.Add(DefaultFailedRetention)) {
		t.Errorf("default failed retention: %s", at)
	}
	s := v1.QueueSettings{QueueRetention: &metav1.Duration{}, FailedQueueRetention: &metav1.Duration{Duration: time.Hour}}
	if at := Expiry(s, last, false); !at.Equal(t0) {
		t.Errorf("no retention: %s", at)
	}
	if at := Expiry(s, last, true); !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("failed retention: %s", at)
	}
}

func TestSplit(t *testing.T) {
	own, children := Split("all", []string{"1", "2", "3", "4", "5"}, 2)
	if fmt.Sprint(own) != "[1 2]" || len(children) != 2 || children[1].Name != "all-3" || fmt.Sprint(children[1].IDs) != "[5]" {
		t.Errorf("%v %+v", own, children)
	}
	if own, children := Split("few", []string{"1"}, 2); len(own) != 1 || children != nil {
		t.Errorf("%v %+v", own, children)
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("ééé", 5); got != "é..." {
		t.Errorf("%q", got)
	}
}
