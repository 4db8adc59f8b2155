# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Paths and pinned versions shared by the k8s/ scripts. Source it; do not run it.
K8S_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$K8S_DIR/.." && pwd)"
# shellcheck source=versions.env
source "$K8S_DIR/tools/versions.env"

# The same per-user cache as the local stack (dev/lib/common.sh), shared by every clone.
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ticketing-dev"
K8S_TOOLS="$CACHE_DIR/k8s-tools"
K8S_TOOLS_BIN="$K8S_TOOLS/bin"
K8S_SCHEMAS="$K8S_TOOLS/schemas/kubernetes-$KUBERNETES_VERSION"
# Go's module and build caches: the ones dev/ uses for FerretDB, so a warm machine reuses them.
K8S_GOMODCACHE="$CACHE_DIR/go/mod"
K8S_GOCACHE="$CACHE_DIR/go/build-cache"

# The operators' CRDs for offline checks of the custom resources: shared/ beside the clone.
CRD_DIR="${TICKETING_CRD_DIR:-$REPO_ROOT/../shared/crds}"

HELM="$K8S_TOOLS_BIN/helm"
KUBECONFORM="$K8S_TOOLS_BIN/kubeconform"
ACTIONLINT="$K8S_TOOLS_BIN/actionlint"
KIND="$K8S_TOOLS_BIN/kind"
