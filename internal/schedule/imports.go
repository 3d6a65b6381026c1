package schedule

import (
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
	"github.com/shopify-odoo/connector/internal/importer"
	"github.com/shopify-odoo/connector/internal/keys"
)

// Import queues follow the order queues' rules: their lines are viewed as
// order lines, with the Odoo record id in place of the sale order id, so
// that retries, backoff and phases are the same for both.

// ImportLines makes draft lines of product or customer ids.
func ImportLines(ids []string) []v1.ImportLine {
	lines := make([]v1.ImportLine, len(ids))
	for i, id := range ids {
		lines[i] = v1.ImportLine{ID: keys.LegacyID(id), State: v1.LineDraft}
	}
	return lines
}

func asOrderLine(l v1.ImportLine) v1.QueueLine {
	return v1.QueueLine{ID: l.ID, Name: l.Name, State: l.State, SaleOrderID: l.OdooID, Attempts: l.Attempts, Retry: l.Retry, Message: l.Message}
}

func asImportLine(l v1.QueueLine) v1.ImportLine {
	return v1.ImportLine{ID: l.ID, Name: l.Name, State: l.State, OdooID: l.SaleOrderID, Attempts: l.Attempts, Retry: l.Retry, Message: l.Message}
}

func convert[A, B any](in []A, f func(A) B) []B {
	out := make([]B, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

// DueImports is Due for an import queue.
func DueImports(st v1.ImportQueueStatus, now time.Time) (ids []string, next time.Time) {
	return Due(v1.OrderQueueStatus{Lines: convert(st.Lines, asOrderLine), LastAttemptTime: st.LastAttemptTime}, now)
}

// RecordImports is Record for an import queue.
func RecordImports(lines []v1.ImportLine, results []catalogimport.Result) []v1.ImportLine {
	rs := convert(results, func(r catalogimport.Result) importer.Result {
		return importer.Result{ID: r.ID, Name: r.Name, State: r.State, SaleOrderID: r.OdooID, Message: r.Message, Retry: r.Retry}
	})
	ol := convert(lines, asOrderLine)
	failed := Record(ol, rs)
	copy(lines, convert(ol, asImportLine))
	return convert(failed, asImportLine)
}

// FailImports is Fail for an import queue.
func FailImports(lines []v1.ImportLine, ids []string, msg string) []v1.ImportLine {
	results := make([]catalogimport.Result, len(ids))
	for i, id := range ids {
		results[i] = catalogimport.Result{ID: id, State: v1.LineFailed, Message: msg, Retry: true}
	}
	return RecordImports(lines, results)
}

// ImportSummary is what an import queue's lines add up to.
type ImportSummary struct {
	Counts    v1.ImportCounts
	Phase     v1.QueuePhase
	Attention []v1.ImportLine
}

// SummarizeImports is Summarize for an import queue.
func SummarizeImports(lines []v1.ImportLine) ImportSummary {
	s := Summarize(convert(lines, asOrderLine))
	c := s.Counts
	return ImportSummary{Counts: v1.ImportCounts{Total: c.Total, Draft: c.Draft, Done: c.Done, Failed: c.Failed},
		Phase: s.Phase, Attention: convert(s.Attention, asImportLine)}
}

// ImportAttentionMessage says which lines of an import queue need a person.
func ImportAttentionMessage(what v1.ImportResource, lines []v1.ImportLine) string {
	return attentionMessage(strings.ToLower(string(what)), convert(lines, asOrderLine))
}

// SplitIDs keeps the first size ids of a queue named name, and puts the
// rest into queues named <name>-2, <name>-3, ...
func SplitIDs(name string, ids []string, size int) (own []string, children []Queue) {
	if len(ids) <= size {
		return ids, nil
	}
	for i, chunk := range slices.Collect(slices.Chunk(ids[size:], size)) {
		children = append(children, Queue{Name: name + "-" + strconv.Itoa(i+2), OrderIDs: chunk})
	}
	return ids[:size], children
}
