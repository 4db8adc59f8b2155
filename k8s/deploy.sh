#!/usr/bin/env bash
# `make deploy`: build every service image, load it into the kind cluster and install (or upgrade) the umbrella
# chart, then run `helm test`. Needs `make cluster-up` first.
#   IMAGE_TAG=<tag>   tag to build and deploy (default: the short git commit, plus -dirty for local changes)
#   SKIP_BUILD=1      deploy images that are already loaded
#   VALUES=<file>     extra values file (after k8s/values-kind.yaml)
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools/env.sh"

CLUSTER="${KIND_CLUSTER_NAME:-ticketing}"
NS=ticketing
RELEASE=ticketing

say() { printf 'deploy  %s\n' "$*"; }
die() {
  printf 'deploy  error: %s\n' "$*" >&2
  exit 1
}
"$K8S_DIR/tools/install.sh" kind helm
"$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER" || die "no kind cluster '$CLUSTER': run 'make cluster-up' first"

cd "$REPO_ROOT"
tag="${IMAGE_TAG:-$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo -dirty)}"
# The services that exist: every folder under services/ with a Dockerfile (the folder name is the image name).
services=()
for dockerfile in services/*/Dockerfile; do services+=("$(basename "$(dirname "$dockerfile")")"); done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  for svc in "${services[@]}"; do
    say "image $svc:$tag"
    docker build --file "services/$svc/Dockerfile" --tag "$svc:$tag" .
    "$KIND" load docker-image --name "$CLUSTER" "$svc:$tag"
  done
fi

# Packaged copies of the file:// dependencies (git-ignored), service charts first, then the umbrella.
for chart in charts/*/; do
  chart="${chart%/}"
  case "$(basename "$chart")" in service-lib | ticketing) continue ;; esac
  "$HELM" dependency build --skip-refresh "$chart" >/dev/null
done
"$HELM" dependency build --skip-refresh charts/ticketing >/dev/null

extra=()
[ -n "${VALUES:-}" ] && extra+=(--values "$VALUES")
say "helm upgrade --install $RELEASE (images tagged $tag)"
"$HELM" upgrade --install "$RELEASE" charts/ticketing --namespace "$NS" \
  --values k8s/values-kind.yaml "${extra[@]}" --set "global.image.tag=$tag" \
  --wait --timeout 10m
"$HELM" test "$RELEASE" --namespace "$NS" --timeout 5m
say "ready: http://localhost/graphql"
