package schedule

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/catalogimport"
)

func TestImportLinesFollowTheOrderQueueRules(t *testing.T) {
	st := v1.ImportQueueStatus{Lines: ImportLines([]string{"1", "gid://shopify/Product/2", "gid://shopify/Customer/3"})}
	ids, _ := DueImports(st, t0)
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Fatalf("due: %v", ids)
	}
	failed := RecordImports(st.Lines, []catalogimport.Result{
		{ID: "1", Name: "Scarf", State: v1.LineDone, OdooID: 42, Message: "created with 16 variants"},
		{ID: "2", State: v1.LineFailed, Message: "Odoo busy", Retry: true},
		{ID: "3", State: v1.LineFailed, Message: strings.Repeat("x", 600)},
	})
	if len(failed) != 2 || failed[0].ID != "2" {
		t.Errorf("failed: %+v", failed)
	}
	if l := st.Lines[0]; l.OdooID != 42 || l.Name != "Scarf" || l.Attempts != 1 || l.State != v1.LineDone {
		t.Errorf("done line: %+v", l)
	}
	if n := len(st.Lines[2].Message); n > 512 {
		t.Errorf("a message of %d bytes", n)
	}
	st.LastAttemptTime = &metav1.Time{Time: t0}
	if ids, next := DueImports(st, t0.Add(time.Second)); len(ids) != 0 || !next.Equal(t0.Add(RetryDelay(1))) {
		t.Errorf("before the backoff: %v %s", ids, next)
	}
	s := SummarizeImports(st.Lines)
	if s.Phase != v1.PhaseProcessing || s.Counts != (v1.ImportCounts{Total: 3, Done: 1, Failed: 2}) || len(s.Attention) != 1 {
		t.Errorf("summary: %+v", s)
	}
	// A failure of the whole batch is retried, and the Odoo id learnt before stays.
	FailImports(st.Lines, []string{"1", "2"}, "Shopify unreachable")
	if l := st.Lines[0]; l.State != v1.LineFailed || !l.Retry || l.OdooID != 42 || l.Attempts != 2 {
		t.Errorf("after a batch failure: %+v", l)
	}
	st.Lines[1].Attempts = MaxAttempts
	st.Lines[0].Attempts = MaxAttempts
	s = SummarizeImports(st.Lines)
	if msg := ImportAttentionMessage(v1.ImportProducts, s.Attention); s.Phase != v1.PhaseFailed || !strings.HasPrefix(msg, "3 products failed") {
		t.Errorf("past the retry limit: %s %s", s.Phase, msg)
	}
}

func TestSplitIDs(t *testing.T) {
	own, children := SplitIDs("all", []string{"1", "2", "3", "4", "5"}, 2)
	if fmt.Sprint(own) != "[1 2]" || len(children) != 2 || children[1].Name != "all-3" || fmt.Sprint(children[1].OrderIDs) != "[5]" {
		t.Errorf("%v %+v", own, children)
	}
	if own, children := SplitIDs("few", []string{"1"}, 2); len(own) != 1 || children != nil {
		t.Errorf("%v %+v", own, children)
	}
}
