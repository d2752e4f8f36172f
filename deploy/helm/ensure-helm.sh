#!/usr/bin/env bash
# Makes sure a helm binary exists at <repo>/.local/bin/helm (git-ignored) and prints its path.
# Helm is built from source with the Go toolchain (go install), once; later calls reuse the binary.
# Override the version with HELM_VERSION; point HELM_BIN at another binary to skip the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HELM_VERSION="${HELM_VERSION:-v3.19.0}"
BIN_DIR="$ROOT/.local/bin"
HELM="${HELM_BIN:-$BIN_DIR/helm}"

if [ -x "$HELM" ]; then
  echo "$HELM"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "ensure-helm: go is not installed; cannot build helm $HELM_VERSION" >&2; exit 1; }
mkdir -p "$BIN_DIR"
echo "ensure-helm: building helm $HELM_VERSION into $BIN_DIR (first time only, ~80 s)" >&2
# A lock keeps two parallel test runs from building at once.
exec 9>"$BIN_DIR/.helm-build.lock"
flock 9
if [ ! -x "$BIN_DIR/helm" ]; then
  GOBIN="$BIN_DIR" CGO_ENABLED=0 GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
fi
echo "$BIN_DIR/helm"
