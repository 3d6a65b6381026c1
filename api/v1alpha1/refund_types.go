package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConditionRefundsExported says whether the last refund of Odoo credit
// notes in Shopify succeeded.
const ConditionRefundsExported = "RefundsExported"

// RefundsToShopify refunds in Shopify the credit notes posted in Odoo for
// imported orders, on the schedule of the fulfilment export
// (fulfillment.interval). Credit notes the import made from Shopify's own
// refunds are left out; so are those of orders cancelled in Shopify, whose
// cancellation settled the money.
type RefundsToShopify struct {
	// Enabled turns it on. Credit notes posted before it was turned on are
	// left alone.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// NotifyCustomer has Shopify email the customer about each refund.
	// +optional
	NotifyCustomer bool `json:"notifyCustomer,omitempty"`

	// Restock puts the credited quantities back in stock in Shopify, at the
	// location of their fulfilment order: Restock, or NoRestock to give the
	// money back only.
	// +kubebuilder:validation:Enum=Restock;NoRestock
	// +kubebuilder:default=Restock
	// +optional
	Restock string `json:"restock,omitempty"`
}

// RefundsStatus is what the last refund of Odoo credit notes did.
type RefundsStatus struct {
	// Since is when refunds to Shopify were turned on: credit notes posted
	// before are left alone.
	Since metav1.Time `json:"since"`
	// LastAttemptTime is when it last ran, whatever its outcome.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// CreditNotes are the posted credit notes not yet refunded in Shopify.
	CreditNotes int32 `json:"creditNotes"`
	// Refunded are the refunds created in Shopify.
	Refunded int32 `json:"refunded"`
	// Failed are credit notes that could not be refunded; the condition says why.
	Failed int32 `json:"failed"`
}
