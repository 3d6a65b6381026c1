// Package controllers holds one reconciler per kind. Reconcilers orchestrate;
// the work itself is done by the packages under internal/.
package controllers

// Every controller reads its kind, writes its status and records events.
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=shopifyinstances;orderqueues;productexports,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=shopifyinstances/status;orderqueues/status;productexports/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=connector.shopify-odoo.dev,resources=shopifyinstances/finalizers;orderqueues/finalizers;productexports/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
