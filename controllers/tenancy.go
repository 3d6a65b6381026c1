package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
)

// CacheOptions are the manager's cache options: namespaces empty watches
// all. Secrets are cached only when labelled v1.CredentialsLabel, so the
// manager reads no Secret an administrator did not give it, and the
// webhook port reads its signing secrets without asking the API server.
func CacheOptions(namespaces ...string) cache.Options {
	opts := cache.Options{ByObject: map[client.Object]cache.ByObject{
		&corev1.Secret{}: {Label: labels.SelectorFromSet(labels.Set{v1.CredentialsLabel: "true"})},
	}}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return opts
}
