#!/usr/bin/env bash
# Builds the control plane binaries envtest needs (kube-apiserver, etcd) from the Go
# module proxy, because setup-envtest's prebuilt downloads are not reachable everywhere.
# Results are cached in bin/k8s/<k8s version>/; a second run costs nothing.
# Prints the asset directory on the last line of stdout (progress goes to stderr).
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-1.37.2}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${ENVTEST_DIR:-$root/bin/k8s/$K8S_VERSION}
mkdir -p "$dest"

log() { echo "setup-envtest: $*" >&2; }

build_etcd() {
  local stamp="$dest/.etcd-$ETCD_VERSION"
  if [[ -x $dest/etcd && -f $stamp ]]; then return; fi
  log "building etcd v$ETCD_VERSION (about 35 s on 2 cores)"
  local w; w=$(mktemp -d); trap 'rm -rf "$w"' RETURN
  (cd "$w" && go mod init envtest-etcd >/dev/null 2>&1 &&
    go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >&2 &&
    CGO_ENABLED=0 go build -trimpath -o "$dest/etcd" go.etcd.io/etcd/server/v3)
  touch "$stamp"
}

build_apiserver() {
  local stamp="$dest/.kube-apiserver-$K8S_VERSION"
  if [[ -x $dest/kube-apiserver && -f $stamp ]]; then return; fi
  log "building kube-apiserver v$K8S_VERSION (about 5 min on 2 cores)"
  local w; w=$(mktemp -d); trap 'rm -rf "$w"' RETURN
  local staging="0.${K8S_VERSION#1.}"
  local gomod
  gomod=$(cd "$w" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module envtest-apiserver"
    echo
    echo "go $(go env GOVERSION | sed 's/^go//; s/^\([0-9]*\.[0-9]*\).*/\1/')"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    # kubernetes replaces its staging modules with local paths; use their published tags.
    sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*#replace \1 => \1 v'"$staging"'#p' "$gomod"
  } >"$w/go.mod"
  (cd "$w" && go get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" >&2 &&
    CGO_ENABLED=0 go build -trimpath -o "$dest/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  touch "$stamp"
}

build_etcd
build_apiserver
# envtest also looks for kubectl in the asset directory.
if [[ ! -e $dest/kubectl ]] && command -v kubectl >/dev/null; then ln -s "$(command -v kubectl)" "$dest/kubectl"; fi
log "ready in $dest"
echo "$dest"
