#!/usr/bin/env bash
# Fails when the committed generated files (deepcopy, CRDs, RBAC and their
# copies in the chart) differ from what controller-gen makes of the current
# sources. The tree is left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
generated=(api/v1alpha1/zz_generated.deepcopy.go config/crd/bases config/rbac/role.yaml
  charts/shopify-odoo-connector/files/crds charts/shopify-odoo-connector/files/manager-role.yaml)
snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
for f in "${generated[@]}"; do
  [[ -e $f ]] && mkdir -p "$snap/$(dirname "$f")" && cp -r "$f" "$snap/$f"
done
make --no-print-directory -s generate manifests
stale=()
for f in "${generated[@]}"; do
  if ! diff -r "$snap/$f" "$f" >/dev/null 2>&1; then stale+=("$f"); fi
done
# Put back what was there, so the failure stays until someone regenerates.
for f in "${generated[@]}"; do
  rm -rf "$f"
  [[ -e $snap/$f ]] && cp -r "$snap/$f" "$f"
done
if ((${#stale[@]})); then
  echo "generated files are stale: ${stale[*]}; run 'make generate manifests' and commit the result" >&2
  exit 1
fi
echo "generated files are up to date"
