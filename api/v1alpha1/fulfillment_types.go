package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConditionFulfillmentsExported says whether the last fulfilment export
// succeeded.
const ConditionFulfillmentsExported = "FulfillmentsExported"

// FulfillmentStatus counts what the last fulfilment export did.
type FulfillmentStatus struct {
	// LastAttemptTime is when the last fulfilment export ran, whatever its outcome.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// LastExportTime is when the last fulfilment export finished without error.
	// +optional
	LastExportTime *metav1.Time `json:"lastExportTime,omitempty"`
	// Deliveries are the validated deliveries that had not been sent yet.
	Deliveries int32 `json:"deliveries"`
	// Sent are the fulfilments created in Shopify.
	Sent int32 `json:"sent"`
	// InShopify are deliveries Shopify had already: fulfilled there, or sent
	// before their record in Odoo was written.
	InShopify int32 `json:"inShopify"`
	// Cancelled are orders cancelled in Odoo that were cancelled in Shopify.
	// +optional
	Cancelled int32 `json:"cancelled,omitempty"`
	// Waiting are deliveries Shopify cannot take yet: their fulfilment order
	// is on hold, scheduled or incomplete there. They are sent once it is
	// released; the condition says why they wait.
	// +optional
	Waiting int32 `json:"waiting,omitempty"`
	// Failed are deliveries and cancellations that could not be sent; the
	// condition says why.
	Failed int32 `json:"failed"`
}

// CancelInShopify cancels in Shopify the imported orders cancelled in Odoo,
// on the schedule of the fulfilment export (fulfillment.interval). An order
// Shopify shows shipped is not cancelled; the FulfillmentsExported
// condition says so once.
type CancelInShopify struct {
	// Enabled turns it on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Refund gives the customer back what was paid, to the original payment
	// methods; the next import credits it in Odoo. Authorisations are voided
	// either way.
	// +optional
	Refund bool `json:"refund,omitempty"`

	// NotifyCustomer has Shopify email the customer about the cancellation.
	// +optional
	NotifyCustomer bool `json:"notifyCustomer,omitempty"`
}
