package schedule

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
)

// MaxAttempts is how often a line is tried before it needs a person.
const MaxAttempts = 5

// maxMessage is the longest line message the API takes.
const maxMessage = 512

// RetryDelay is the wait before trying a line again that failed attempts
// times: 15s, 30s, 1m, 2m.
func RetryDelay(attempts int32) time.Duration {
	return 15 * time.Second << min(max(attempts-1, 0), 10)
}

// Lines makes draft lines of order ids.
func Lines(ids []string) []v1.QueueLine {
	lines := make([]v1.QueueLine, len(ids))
	for i, id := range ids {
		lines[i] = v1.QueueLine{ID: keys.LegacyID(id), State: v1.LineDraft}
	}
	return lines
}

func retryable(l v1.QueueLine) bool {
	return l.State == v1.LineFailed && l.Retry && l.Attempts < MaxAttempts
}

// Due returns the ids of the lines to import now: drafts, and failed lines
// to retry whose backoff since the last pass has elapsed; and when the next
// waiting line is due, zero when none waits.
func Due(st v1.OrderQueueStatus, now time.Time) (ids []string, next time.Time) {
	for _, l := range st.Lines {
		switch {
		case l.State == v1.LineDraft:
			ids = append(ids, l.ID)
		case retryable(l):
			at := now
			if st.LastAttemptTime != nil {
				at = st.LastAttemptTime.Add(RetryDelay(l.Attempts))
			}
			if !at.After(now) {
				ids = append(ids, l.ID)
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	return ids, next
}

// Record writes the import results into the lines and returns the lines
// that failed.
func Record(lines []v1.QueueLine, results []importer.Result) []v1.QueueLine {
	byID := map[string]importer.Result{}
	for _, r := range results {
		byID[r.ID] = r
	}
	var failed []v1.QueueLine
	for i := range lines {
		r, ok := byID[lines[i].ID]
		if !ok {
			continue
		}
		l := &lines[i]
		l.State, l.Outcome, l.Delivered, l.Retry = r.State, r.Outcome, r.Delivered, r.Retry
		// Keep what an earlier attempt learnt when this one says nothing.
		l.Name = cmp.Or(r.Name, l.Name)
		l.SaleOrderID = cmp.Or(r.SaleOrderID, l.SaleOrderID)
		l.SaleOrder = cmp.Or(r.SaleOrder, l.SaleOrder)
		l.Message = Truncate(r.Message, maxMessage)
		l.Attempts++
		if l.State == v1.LineFailed {
			failed = append(failed, *l)
		}
	}
	return failed
}

// Fail marks the lines with ids failed for a reason that stopped the whole
// batch, to be retried, and returns them.
func Fail(lines []v1.QueueLine, ids []string, msg string) []v1.QueueLine {
	results := make([]importer.Result, len(ids))
	for i, id := range ids {
		results[i] = importer.Result{ID: id, State: v1.LineFailed, Message: msg, Retry: true}
	}
	return Record(lines, results)
}

// Truncate cuts s to at most n bytes on a character boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !isStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isStart(b byte) bool { return b&0xC0 != 0x80 }

// Summary is what a queue's lines add up to.
type Summary struct {
	Counts v1.QueueCounts
	Phase  v1.QueuePhase
	// Attention lists the lines that need a person: failed past the retry
	// limit or for a reason that does not pass on its own.
	Attention []v1.QueueLine
}

// Summarize counts the lines by state and outcome and derives the phase:
// Processing while a line is draft or waits for a retry; then Completed
// when none failed, Failed when all did, PartiallyCompleted otherwise.
func Summarize(lines []v1.QueueLine) Summary {
	var s Summary
	c := &s.Counts
	c.Total = int32(len(lines))
	working := false
	for _, l := range lines {
		switch l.State {
		case v1.LineDraft:
			c.Draft++
			working = true
		case v1.LineDone:
			c.Done++
		case v1.LineFailed:
			c.Failed++
			if retryable(l) {
				working = true
			} else {
				s.Attention = append(s.Attention, l)
			}
		case v1.LineCancelled:
			c.Cancelled++
		case v1.LineSkipped:
			c.Skipped++
		}
		if l.State != v1.LineDone {
			continue
		}
		switch l.Outcome {
		case v1.OutcomeQuotation:
			c.Quotations++
		case v1.OutcomeRiskyQuotation:
			c.RiskyQuotations++
		case v1.OutcomeSalesOrder, v1.OutcomeInvoiced, v1.OutcomePaid: // every confirmed order is a sales order
			c.SalesOrders++
		}
		if l.Outcome == v1.OutcomeInvoiced || l.Outcome == v1.OutcomePaid {
			c.Invoices++
		}
		if l.Delivered {
			c.Deliveries++
		}
	}
	switch {
	case working:
		s.Phase = v1.PhaseProcessing
	case c.Failed == 0:
		s.Phase = v1.PhaseCompleted
	case c.Failed == c.Total:
		s.Phase = v1.PhaseFailed
	default:
		s.Phase = v1.PhasePartiallyCompleted
	}
	return s
}

// AttentionMessage says which lines need a person, in a bounded message.
func AttentionMessage(lines []v1.QueueLine) string {
	return attentionMessage("orders", lines)
}

func attentionMessage(what string, lines []v1.QueueLine) string {
	parts := make([]string, 0, min(len(lines), 5))
	for _, l := range lines[:min(len(lines), 5)] {
		parts = append(parts, cmp.Or(l.Name, l.ID)+": "+Truncate(l.Message, 120))
	}
	msg := fmt.Sprintf("%d %s failed and are not retried: %s", len(lines), what, strings.Join(parts, "; "))
	if len(lines) > 5 {
		msg += "; ..."
	}
	return msg
}
