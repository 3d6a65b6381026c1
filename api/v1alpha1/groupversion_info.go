// Package v1alpha1 holds the API of the Shopify–Odoo connector.
// +kubebuilder:object:generate=true
// +groupName=connector.shopify-odoo.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "connector.shopify-odoo.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds with a runtime scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
