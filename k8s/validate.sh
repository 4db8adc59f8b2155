#!/usr/bin/env bash
# `make k8s-validate` (part of `make test`): offline checks of everything Kubernetes in the repository.
#   1. tools: helm, kubeconform and actionlint built from the Go module proxy, and the Kubernetes JSON schemas
#      generated from the OpenAPI document of the k8s.io/kubernetes module (cached per user, built once);
#   2. the Vitest specs in k8s/test: helm lint --strict and helm template of every chart and the umbrella with
#      every value set, kubeconform (Kubernetes + Strimzi/MongoDB CRD schemas) of everything rendered and of
#      k8s/infra, policy assertions, Dockerfile policy, skaffold structure, actionlint of the workflows, and the
#      deliberately broken fixtures, which must fail.
# No network at validation time beyond the first tool build. Exits non-zero on any failure.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools/env.sh"
cd "$REPO_ROOT"

started=$SECONDS
"$K8S_DIR/tools/install.sh"
echo "k8s-validate tools ready ($((SECONDS - started))s): helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, actionlint $ACTIONLINT_VERSION, Kubernetes $KUBERNETES_VERSION schemas"
[ -d "$CRD_DIR" ] || { echo "k8s-validate error: CRD folder $CRD_DIR is missing (shared/ beside the clone, or TICKETING_CRD_DIR)" >&2; exit 1; }

npx vitest run --config k8s/vitest.config.mts
echo "k8s-validate passed in $((SECONDS - started))s"
