#!/usr/bin/env bash
# Print the path of a helm binary of the pinned version, building it first if this machine has none yet.
# helm comes from the Go module proxy (the module helm.sh/helm/v3), built by the machine's Go toolchain, into a
# per-version cache outside the work tree: a fresh clone on the same machine (CI) finds it and builds nothing.
# A cold build takes minutes on two cores (docs/notes/issue-15-deploy.md); a warm one is a stat.
set -euo pipefail
HELM_VERSION="${COXSWAIN_HELM_VERSION:-v3.19.0}"
# The Kubernetes minor version helm v3.19 is built against (its k8s.io modules are v0.34): helm's own Makefile
# stamps it in with -ldflags; without it `helm template` assumes Kubernetes 1.20 and `helm lint` checks API
# deprecations against 1.20.
KUBE_MINOR="${COXSWAIN_HELM_KUBE_MINOR:-34}"
CACHE="${COXSWAIN_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/coxswain/tools}"
DEST="$CACHE/helm-$HELM_VERSION-k8s1.$KUBE_MINOR"
if [[ ! -x "$DEST/helm" ]]; then
  GO="$(command -v go || echo /usr/local/go/bin/go)"
  [[ -x "$GO" ]] || { echo "install-helm: no Go toolchain (needed to build helm)" >&2; exit 1; }
  mkdir -p "$DEST.tmp"
  # Into a temporary directory first, so an interrupted build never leaves a half-written binary behind.
  LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    LDFLAGS+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$KUBE_MINOR"
  done
  GOBIN="$DEST.tmp" GOFLAGS=-buildvcs=false "$GO" install -ldflags "$LDFLAGS" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  mv "$DEST.tmp" "$DEST"
fi
echo "$DEST/helm"
