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

# The operators' CRDs for offline checks of the custom resources: the project's shared/ folder beside the
# clone (or beside one of its parent folders, for a clone made in a subfolder), unless TICKETING_CRD_DIR says.
find_crd_dir() {
  local dir="$REPO_ROOT"
  while [ "$dir" != "/" ]; do
    dir="$(dirname "$dir")"
    if [ -d "$dir/shared/crds" ]; then
      printf '%s' "$dir/shared/crds"
      return
    fi
  done
  printf '%s' "$REPO_ROOT/../shared/crds"
}
CRD_DIR="${TICKETING_CRD_DIR:-$(find_crd_dir)}"

HELM="$K8S_TOOLS_BIN/helm"
KUBECONFORM="$K8S_TOOLS_BIN/kubeconform"
ACTIONLINT="$K8S_TOOLS_BIN/actionlint"
KIND="$K8S_TOOLS_BIN/kind"
