package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// MaxQueueSize is the most orders one OrderQueue can hold.
const MaxQueueSize = 250

// Condition types of an OrderQueue, beside Ready, Reconciling and Stalled.
const (
	// ConditionNeedsAttention: lines failed past their retry limit.
	ConditionNeedsAttention = "NeedsAttention"
)

// QueueType says which kind of orders a queue holds.
// +kubebuilder:validation:Enum=unshipped;shipped
type QueueType string

// Queue types.
const (
	QueueUnshipped QueueType = "unshipped"
	QueueShipped   QueueType = "shipped"
)

// QueueSource says who made a queue.
// +kubebuilder:validation:Enum=scheduled;webhook;manual
type QueueSource string

// Queue sources.
const (
	SourceScheduled QueueSource = "scheduled"
	SourceWebhook   QueueSource = "webhook"
	SourceManual    QueueSource = "manual"
)

// OrderQueueSpec is a batch of Shopify orders to import.
// +kubebuilder:validation:XValidation:rule="has(self.orderIDs) != has(self.window)",message="set exactly one of orderIDs and window"
// +kubebuilder:validation:XValidation:rule="self.instanceRef == oldSelf.instanceRef",message="instanceRef is immutable: create a new OrderQueue instead"
// +kubebuilder:validation:XValidation:rule="self.type == oldSelf.type",message="type is immutable: create a new OrderQueue instead"
// +kubebuilder:validation:XValidation:rule="has(self.orderIDs) == has(oldSelf.orderIDs) && (!has(self.orderIDs) || self.orderIDs == oldSelf.orderIDs)",message="orderIDs are immutable: create a new OrderQueue instead"
// +kubebuilder:validation:XValidation:rule="has(self.window) == has(oldSelf.window) && (!has(self.window) || self.window == oldSelf.window)",message="window is immutable: create a new OrderQueue instead"
type OrderQueueSpec struct {
	// InstanceRef names the ShopifyInstance the orders come from.
	InstanceRef InstanceReference `json:"instanceRef"`

	// Type: unshipped or shipped.
	Type QueueType `json:"type"`

	// Source: scheduled, webhook or manual (default).
	// +optional
	Source QueueSource `json:"source,omitempty"`

	// OrderIDs are Shopify order ids, numeric or as GIDs, at most the
	// instance's queue size.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=250
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:items:XValidation:rule="self.matches('^(gid://shopify/Order/)?[0-9]+$')",message="an order id must be a number or gid://shopify/Order/<number>"
	// +optional
	OrderIDs []string `json:"orderIDs,omitempty"`

	// Window imports the orders updated within it; the controller splits it
	// into more queues when it holds more than the queue size.
	// +optional
	Window *TimeWindow `json:"window,omitempty"`

	// Suspend stops processing the queue before any call to Shopify or Odoo.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// TimeWindow is a half-open time range [from, to).
// +kubebuilder:validation:XValidation:rule="self.from < self.to",message="window.from must be before window.to"
type TimeWindow struct {
	From metav1.Time `json:"from"`
	To   metav1.Time `json:"to"`
}

// QueuePhase summarises the line states.
// +kubebuilder:validation:Enum=Draft;Processing;PartiallyCompleted;Completed;Failed
type QueuePhase string

// Queue phases.
const (
	PhaseDraft              QueuePhase = "Draft"
	PhaseProcessing         QueuePhase = "Processing"
	PhasePartiallyCompleted QueuePhase = "PartiallyCompleted"
	PhaseCompleted          QueuePhase = "Completed"
	PhaseFailed             QueuePhase = "Failed"
)

// LineState is where one order of a queue stands.
// +kubebuilder:validation:Enum=draft;done;failed;cancelled;skipped
type LineState string

// Line states.
const (
	LineDraft     LineState = "draft"
	LineDone      LineState = "done"
	LineFailed    LineState = "failed"
	LineCancelled LineState = "cancelled"
	LineSkipped   LineState = "skipped"
)

// Outcome is what an imported order became in Odoo.
// +kubebuilder:validation:Enum=quotation;riskyQuotation;salesOrder;invoiced;paid
type Outcome string

// Outcomes, each further than the one before.
const (
	OutcomeQuotation      Outcome = "quotation"
	OutcomeRiskyQuotation Outcome = "riskyQuotation"
	OutcomeSalesOrder     Outcome = "salesOrder"
	OutcomeInvoiced       Outcome = "invoiced"
	OutcomePaid           Outcome = "paid"
)

// OrderLine is one order of an OrderQueue.
type OrderLine struct {
	LineStatus `json:",inline"`

	// SaleOrderID is the Odoo sale.order id.
	// +optional
	SaleOrderID int64 `json:"saleOrderID,omitempty"`

	// SaleOrder is the Odoo order reference.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	SaleOrder string `json:"saleOrder,omitempty"`

	// Outcome is what the order became in Odoo.
	// +optional
	Outcome Outcome `json:"outcome,omitempty"`

	// Delivered: the Odoo delivery is validated.
	// +optional
	Delivered bool `json:"delivered,omitempty"`
}

// OrderCounts counts an OrderQueue's lines by state and outcome.
type OrderCounts struct {
	LineCounts `json:",inline"`

	// What the done lines became in Odoo.
	Quotations      int32 `json:"quotations,omitempty"`
	RiskyQuotations int32 `json:"riskyQuotations,omitempty"`
	SalesOrders     int32 `json:"salesOrders,omitempty"`
	Invoices        int32 `json:"invoices,omitempty"`
	Deliveries      int32 `json:"deliveries,omitempty"`
}

// OrderQueueStatus is what happened to the queue's orders.
type OrderQueueStatus struct {
	QueueStatus `json:",inline"`

	// Lines, one per order.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=250
	// +optional
	Lines []OrderLine `json:"lines,omitempty"`

	// Counts of lines by state.
	// +optional
	Counts OrderCounts `json:"counts,omitempty"`

	// WindowListing is the bulk operation listing the orders of a window
	// longer than a page, while it runs.
	// +optional
	WindowListing *BulkOperationStatus `json:"windowListing,omitempty"`
}

// OrderQueue is a batch of Shopify orders to import into Odoo.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=oq,categories=shopify-odoo
// +kubebuilder:printcolumn:name="Instance",type=string,JSONPath=`.spec.instanceRef.name`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.source`
// +kubebuilder:printcolumn:name="Orders",type=integer,JSONPath=`.status.counts.total`
// +kubebuilder:printcolumn:name="Done",type=integer,JSONPath=`.status.counts.done`
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.counts.failed`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Attempt",type=integer,JSONPath=`.status.attempt`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type OrderQueue struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   OrderQueueSpec   `json:"spec"`
	Status OrderQueueStatus `json:"status,omitempty"`
}

// OrderQueueList is a list of OrderQueues.
// +kubebuilder:object:root=true
type OrderQueueList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OrderQueue `json:"items"`
}

func init() {
	SchemeBuilder.Register(&OrderQueue{}, &OrderQueueList{})
}
