package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ImportResource says what an ImportQueue brings from Shopify into Odoo.
// +kubebuilder:validation:Enum=Products;Customers;Stock
type ImportResource string

// Import resources.
const (
	ImportProducts  ImportResource = "Products"
	ImportCustomers ImportResource = "Customers"
	// ImportStock sets Odoo's on-hand quantities to Shopify's available
	// ones, a line per variant.
	ImportStock ImportResource = "Stock"
)

// ImportQueueSpec is a batch of Shopify products, customers or variants' stock to import.
// +kubebuilder:validation:XValidation:rule="self.resource != 'Stock' || !has(self.window)",message="a Stock import takes all: true or ids of variants: quantities have no update time to window on"
// +kubebuilder:validation:XValidation:rule="[has(self.all) && self.all, has(self.window), has(self.ids)].filter(x, x).size() == 1",message="set exactly one of all: true, window and ids"
// +kubebuilder:validation:XValidation:rule="self.instanceRef == oldSelf.instanceRef && self.resource == oldSelf.resource && (has(self.source) ? has(oldSelf.source) && self.source == oldSelf.source : !has(oldSelf.source)) && (has(self.all) ? has(oldSelf.all) && self.all == oldSelf.all : !has(oldSelf.all)) && (has(self.window) ? has(oldSelf.window) && self.window == oldSelf.window : !has(oldSelf.window)) && (has(self.ids) ? has(oldSelf.ids) && self.ids == oldSelf.ids : !has(oldSelf.ids))",message="spec is immutable but for suspend: create a new ImportQueue instead"
type ImportQueueSpec struct {
	// InstanceRef names the ShopifyInstance the records come from.
	InstanceRef InstanceReference `json:"instanceRef"`

	// Resource: Products, Customers or Stock.
	Resource ImportResource `json:"resource"`

	// Source: scheduled or manual (default).
	// +optional
	Source QueueSource `json:"source,omitempty"`

	// All imports every product or customer of the shop; the controller
	// splits them into more queues of the instance's queue size.
	// +optional
	All bool `json:"all,omitempty"`

	// Window imports the records updated within it, split like All.
	// +optional
	Window *TimeWindow `json:"window,omitempty"`

	// IDs are Shopify product, customer or (for Stock) variant ids, numeric
	// or as GIDs, at most the instance's queue size.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=250
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:items:XValidation:rule="self.matches('^(gid://shopify/(Product|Customer|ProductVariant)/)?[0-9]+$')",message="an id must be a number or gid://shopify/Product|Customer|ProductVariant/<number>"
	// +optional
	IDs []string `json:"ids,omitempty"`

	// Suspend stops processing the queue before any call to Shopify or Odoo.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ImportLine is one product or customer of an ImportQueue.
type ImportLine struct {
	LineStatus `json:",inline"`

	// OdooID is the Odoo product.template, res.partner or, for Stock,
	// product.product id.
	// +optional
	OdooID int64 `json:"odooID,omitempty"`
}

// ImportQueueStatus is what happened to the queue's records.
type ImportQueueStatus struct {
	QueueStatus `json:",inline"`

	// Lines, one per record.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=250
	// +optional
	Lines []ImportLine `json:"lines,omitempty"`

	// Counts of lines by state.
	// +optional
	Counts LineCounts `json:"counts,omitempty"`
}

// ImportQueue is a batch of Shopify products, customers or variants' stock to import into Odoo.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=iq,categories=shopify-odoo
// +kubebuilder:printcolumn:name="Instance",type=string,JSONPath=`.spec.instanceRef.name`
// +kubebuilder:printcolumn:name="Resource",type=string,JSONPath=`.spec.resource`
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.source`
// +kubebuilder:printcolumn:name="Records",type=integer,JSONPath=`.status.counts.total`
// +kubebuilder:printcolumn:name="Done",type=integer,JSONPath=`.status.counts.done`
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.counts.failed`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Attempt",type=integer,JSONPath=`.status.attempt`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ImportQueue struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ImportQueueSpec   `json:"spec"`
	Status ImportQueueStatus `json:"status,omitempty"`
}

// ImportQueueList is a list of ImportQueues.
// +kubebuilder:object:root=true
type ImportQueueList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ImportQueue `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ImportQueue{}, &ImportQueueList{})
}
