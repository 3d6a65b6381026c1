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

	"github.com/shopify-odoo/connector/internal/backoff"
	"github.com/shopify-odoo/connector/internal/egress"
)

// BulkOrders runs a bulk operation over the orders matching f and calls fn on
// each order with its lines, shipping lines and discounts, in the order
// Shopify listed them. Shopify does not group a result (unless asked, which
// is slower and fails more): an order's children come after it, not right
// after it. So the result is downloaded to a temporary file and read twice,
// first to note where each order's children are, then to hand each order
// over with them; memory holds that index, not the orders.
func (c *Client) BulkOrders(ctx context.Context, f OrderFilter, fn func(Order) error) error {
	url, err := c.runBulk(ctx, bulkQuery("BulkOrders", f.SearchQuery()))
	if err != nil || url == "" {
		return err
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

// maxBulkDuration bounds the wait for a bulk operation: an import slower
// than that needs a person, not more polling.
const maxBulkDuration = 6 * time.Hour

type bulkOperation struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	ErrorCode      string `json:"errorCode"`
	ObjectCount    string `json:"objectCount"`
	URL            string `json:"url"`
	PartialDataURL string `json:"partialDataUrl"`
}

// runBulk starts a bulk query and polls until it ends. It returns the result
// URL, empty when nothing matched.
func (c *Client) runBulk(ctx context.Context, query string) (string, error) {
	var run struct {
		Run struct {
			Op         *bulkOperation `json:"bulkOperation"`
			UserErrors []UserError    `json:"userErrors"`
		} `json:"bulkOperationRunQuery"`
	}
	if err := c.do(ctx, doc("BulkRun"), map[string]any{"query": query}, &run); err != nil {
		return "", err
	}
	if err := userErrors("BulkRun", run.Run.UserErrors); err != nil {
		return "", err
	}
	if run.Run.Op == nil {
		return "", errorf("BulkRun", KindBulk, "no bulk operation returned")
	}
	deadline := time.Now().Add(maxBulkDuration)
	for wait := 100 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
		if time.Now().After(deadline) {
			return "", errorf("BulkStatus", KindBulk, "bulk operation %s still running after %s", run.Run.Op.ID, maxBulkDuration)
		}
		var st struct {
			Op *bulkOperation `json:"bulkOperation"`
		}
		if err := c.do(ctx, doc("BulkStatus"), map[string]any{"id": run.Run.Op.ID}, &st); err != nil {
			return "", err
		}
		if st.Op == nil {
			return "", errorf("BulkStatus", KindNotFound, "bulk operation %s not found", run.Run.Op.ID)
		}
		switch st.Op.Status {
		case "COMPLETED":
			return st.Op.URL, nil
		case "CREATED", "RUNNING":
		default:
			return "", errorf("BulkStatus", KindBulk, "bulk operation %s ended %s %s", st.Op.ID, st.Op.Status, st.Op.ErrorCode)
		}
		if err := backoff.Sleep(ctx, wait); err != nil {
			return "", &Error{Kind: KindTransport, Op: "BulkStatus", Err: err}
		}
	}
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
