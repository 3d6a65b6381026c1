package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ImportResource says what an ImportQueue brings from Shopify into Odoo.
// +kubebuilder:validation:Enum=Products;Customers
type ImportResource string

// Import resources.
const (
	ImportProducts  ImportResource = "Products"
	ImportCustomers ImportResource = "Customers"
)

// ImportQueueSpec is a batch of Shopify products or customers to import.
// +kubebuilder:validation:XValidation:rule="[has(self.all) && self.all, has(self.window), has(self.ids)].filter(x, x).size() == 1",message="set exactly one of all: true, window and ids"
// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec is immutable: create a new ImportQueue instead"
type ImportQueueSpec struct {
	// InstanceRef names the ShopifyInstance the records come from.
	InstanceRef InstanceReference `json:"instanceRef"`

	// Resource: Products or Customers.
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

	// IDs are Shopify product or customer ids, numeric or as GIDs, at most
	// the instance's queue size.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=250
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:items:XValidation:rule="self.matches('^(gid://shopify/(Product|Customer)/)?[0-9]+$')",message="an id must be a number or gid://shopify/Product|Customer/<number>"
	// +optional
	IDs []string `json:"ids,omitempty"`
}

// ImportLine is one product or customer of an ImportQueue.
type ImportLine struct {
	// ID is the Shopify record's numeric id.
	// +kubebuilder:validation:MaxLength=64
	ID string `json:"id"`

	// Name is the product title or the customer's name.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`

	// State of the line.
	State LineState `json:"state"`

	// OdooID is the Odoo product.template or res.partner id.
	// +optional
	OdooID int64 `json:"odooID,omitempty"`

	// Attempts counts processing attempts.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`

	// Retry: the line failed for a reason that may pass on its own and is
	// tried again with backoff.
	// +optional
	Retry bool `json:"retry,omitempty"`

	// Message says what happened last, e.g. what changed or why it failed.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Message string `json:"message,omitempty"`
}

// ImportCounts counts an ImportQueue's lines by state.
type ImportCounts struct {
	Total  int32 `json:"total"`
	Draft  int32 `json:"draft,omitempty"`
	Done   int32 `json:"done,omitempty"`
	Failed int32 `json:"failed,omitempty"`
}

// ImportQueueStatus is what happened to the queue's records.
type ImportQueueStatus struct {
	ReconcileStatus `json:",inline"`

	// Phase summarises the line states.
	// +optional
	Phase QueuePhase `json:"phase,omitempty"`

	// Lines, one per record.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=250
	// +optional
	Lines []ImportLine `json:"lines,omitempty"`

	// Counts of lines by state.
	// +optional
	Counts ImportCounts `json:"counts,omitempty"`

	// Attempts counts processing passes.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`

	// LastAttemptTime is when the last processing pass ended; failed lines
	// are retried with backoff from it.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
}

// ImportQueue is a batch of Shopify products or customers to import into Odoo.
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
