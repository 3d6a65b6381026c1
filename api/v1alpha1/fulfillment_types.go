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
	// Failed are deliveries that could not be sent; the condition says why.
	Failed int32 `json:"failed"`
}
