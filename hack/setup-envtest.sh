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

# The release scripts stamp the version; without it the server reports v0.0.0.
version_ldflags() {
  local pkg=k8s.io/component-base/version minor=${K8S_VERSION#1.}
  minor=${minor%%.*}
  echo "-X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
}

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

# kubectl is built at the server's version, so tests never depend on the
# client a machine happens to have.
build_kubernetes() {
  local stamp="$dest/.kubernetes-$K8S_VERSION"
  if [[ -x $dest/kube-apiserver && -x $dest/kubectl && -f $stamp ]]; then return; fi
  log "building kube-apiserver and kubectl v$K8S_VERSION (about 6 min on 2 cores)"
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
  (cd "$w" && go get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@v$K8S_VERSION" >&2 &&
    CGO_ENABLED=0 go build -trimpath -ldflags "$(version_ldflags)" -o "$dest/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
  touch "$stamp"
}

build_etcd
build_kubernetes
log "ready in $dest"
echo "$dest"
