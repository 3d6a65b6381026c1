// Package queue holds the rules every kind of queue follows, without
// Kubernetes or the network: which lines are due, backoff, phases, what a
// person must look at, retries asked for, retention and the instance's
// totals a queue adds to.
package queue

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
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

// Line is a queue line of any kind, as a pointer: L embeds v1.LineStatus.
type Line[L any] interface {
	*L
	Base() *v1.LineStatus
}

// Bases are the states of lines of any kind, to read and change them.
func Bases[L any, P Line[L]](lines []L) []*v1.LineStatus {
	out := make([]*v1.LineStatus, len(lines))
	for i := range lines {
		out[i] = P(&lines[i]).Base()
	}
	return out
}

// Draft makes draft lines of Shopify ids, numeric or as GIDs.
func Draft[L any, P Line[L]](ids []string) []L {
	lines := make([]L, len(ids))
	for i, id := range ids {
		*P(&lines[i]).Base() = v1.LineStatus{ID: keys.LegacyID(id), State: v1.LineDraft}
	}
	return lines
}

// Record applies an attempt at the lines with ids: each result's state,
// name and message through base, the kind's own fields through set; or err,
// which stopped the whole batch, to them all, to be retried.
func Record[L any, P Line[L], R any](lines []L, ids []string, results []R, err error, base func(R) v1.LineStatus, set func(P, R)) {
	if err != nil {
		fail(Bases[L, P](lines), ids, err.Error())
		return
	}
	at := make(map[string]P, len(lines))
	for i := range lines {
		at[P(&lines[i]).Base().ID] = &lines[i]
	}
	for _, r := range results {
		b := base(r)
		l, ok := at[b.ID]
		if !ok {
			continue
		}
		set(l, r)
		s := l.Base()
		s.State, s.Retry = b.State, b.Retry
		// Keep what an earlier attempt learnt when this one says nothing.
		s.Name = cmp.Or(b.Name, s.Name)
		s.Message = Truncate(b.Message, maxMessage)
		s.Attempts++
	}
}

func fail(lines []*v1.LineStatus, ids []string, msg string) {
	for _, l := range lines {
		if slices.Contains(ids, l.ID) {
			l.State, l.Retry, l.Message = v1.LineFailed, true, Truncate(msg, maxMessage)
			l.Attempts++
		}
	}
}

func retryable(l *v1.LineStatus) bool {
	return l.State == v1.LineFailed && l.Retry && l.Attempts < MaxAttempts
}

// Due returns the ids of the lines to try now: drafts, and failed lines
// to retry whose backoff since the last pass has elapsed; and when the next
// waiting line is due, zero when none waits.
func Due(lines []*v1.LineStatus, last *metav1.Time, now time.Time) (ids []string, next time.Time) {
	for _, l := range lines {
		switch {
		case l.State == v1.LineDraft:
			ids = append(ids, l.ID)
		case retryable(l):
			at := now
			if last != nil {
				at = last.Add(RetryDelay(l.Attempts))
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

// RetryFailed puts the failed lines back to draft, for a person who fixed
// their cause: each gets MaxAttempts again. Done lines stay done. It
// returns how many lines it put back.
func RetryFailed(lines []*v1.LineStatus) int {
	n := 0
	for _, l := range lines {
		if l.State == v1.LineFailed {
			l.State, l.Retry, l.Attempts = v1.LineDraft, false, 0
			n++
		}
	}
	return n
}

// Summary is what a queue's lines add up to.
type Summary struct {
	Counts v1.LineCounts
	Phase  v1.QueuePhase
	// Attention lists the lines that need a person: failed past the retry
	// limit or for a reason that does not pass on its own.
	Attention []*v1.LineStatus
}

// Summarize counts the lines by state and derives the phase: Processing
// while a line is draft or waits for a retry; then Completed when none
// failed, Failed when all did, PartiallyCompleted otherwise.
func Summarize(lines []*v1.LineStatus) Summary {
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

// Finished phases have no line left to try.
func Finished(p v1.QueuePhase) bool {
	return p == v1.PhaseCompleted || p == v1.PhaseFailed || p == v1.PhasePartiallyCompleted
}

// AttentionMessage says which lines need a person, in a bounded message.
func AttentionMessage(what string, lines []*v1.LineStatus) string {
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

// Child is a queue to create with the ids a queue does not keep.
type Child struct {
	Name string
	IDs  []string
}

// Split keeps the first size ids of a queue named name, and puts the rest
// into queues named <name>-2, <name>-3, ...
func Split(name string, ids []string, size int) (own []string, children []Child) {
	if len(ids) <= size {
		return ids, nil
	}
	for i, chunk := range slices.Collect(slices.Chunk(ids[size:], size)) {
		children = append(children, Child{Name: name + "-" + strconv.Itoa(i+2), IDs: chunk})
	}
	return ids[:size], children
}
