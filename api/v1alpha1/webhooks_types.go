package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConditionWebhooksSubscribed says whether Shopify sends the instance's
// webhooks to the manager as spec.webhooks asks.
const ConditionWebhooksSubscribed = "WebhooksSubscribed"

// ReasonAppUninstalled: Shopify said the app was uninstalled from the store.
const ReasonAppUninstalled = "AppUninstalled"

// WebhooksSpec has Shopify send order changes to the manager as they happen.
// +kubebuilder:validation:XValidation:rule="!has(self.enabled) || !self.enabled || has(self.publicBaseURL)",message="publicBaseURL is required when enabled is true"
type WebhooksSpec struct {
	// Enabled subscribes the instance to the order, refund and app topics,
	// delivered to publicBaseURL; false removes the subscriptions it made.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// PublicBaseURL is where Shopify reaches the manager's webhook port, e.g.
	// https://connector.example.com; /webhooks/shopify/<namespace>/<name> is
	// appended. Shopify only calls https URLs; http is accepted for
	// 127.0.0.1 and localhost, for local simulators.
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (self.startsWith('https://') || self.matches('^http://(127\\\\.0\\\\.0\\\\.1|localhost)(:[0-9]+)?(/.*)?$'))",message="publicBaseURL must be an https URL"
	// +optional
	PublicBaseURL string `json:"publicBaseURL,omitempty"`
}

// WebhooksStatus is what the operator knows of the instance's webhooks.
type WebhooksStatus struct {
	// CallbackURL is the URL the subscriptions deliver to.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	CallbackURL string `json:"callbackURL,omitempty"`

	// Subscriptions are the subscriptions the instance made.
	// +listType=map
	// +listMapKey=topic
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Subscriptions []WebhookSubscription `json:"subscriptions,omitempty"`

	// LastSyncTime is when the subscriptions were last compared with Shopify's.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`

	// AppUninstalledAt is when Shopify said the app was uninstalled; it is
	// cleared once a later check of the store passes. Microseconds: a check
	// may follow within the second.
	// +optional
	AppUninstalledAt *metav1.MicroTime `json:"appUninstalledAt,omitempty"`
}

// WebhookSubscription is one Shopify webhook subscription.
type WebhookSubscription struct {
	// Topic as Shopify names it in GraphQL, e.g. ORDERS_CREATE.
	// +kubebuilder:validation:MaxLength=64
	Topic string `json:"topic"`
	// ID is the subscription's GID.
	// +kubebuilder:validation:MaxLength=128
	ID string `json:"id"`
}
