// Package install tests the Helm chart: it installs it on a real API server
// (envtest) and runs the manager as the chart's ServiceAccount against the
// simulators, and runs the Argo CD health checks of its docs.
package install

import (
	"path/filepath"

	"github.com/shopify-odoo/connector/test/controlplane"
)

var (
	root  = controlplane.RepoRoot()
	chart = filepath.Join(root, "charts", "shopify-odoo-connector")
)
