package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// QueueSettings size and keep the queues of one kind.
type QueueSettings struct {
	// QueueSize is the most lines one queue holds. Defaults to 50. It is
	// checked when a queue starts: lowering it leaves queues in flight alone.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=250
	// +optional
	QueueSize int32 `json:"queueSize,omitempty"`

	// QueueRetention is how long a finished queue whose lines all passed is
	// kept. Defaults to 168h (7 days); 0s deletes it at once.
	// +optional
	QueueRetention *metav1.Duration `json:"queueRetention,omitempty"`

	// FailedQueueRetention is how long a finished queue with failed lines is
	// kept, to be retried with the requested-at annotation. Defaults to 720h
	// (30 days).
	// +optional
	FailedQueueRetention *metav1.Duration `json:"failedQueueRetention,omitempty"`
}

// LineStatus is where one line of a queue stands, whatever it holds.
type LineStatus struct {
	// ID is the Shopify record's numeric id.
	// +kubebuilder:validation:MaxLength=64
	ID string `json:"id"`

	// Name is the order name (#1001), the product title or the customer's name.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`

	// State of the line.
	State LineState `json:"state"`

	// Attempts counts processing attempts since the queue's attempt began.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`

	// Retry: the line failed for a reason that may pass on its own (network,
	// Odoo busy) and is tried again with backoff.
	// +optional
	Retry bool `json:"retry,omitempty"`

	// Message says what happened last, e.g. why the line failed.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Message string `json:"message,omitempty"`
}

// Base is the line's state, for code that handles lines of every kind.
func (l *LineStatus) Base() *LineStatus { return l }

// LineCounts counts a queue's lines by state.
type LineCounts struct {
	Total     int32 `json:"total"`
	Draft     int32 `json:"draft,omitempty"`
	Done      int32 `json:"done,omitempty"`
	Failed    int32 `json:"failed,omitempty"`
	Cancelled int32 `json:"cancelled,omitempty"`
	Skipped   int32 `json:"skipped,omitempty"`
}

// QueueStatus is what every queue's status says beside its lines.
type QueueStatus struct {
	ReconcileStatus `json:",inline"`

	// Phase summarises the line states.
	// +optional
	Phase QueuePhase `json:"phase,omitempty"`

	// Attempt is 1 for the queue's first run, and one more for each retry
	// of its failed lines asked for with the requested-at annotation.
	// +optional
	Attempt int32 `json:"attempt,omitempty"`

	// Passes counts processing passes.
	// +optional
	Passes int32 `json:"passes,omitempty"`

	// LastAttemptTime is when the last processing pass ended; failed lines
	// are retried with backoff from it, and a finished queue is kept for
	// the instance's retention from it.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`

	// Counted is what the queue's lines have added to the instance's
	// totals, so that each attempt adds only what changed.
	// +optional
	Counted *Counters `json:"counted,omitempty"`
}
