package queue

import v1 "github.com/shopify-odoo/connector/api/v1alpha1"

// OrderCounts adds to the counts of an OrderQueue's lines what the done
// ones became in Odoo.
func OrderCounts(lines []v1.OrderLine, c v1.LineCounts) v1.OrderCounts {
	out := v1.OrderCounts{LineCounts: c}
	for _, l := range lines {
		if l.State != v1.LineDone {
			continue
		}
		switch l.Outcome {
		case v1.OutcomeQuotation:
			out.Quotations++
		case v1.OutcomeRiskyQuotation:
			out.RiskyQuotations++
		case v1.OutcomeSalesOrder, v1.OutcomeInvoiced, v1.OutcomePaid: // every confirmed order is a sales order
			out.SalesOrders++
		}
		if l.Outcome == v1.OutcomeInvoiced || l.Outcome == v1.OutcomePaid {
			out.Invoices++
		}
		if l.Delivered {
			out.Deliveries++
		}
	}
	return out
}

// OrderTotals is what an OrderQueue adds to the instance's totals.
func OrderTotals(c v1.OrderCounts) v1.Counters {
	return v1.Counters{OrdersImported: int64(c.Done), Quotations: int64(c.Quotations), RiskyQuotations: int64(c.RiskyQuotations),
		SalesOrders: int64(c.SalesOrders), Invoices: int64(c.Invoices), Deliveries: int64(c.Deliveries), FailedLines: int64(c.Failed)}
}

// ImportTotals is what an ImportQueue of res adds to the instance's totals.
func ImportTotals(res v1.ImportResource, c v1.LineCounts) v1.Counters {
	t := v1.Counters{FailedLines: int64(c.Failed)}
	switch res {
	case v1.ImportCustomers:
		t.CustomersImported = int64(c.Done)
	case v1.ImportProducts:
		t.ProductsImported = int64(c.Done)
	}
	return t
}
