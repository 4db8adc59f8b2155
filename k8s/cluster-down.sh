#!/usr/bin/env bash
# `make cluster-down`: delete the kind cluster (and everything in it). The tool cache stays.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools/env.sh"
CLUSTER="${KIND_CLUSTER_NAME:-ticketing}"
if [ ! -x "$KIND" ]; then
  echo "cluster kind is not installed: no cluster to delete"
  exit 0
fi
if "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  "$KIND" delete cluster --name "$CLUSTER"
else
  echo "cluster no kind cluster '$CLUSTER'"
fi
