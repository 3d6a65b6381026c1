package controlplane

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Helm is the helm the chart is tested with: HELM (make test sets it),
// else the one hack/setup-helm.sh builds.
func Helm(t testing.TB) string {
	t.Helper()
	if helm := os.Getenv("HELM"); helm != "" {
		return helm
	}
	out, err := exec.Command(filepath.Join(RepoRoot(), "hack", "setup-helm.sh")).Output()
	if err != nil {
		t.Fatalf("hack/setup-helm.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// HelmTemplate renders the chart with helm template and args, or says why
// helm refused.
func HelmTemplate(t testing.TB, args ...string) (string, error) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(Helm(t), append([]string{"template", "r", filepath.Join(RepoRoot(), "charts", "shopify-odoo-connector")}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
