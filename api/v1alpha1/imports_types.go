package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Owner is the side whose value of a product field wins.
// +kubebuilder:validation:Enum=Odoo;Shopify
type Owner string

// Owners.
const (
	OwnerOdoo    Owner = "Odoo"
	OwnerShopify Owner = "Shopify"
)

// FieldOwnership says which side owns each product field: the import
// writes a field of a product Odoo already has only when Shopify owns it.
// New products take every field from Shopify.
type FieldOwnership struct {
	// Title: Odoo (default) or Shopify.
	// +optional
	Title Owner `json:"title,omitempty"`
	// Description: Odoo (default) or Shopify.
	// +optional
	Description Owner `json:"description,omitempty"`
	// Price: Odoo (default) or Shopify.
	// +optional
	Price Owner `json:"price,omitempty"`
	// Images: Odoo (default) or Shopify.
	// +optional
	Images Owner `json:"images,omitempty"`
}

// ProductType is what imported products become in Odoo: Goods are tracked
// in stock (type product on 17, consu with is_storable on 18 and 19),
// Consumables are goods not tracked, Services are services.
// +kubebuilder:validation:Enum=Goods;Consumable;Service
type ProductType string

// Product types.
const (
	ProductGoods      ProductType = "Goods"
	ProductConsumable ProductType = "Consumable"
	ProductService    ProductType = "Service"
)

// ProductsImport imports the shop's products into Odoo on a schedule.
type ProductsImport struct {
	// Enabled turns the scheduled product import on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Interval between imports. Defaults to 1h.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// FieldOwnership says which side owns title, description, price and images.
	// +optional
	FieldOwnership FieldOwnership `json:"fieldOwnership,omitempty"`

	// ProductType of new products: Goods (default), Consumable or Service.
	// +optional
	ProductType ProductType `json:"productType,omitempty"`
}

// CustomersImport imports the shop's customers into Odoo on a schedule.
type CustomersImport struct {
	// Enabled turns the scheduled customer import on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Interval between imports. Defaults to 1h.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Tags puts the customer's Shopify tags on the contact as partner
	// categories (res.partner.category), created when missing.
	// +optional
	Tags bool `json:"tags,omitempty"`

	// MarketingConsentField is a boolean res.partner field (e.g. a custom
	// x_accepts_marketing) set to whether the customer agreed to email
	// marketing. Empty: consent is not imported.
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_]*$`
	// +optional
	MarketingConsentField string `json:"marketingConsentField,omitempty"`
}

// ImportsStatus is how far the scheduled product and customer imports got:
// records updated before each time have been queued.
type ImportsStatus struct {
	// +optional
	Products *metav1.Time `json:"products,omitempty"`
	// +optional
	Customers *metav1.Time `json:"customers,omitempty"`
}
