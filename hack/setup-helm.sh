#!/usr/bin/env bash
# Builds helm from the Go module proxy, because release downloads are not
# reachable everywhere. The result is cached in bin/helm/<version>/; a second
# run costs nothing. Prints the binary's path on the last line of stdout
# (progress goes to stderr).
set -euo pipefail

HELM_VERSION=${HELM_VERSION:-3.22.0}
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${HELM_DIR:-$root/bin/helm/$HELM_VERSION}
mkdir -p "$dest"

log() { echo "setup-helm: $*" >&2; }

stamp="$dest/.helm-$HELM_VERSION"
if [[ ! -x $dest/helm || ! -f $stamp ]]; then
  log "building helm v$HELM_VERSION (a few minutes, once)"
  w=$(mktemp -d)
  trap 'rm -rf "$w"' EXIT
  (cd "$w" && go mod init setup-helm >/dev/null 2>&1 &&
    go get "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2)
  # helm's Makefile stamps its version and the Kubernetes version that
  # `helm template` and `helm lint` assume (from its client-go, v0.N is 1.N);
  # without them helm says v3.x-dev and Kubernetes v1.20.
  clientgo=$(cd "$w" && go list -f '{{.Version}}' -m k8s.io/client-go)
  minor=${clientgo#v0.}
  minor=${minor%%.*}
  ldflags="-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"
  done
  (cd "$w" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$dest/helm" helm.sh/helm/v3/cmd/helm)
  touch "$stamp"
fi
log "ready: $dest/helm"
echo "$dest/helm"
