package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConditionPayoutsListed says whether the instance's last look for payouts
// succeeded.
const ConditionPayoutsListed = "PayoutsListed"

// PayoutsSpec brings Shopify Payments payouts into an Odoo bank journal.
// +kubebuilder:validation:XValidation:rule="!has(self.enabled) || !self.enabled || (has(self.journal) && has(self.feeAccount))",message="payouts.journal and payouts.feeAccount are required when payouts.enabled is true"
type PayoutsSpec struct {
	// Enabled creates a PayoutReport for each paid payout.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Interval between looks for new payouts. Defaults to 1h.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Journal is the name of the Odoo bank journal payouts arrive in.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Journal string `json:"journal,omitempty"`

	// FeeAccount is the code of the Odoo account Shopify's fees and
	// adjustments are booked on.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	FeeAccount string `json:"feeAccount,omitempty"`

	// ReserveAccount is the code of the Odoo account reserved funds are
	// booked on. Without it, reserves are left for a person to book.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	ReserveAccount string `json:"reserveAccount,omitempty"`

	// Since leaves out payouts issued before this time. Defaults to the time
	// the instance was created.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`
}

// PayoutPhase is where a payout report stands.
// +kubebuilder:validation:Enum=Draft;Imported;Reconciled;NeedsAttention
type PayoutPhase string

// Payout phases.
const (
	// PayoutDraft: nothing is in Odoo yet.
	PayoutDraft PayoutPhase = "Draft"
	// PayoutImported: the bank statement is in Odoo, not every line matched yet.
	PayoutImported PayoutPhase = "Imported"
	// PayoutReconciled: every line is matched.
	PayoutReconciled PayoutPhase = "Reconciled"
	// PayoutNeedsAttention: some lines have nothing to match in Odoo.
	PayoutNeedsAttention PayoutPhase = "NeedsAttention"
)

// PayoutReportSpec names one Shopify Payments payout.
type PayoutReportSpec struct {
	// InstanceRef names the ShopifyInstance whose store and Odoo are used.
	InstanceRef InstanceReference `json:"instanceRef"`

	// PayoutID is the payout's numeric id, as in the Shopify admin.
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]+$')",message="payoutID must be the payout's numeric id"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="payoutID is immutable"
	PayoutID string `json:"payoutID"`

	// Suspend stops the report: nothing is read from Shopify or written to
	// Odoo until it is false again.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// PayoutTotals are a payout's amounts, in its currency.
type PayoutTotals struct {
	// Currency of the payout.
	// +kubebuilder:validation:MaxLength=8
	// +optional
	Currency string `json:"currency,omitempty"`
	// Gross is what charges, refunds, adjustments and reserves came to before fees.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Gross string `json:"gross,omitempty"`
	// Fees Shopify kept.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Fees string `json:"fees,omitempty"`
	// Net is what Shopify paid out.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Net string `json:"net,omitempty"`
	// OdooStatement is the sum of the Odoo statement's lines: Net when all is well.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	OdooStatement string `json:"odooStatement,omitempty"`
}

// PayoutCounts counts a payout's balance transactions.
type PayoutCounts struct {
	Transactions int32 `json:"transactions"`
	Matched      int32 `json:"matched,omitempty"`   // reconciled with a payment, or booked on an account
	Unmatched    int32 `json:"unmatched,omitempty"` // left for a person in Odoo
}

// UnmatchedTransaction is a balance transaction with nothing to match in Odoo.
type UnmatchedTransaction struct {
	// ID of the balance transaction.
	// +kubebuilder:validation:MaxLength=64
	ID string `json:"id"`
	// Type, e.g. CHARGE or REFUND.
	// +kubebuilder:validation:MaxLength=64
	Type string `json:"type"`
	// Order is the Shopify order's name, if any.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Order string `json:"order,omitempty"`
	// Amount of the transaction.
	// +kubebuilder:validation:MaxLength=32
	Amount string `json:"amount"`
	// Reason it did not match.
	// +kubebuilder:validation:MaxLength=512
	Reason string `json:"reason"`
}

// PayoutReportStatus is what was read and written.
type PayoutReportStatus struct {
	ReconcileStatus `json:",inline"`

	// Phase: Draft, Imported, Reconciled or NeedsAttention.
	// +optional
	Phase PayoutPhase `json:"phase,omitempty"`

	// PayoutStatus is Shopify's status of the payout, e.g. PAID.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	PayoutStatus string `json:"payoutStatus,omitempty"`

	// IssuedAt is when Shopify issued the payout.
	// +optional
	IssuedAt *metav1.Time `json:"issuedAt,omitempty"`

	// Statement is the Odoo bank statement's name.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Statement string `json:"statement,omitempty"`

	// Totals in Shopify and in Odoo.
	// +optional
	Totals PayoutTotals `json:"totals,omitempty"`

	// Counts of balance transactions.
	// +optional
	Counts PayoutCounts `json:"counts,omitempty"`

	// Unmatched are the first transactions left unmatched.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Unmatched []UnmatchedTransaction `json:"unmatched,omitempty"`
}

// PayoutReport brings one Shopify Payments payout into an Odoo bank journal
// and matches its transactions with the orders' payments.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=pr;payout,categories=shopify-odoo
// +kubebuilder:printcolumn:name="Instance",type=string,JSONPath=`.spec.instanceRef.name`
// +kubebuilder:printcolumn:name="Payout",type=string,JSONPath=`.spec.payoutID`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Net",type=string,JSONPath=`.status.totals.net`
// +kubebuilder:printcolumn:name="Odoo",type=string,JSONPath=`.status.totals.odooStatement`
// +kubebuilder:printcolumn:name="Matched",type=integer,JSONPath=`.status.counts.matched`
// +kubebuilder:printcolumn:name="Unmatched",type=integer,JSONPath=`.status.counts.unmatched`
// +kubebuilder:printcolumn:name="Statement",type=string,priority=1,JSONPath=`.status.statement`
// +kubebuilder:printcolumn:name="Status",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type PayoutReport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PayoutReportSpec   `json:"spec"`
	Status PayoutReportStatus `json:"status,omitempty"`
}

// PayoutReportList is a list of PayoutReports.
// +kubebuilder:object:root=true
type PayoutReportList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PayoutReport `json:"items"`
}

func init() {
	SchemeBuilder.Register(&PayoutReport{}, &PayoutReportList{})
}

// PayoutsStatus is what the instance's last look for payouts found.
type PayoutsStatus struct {
	// LastListTime is when payouts were last listed, whatever the outcome.
	// +optional
	LastListTime *metav1.Time `json:"lastListTime,omitempty"`
	// Reports are the PayoutReports created so far.
	Reports int32 `json:"reports"`
}
