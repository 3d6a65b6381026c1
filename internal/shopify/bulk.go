package shopify

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/backoff"
)

// BulkOrders runs a bulk operation over the orders matching f and streams the
// result to fn one order at a time, children joined to their parent; memory
// does not grow with the number of orders.
func (c *Client) BulkOrders(ctx context.Context, f OrderFilter, fn func(Order) error) error {
	url, err := c.runBulk(ctx, bulkQuery("BulkOrders", f.SearchQuery()))
	if err != nil || url == "" {
		return err
	}
	return c.streamJSONL(ctx, url, orderJoiner(fn))
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

// streamJSONL downloads a bulk result and calls line for each JSON line. The
// download may be long, so instead of a deadline it fails when no byte
// arrives for the configured timeout.
func (c *Client) streamJSONL(ctx context.Context, url string, line func([]byte) error) error {
	const op = "BulkDownload"
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &Error{Kind: KindTransport, Op: op, Err: err}
	}
	idle := time.AfterFunc(c.cfg.Timeout, cancel)
	defer idle.Stop()
	resp, err := c.http.Do(req)
	if err != nil {
		return &Error{Kind: KindTransport, Op: op, Err: err}
	}
	defer resp.Body.Close()
	if e := statusError(op, resp.StatusCode); e != nil {
		return e
	}
	r := bufio.NewReaderSize(resp.Body, 256<<10)
	for {
		idle.Reset(c.cfg.Timeout)
		b, err := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(b))) > 0 {
			if lerr := line(b); lerr != nil {
				return lerr
			}
		}
		if err == io.EOF {
			return line(nil)
		}
		if err != nil {
			return &Error{Kind: KindTransport, Op: op, Err: err}
		}
	}
}

// orderJoiner rebuilds orders from bulk lines: an order line is followed by
// its children (lines, shipping lines, discounts, fulfillment orders and their
// lines), each pointing at its parent with __parentId. A nil line ends the stream.
func orderJoiner(fn func(Order) error) func([]byte) error {
	var cur *Order
	flush := func() error {
		if cur == nil {
			return nil
		}
		o := *cur
		cur = nil
		return fn(o)
	}
	return func(b []byte) error {
		if b == nil {
			return flush()
		}
		var head struct {
			Type   string `json:"__typename"`
			Parent string `json:"__parentId"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return errorf("BulkDownload", KindBulk, "bad JSONL line: %v", err)
		}
		if head.Parent == "" {
			if err := flush(); err != nil {
				return err
			}
			cur = new(Order)
			return decodeLine(b, cur)
		}
		if cur == nil {
			return errorf("BulkDownload", KindBulk, "%s line before any order", head.Type)
		}
		switch {
		case head.Type == "LineItem":
			return appendLine(b, &cur.LineItems.Nodes)
		case head.Type == "ShippingLine":
			return appendLine(b, &cur.ShippingLines.Nodes)
		case strings.HasSuffix(head.Type, "DiscountApplication") || head.Type == "DiscountCodeApplication":
			return appendLine(b, &cur.DiscountApplications.Nodes)
		case head.Type == "FulfillmentOrder":
			return appendLine(b, &cur.FulfillmentOrders.Nodes)
		case head.Type == "FulfillmentOrderLineItem":
			fos := cur.FulfillmentOrders.Nodes
			for i := len(fos) - 1; i >= 0; i-- {
				if fos[i].ID == head.Parent {
					return appendLine(b, &fos[i].LineItems.Nodes)
				}
			}
		}
		return errorf("BulkDownload", KindBulk, "unexpected %s line under %s", head.Type, head.Parent)
	}
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
