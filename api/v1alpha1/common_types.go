package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types shared by every kind. They follow kstatus: Ready is the
// summary, Reconciling says work is under way, Stalled says the object cannot
// progress until someone changes it.
const (
	ConditionReady       = "Ready"
	ConditionReconciling = "Reconciling"
	ConditionStalled     = "Stalled"
)

// ReconcileRequestedAnnotation asks for a run now: set it to any new value
// (e.g. the current time) and the controller acts at once and records the
// value in status.lastHandledReconcileAt.
const ReconcileRequestedAnnotation = "connector.shopify-odoo.dev/requested-at"

// CredentialsLabel, set to "true", lets the manager read a Secret. Only
// someone who may write Secrets can set it, so a ShopifyInstance cannot
// make the manager read, and send away, a Secret its author cannot read.
const CredentialsLabel = "connector.shopify-odoo.dev/credentials"

// SecretReference names a Secret in the object's own namespace.
type SecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// CABundleReference names a key of a ConfigMap or a Secret in the
// object's own namespace that holds PEM certificates.
// +kubebuilder:validation:XValidation:rule="has(self.configMapName) != has(self.secretName)",message="caBundleRef names either configMapName or secretName"
type CABundleReference struct {
	// ConfigMapName is the ConfigMap holding the bundle.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ConfigMapName string `json:"configMapName,omitempty"`

	// SecretName is the Secret holding the bundle.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	SecretName string `json:"secretName,omitempty"`

	// Key is the bundle's key. Defaults to ca.crt.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +optional
	Key string `json:"key,omitempty"`
}

// InstanceReference names a ShopifyInstance in the object's own namespace.
type InstanceReference struct {
	// Name of the ShopifyInstance.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// ReconcileStatus is embedded in every kind's status.
type ReconcileStatus struct {
	// Conditions: Ready, Reconciling, Stalled and the kind's own.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// LastHandledReconcileAt is the last value of the requested-at annotation
	// that the controller acted on.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`
}

// BulkOperationStatus is a Shopify bulk operation listing orders. A pass
// starts it and later passes poll it, after a restart too, until it ends
// or runs too long.
type BulkOperationStatus struct {
	// ID is Shopify's id of the operation.
	// +kubebuilder:validation:MaxLength=128
	ID string `json:"id"`
	// Search is the order search it lists.
	// +kubebuilder:validation:MaxLength=1024
	Search string `json:"search"`
	// StartedAt is when it was started.
	StartedAt metav1.Time `json:"startedAt"`
}
