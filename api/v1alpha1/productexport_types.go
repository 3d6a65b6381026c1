package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ProductExportSpec selects Odoo products to publish and keep in sync in Shopify.
type ProductExportSpec struct {
	// InstanceRef names the ShopifyInstance whose store and Odoo are used.
	InstanceRef InstanceReference `json:"instanceRef"`

	// Selector picks the Odoo product templates.
	Selector ProductSelector `json:"selector"`

	// Sync lists what is sent. Defaults to details, price, stock and images.
	// +listType=set
	// +kubebuilder:validation:MaxItems=6
	// +optional
	Sync []SyncField `json:"sync,omitempty"`

	// Status of the products in Shopify: Active or Draft (default).
	// +optional
	Status ProductStatus `json:"status,omitempty"`

	// Interval between checks for changed products. Defaults to the
	// instance's products.interval.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// VendorField is the product.template field sent as the Shopify vendor,
	// a text field or a many-to-one such as a brand; empty sends none.
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z_][a-z0-9_]*$')",message="vendorField must be an Odoo field name such as x_brand"
	// +optional
	VendorField string `json:"vendorField,omitempty"`

	// RemoveUnknownVariants deletes the Shopify variants of an exported
	// product whose SKU the Odoo template does not have. By default they are kept.
	// +optional
	RemoveUnknownVariants bool `json:"removeUnknownVariants,omitempty"`

	// Publications are the Shopify publications (sales channels) the
	// exported products are published on, by name, e.g. "Online Store" or
	// "Point of Sale". A publication taken off the list has the export's
	// products unpublished from it. Needs the write_publications scope.
	// +listType=set
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	Publications []string `json:"publications,omitempty"`

	// Suspend stops the export.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// PublicationRef is a Shopify publication by name and id.
type PublicationRef struct {
	// +kubebuilder:validation:MaxLength=128
	Name string `json:"name"`
	// +kubebuilder:validation:MaxLength=128
	ID string `json:"id"`
}

// ProductSelector picks Odoo product templates; set exactly one field.
// +kubebuilder:validation:XValidation:rule="[has(self.ids), has(self.defaultCodes), has(self.category), has(self.domain)].filter(x, x).size() == 1",message="set exactly one of ids, defaultCodes, category and domain"
type ProductSelector struct {
	// IDs of product.template records.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=1000
	// +optional
	IDs []int64 `json:"ids,omitempty"`

	// DefaultCodes (internal references) of products; a template is selected
	// when one of its variants has one of them.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	DefaultCodes []string `json:"defaultCodes,omitempty"`

	// Category is a product category's full name, e.g. "All / Saleable";
	// its subcategories are included.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Category string `json:"category,omitempty"`

	// Domain is an Odoo domain on product.template, as JSON, e.g.
	// [["sale_ok","=",true],["website_published","=",true]].
	// +kubebuilder:validation:MaxLength=4096
	// +kubebuilder:validation:XValidation:rule="self.startsWith('[') && self.endsWith(']')",message="domain must be a JSON list such as [[\"sale_ok\",\"=\",true]]"
	// +optional
	Domain string `json:"domain,omitempty"`
}

// SyncField is one thing a ProductExport sends.
// +kubebuilder:validation:Enum=details;price;compareAtPrice;stock;images;hsCode
type SyncField string

// ProductStatus is a Shopify product status.
// +kubebuilder:validation:Enum=Active;Draft
type ProductStatus string

// ProductExportStatus counts what was exported.
type ProductExportStatus struct {
	ReconcileStatus `json:",inline"`

	// Counts of product templates.
	// +optional
	Counts ExportCounts `json:"counts,omitempty"`

	// Failures are the latest failed products, the most recent first.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Failures []ProductFailure `json:"failures,omitempty"`

	// LastExportTime is when the last pass finished.
	// +optional
	LastExportTime *metav1.Time `json:"lastExportTime,omitempty"`

	// Watermark is the Odoo write_date from which the next pass reads
	// products again.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Watermark string `json:"watermark,omitempty"`

	// InputsKey changes with the spec and the pricelists' rules; when it
	// changes, the next pass reads every product.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	InputsKey string `json:"inputsKey,omitempty"`

	// Publications are those the export publishes on, and those taken off
	// spec.publications until a pass has unpublished every product from them.
	// +kubebuilder:validation:MaxItems=40
	// +optional
	Publications []PublicationRef `json:"publications,omitempty"`
}

// ExportCounts counts product templates by outcome of the last pass.
type ExportCounts struct {
	Selected int32 `json:"selected"`
	Exported int32 `json:"exported,omitempty"` // created in Shopify
	Updated  int32 `json:"updated,omitempty"`  // changed in Shopify
	UpToDate int32 `json:"upToDate,omitempty"` // nothing to send
	Failed   int32 `json:"failed,omitempty"`
}

// ProductFailure says why one product could not be exported.
type ProductFailure struct {
	// Product is the Odoo template's display name and id.
	// +kubebuilder:validation:MaxLength=256
	Product string `json:"product"`
	// SKU of the variant at fault, if one is.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	SKU string `json:"sku,omitempty"`
	// Reason, e.g. a Shopify userError verbatim.
	// +kubebuilder:validation:MaxLength=512
	Reason string `json:"reason"`
}

// ProductExport publishes Odoo products in Shopify and keeps them in sync.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=pe,categories=shopify-odoo
// +kubebuilder:printcolumn:name="Instance",type=string,JSONPath=`.spec.instanceRef.name`
// +kubebuilder:printcolumn:name="Selected",type=integer,JSONPath=`.status.counts.selected`
// +kubebuilder:printcolumn:name="Exported",type=integer,JSONPath=`.status.counts.exported`
// +kubebuilder:printcolumn:name="Updated",type=integer,JSONPath=`.status.counts.updated`
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.counts.failed`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Last export",type=date,JSONPath=`.status.lastExportTime`
// +kubebuilder:printcolumn:name="Status",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ProductExport struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProductExportSpec   `json:"spec"`
	Status ProductExportStatus `json:"status,omitempty"`
}

// ProductExportList is a list of ProductExports.
// +kubebuilder:object:root=true
type ProductExportList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProductExport `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ProductExport{}, &ProductExportList{})
}
