#!/usr/bin/env bash
# Copies what controller-gen generates into the Helm chart, which cannot read
# files outside its directory: the CRDs and the manager's RBAC rules stay
# single-sourced in config/. verify-generated.sh fails when the copies drift.
set -euo pipefail
cd "$(dirname "$0")/.."
chart=charts/shopify-odoo-connector
rm -rf "$chart/files/crds"
mkdir -p "$chart/files/crds"
cp config/crd/bases/*.yaml "$chart/files/crds/"
cp config/rbac/role.yaml "$chart/files/manager-role.yaml"
