package queue

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// Defaults of the queue settings.
const (
	DefaultSize            = 50
	DefaultRetention       = 7 * 24 * time.Hour
	DefaultFailedRetention = 30 * 24 * time.Hour
)

// Size is the most lines one queue holds.
func Size(s v1.QueueSettings) int {
	if s.QueueSize <= 0 {
		return DefaultSize
	}
	return int(s.QueueSize)
}

// Expiry is when a queue that finished at last is deleted: after the
// retention, or the failed retention while lines need a person.
func Expiry(s v1.QueueSettings, last *metav1.Time, attention bool) time.Time {
	keep, def := s.QueueRetention, DefaultRetention
	if attention {
		keep, def = s.FailedQueueRetention, DefaultFailedRetention
	}
	d := def
	if keep != nil {
		d = keep.Duration
	}
	if last == nil {
		return time.Now().Add(d)
	}
	return last.Add(d)
}

// Add adds what a queue's totals came to since they were counted before.
func Add(into *v1.Counters, now, before v1.Counters) {
	into.OrdersImported += now.OrdersImported - before.OrdersImported
	into.Quotations += now.Quotations - before.Quotations
	into.RiskyQuotations += now.RiskyQuotations - before.RiskyQuotations
	into.SalesOrders += now.SalesOrders - before.SalesOrders
	into.Invoices += now.Invoices - before.Invoices
	into.Deliveries += now.Deliveries - before.Deliveries
	into.ProductsExported += now.ProductsExported - before.ProductsExported
	into.FailedLines += now.FailedLines - before.FailedLines
	into.ProductsImported += now.ProductsImported - before.ProductsImported
	into.CustomersImported += now.CustomersImported - before.CustomersImported
}

// maxMarks is how many counted queue attempts an instance remembers: more
// than the queues that can finish between a queue's two writes.
const maxMarks = 32

// Mark remembers that the queue attempt mark was added to the totals, and
// forgets the oldest beyond maxMarks.
func Mark(marks []string, mark string) []string {
	marks = append(marks, mark)
	return marks[max(len(marks)-maxMarks, 0):]
}
