#!/usr/bin/env bash
# For machines without the project's shared/ folder (GitHub-hosted runners): writes the CRDs of the pinned
# operators into <dir> by pulling their Helm charts (network needed; `make test` itself never fetches).
#   k8s/tools/fetch-crds.sh <dir>      then: TICKETING_CRD_DIR=<dir> or <dir> = ../shared/crds
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
out="${1:?usage: fetch-crds.sh <dir>}"
if [ -d "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "fetch-crds: $out already holds CRDs"
  exit 0
fi
"$K8S_DIR/tools/install.sh" helm
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$HELM" repo add strimzi https://strimzi.io/charts/ --force-update >/dev/null
"$HELM" repo add mongodb https://mongodb.github.io/helm-charts --force-update >/dev/null
"$HELM" pull strimzi/strimzi-kafka-operator --version "$STRIMZI_CHART_VERSION" --untar --untardir "$work"
"$HELM" pull mongodb/mongodb-kubernetes --version "$MONGODB_CHART_VERSION" --untar --untardir "$work"
mkdir -p "$out/strimzi-$STRIMZI_CHART_VERSION" "$out/mongodb-kubernetes-$MONGODB_CHART_VERSION"
cp "$work"/strimzi-kafka-operator/crds/*.yaml "$out/strimzi-$STRIMZI_CHART_VERSION/"
cp "$work"/mongodb-kubernetes/crds/*.yaml "$out/mongodb-kubernetes-$MONGODB_CHART_VERSION/"
echo "fetch-crds: CRDs written to $out"
