package shopify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/egress"
)

// Bulk is a bulk operation started and not yet read. Its owner keeps it in
// its status and polls it on later passes, after a restart too: a bulk
// operation may run for hours, and no pass waits for it.
type Bulk struct {
	ID        string
	Search    string // the order search it lists; another search needs another operation
	StartedAt time.Time
}

// StartBulk starts the bulk query of document name (BulkOrders or
// BulkOrderRefs) over the orders matching f.
func (c *Client) StartBulk(ctx context.Context, name string, f OrderFilter) (Bulk, error) {
	var run struct {
		Run struct {
			Op         *bulkOperation `json:"bulkOperation"`
			UserErrors []UserError    `json:"userErrors"`
		} `json:"bulkOperationRunQuery"`
	}
	search := f.SearchQuery()
	if err := c.do(ctx, doc("BulkRun"), map[string]any{"query": bulkQuery(name, search)}, &run); err != nil {
		return Bulk{}, err
	}
	if err := userErrors("BulkRun", run.Run.UserErrors); err != nil {
		return Bulk{}, err
	}
	if run.Run.Op == nil {
		return Bulk{}, errorf("BulkRun", KindBulk, "no bulk operation returned")
	}
	return Bulk{ID: run.Run.Op.ID, Search: search, StartedAt: c.now()}, nil
}

// PollBulk reads a bulk operation's status once. It says whether it ended
// and, once it completed, the URL of its result: empty when nothing matched.
func (c *Client) PollBulk(ctx context.Context, b Bulk) (url string, done bool, err error) {
	var st struct {
		Op *bulkOperation `json:"bulkOperation"`
	}
	if err := c.do(ctx, doc("BulkStatus"), map[string]any{"id": b.ID}, &st); err != nil {
		return "", false, err
	}
	switch {
	case st.Op == nil:
		return "", true, errorf("BulkStatus", KindNotFound, "bulk operation %s not found", b.ID)
	case st.Op.Status == "COMPLETED":
		return st.Op.URL, true, nil
	case st.Op.Status == "CREATED" || st.Op.Status == "RUNNING" || st.Op.Status == "CANCELING":
		return "", false, nil
	}
	return "", true, errorf("BulkStatus", KindBulk, "bulk operation %s ended %s %s", st.Op.ID, st.Op.Status, st.Op.ErrorCode)
}

// CancelBulk asks Shopify to cancel a bulk operation, so that it stops
// taking one of the shop's few concurrent bulk queries.
func (c *Client) CancelBulk(ctx context.Context, id string) error {
	var out struct {
		Cancel struct {
			UserErrors []UserError `json:"userErrors"`
		} `json:"bulkOperationCancel"`
	}
	if err := c.do(ctx, doc("BulkCancel"), map[string]any{"id": id}, &out); err != nil {
		return err
	}
	return userErrors("BulkCancel", out.Cancel.UserErrors)
}

// BulkOrders reads the result of a completed BulkOrders operation and calls
// fn on each order with its lines, shipping lines and discounts, in the order
// Shopify listed them. Shopify does not group a result (unless asked, which
// is slower and fails more): an order's children come after it, not right
// after it. So the result is downloaded to a temporary file and read twice,
// first to note where each order's children are, then to hand each order
// over with them; memory holds that index, not the orders.
func (c *Client) BulkOrders(ctx context.Context, url string, fn func(Order) error) error {
	if url == "" {
		return nil
	}
	file, err := os.CreateTemp("", "shopify-bulk-*.jsonl")
	if err != nil {
		return &Error{Kind: KindBulk, Op: "BulkDownload", Err: err}
	}
	defer os.Remove(file.Name())
	defer file.Close()
	type span struct{ off, n int64 }
	var orders []span
	children := map[string][]span{}
	w := bufio.NewWriterSize(file, 256<<10)
	var off int64
	err = c.streamJSONL(ctx, url, func(b []byte) error {
		if b == nil {
			return w.Flush()
		}
		var head struct {
			Parent string `json:"__parentId"`
		}
		if err := decodeLine(b, &head); err != nil {
			return err
		}
		s := span{off, int64(len(b))}
		if head.Parent == "" {
			orders = append(orders, s)
		} else {
			children[head.Parent] = append(children[head.Parent], s)
		}
		off += s.n
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	read := func(s span) ([]byte, error) {
		b := make([]byte, s.n)
		if _, err := file.ReadAt(b, s.off); err != nil {
			return nil, &Error{Kind: KindBulk, Op: "BulkDownload", Err: err}
		}
		return b, nil
	}
	for _, s := range orders {
		b, err := read(s)
		if err != nil {
			return err
		}
		var o Order
		if err := decodeLine(b, &o); err != nil {
			return err
		}
		for _, cs := range children[o.ID] {
			b, err := read(cs)
			if err == nil {
				err = attach(&o, b)
			}
			if err != nil {
				return err
			}
		}
		delete(children, o.ID)
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

type bulkOperation struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	ErrorCode      string `json:"errorCode"`
	ObjectCount    string `json:"objectCount"`
	URL            string `json:"url"`
	PartialDataURL string `json:"partialDataUrl"`
}

// maxBulkLine bounds a line of a bulk result: one object without its
// children.
const maxBulkLine = 4 << 20

// streamJSONL downloads a bulk result and calls line for each JSON line,
// then with nil at the end. The download may be long, so instead of a
// deadline it fails when no byte arrives for the configured timeout. The
// URL is Shopify's answer: it is fetched by the file rules, without
// credentials.
func (c *Client) streamJSONL(ctx context.Context, url string, line func([]byte) error) error {
	const op = "BulkDownload"
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &Error{Kind: KindBulk, Op: op, Message: "the result URL is not a URL"}
	}
	idle := time.AfterFunc(c.cfg.Timeout, cancel)
	defer idle.Stop()
	resp, err := c.files.Do(req)
	if err != nil {
		return &Error{Kind: KindTransport, Op: op, Err: egress.Wrap(err)}
	}
	defer resp.Body.Close()
	if e := statusError(op, resp.StatusCode); e != nil {
		return e
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 256<<10), maxBulkLine)
	for sc.Scan() {
		idle.Reset(c.cfg.Timeout)
		if b := sc.Bytes(); len(bytes.TrimSpace(b)) > 0 {
			if err := line(b); err != nil {
				return err
			}
		}
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return errorf(op, KindBulk, "a line of the bulk result is longer than %s", egress.MiB(maxBulkLine))
	case err != nil:
		return &Error{Kind: KindTransport, Op: op, Err: egress.Wrap(err)}
	}
	return line(nil)
}

// attach adds a bulk line to the order it belongs to: a line item, a
// shipping line or a discount application.
func attach(o *Order, b []byte) error {
	var head struct {
		Type string `json:"__typename"`
	}
	if err := decodeLine(b, &head); err != nil {
		return err
	}
	switch {
	case head.Type == "LineItem":
		return appendLine(b, &o.LineItems.Nodes)
	case head.Type == "ShippingLine":
		return appendLine(b, &o.ShippingLines.Nodes)
	case strings.HasSuffix(head.Type, "DiscountApplication") || head.Type == "DiscountCodeApplication":
		return appendLine(b, &o.DiscountApplications.Nodes)
	}
	return errorf("BulkDownload", KindBulk, "unexpected %s line under order %s", head.Type, o.ID)
}

func decodeLine(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return errorf("BulkDownload", KindBulk, "bad JSONL line: %v", err)
	}
	return nil
}

func appendLine[T any](b []byte, to *[]T) error {
	var v T
	if err := decodeLine(b, &v); err != nil {
		return err
	}
	*to = append(*to, v)
	return nil
}
