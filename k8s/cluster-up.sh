#!/usr/bin/env bash
# `make cluster-up`: a kind cluster with everything the platform runs on, ready for `make deploy`.
#   kind cluster `ticketing` (k8s/kind-config.yaml, host ports 80/443)
#   metrics-server (for the HPAs), Traefik (ingress controller), Strimzi 1.2.0 and MongoDB Controllers for
#   Kubernetes 1.10.0 (operators), then in namespace `ticketing`: Kafka + topics, the MongoDB replica set and
#   its users, Redis, and the Secrets the charts reference (generated here, never committed).
# Idempotent: run it again to converge. Needs docker and kubectl; kind and helm are built into the tool cache.
set -euo pipefail
# shellcheck source=tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/tools/env.sh"

CLUSTER="${KIND_CLUSTER_NAME:-ticketing}"
NS=ticketing

say() { printf 'cluster %s\n' "$*"; }
die() {
  printf 'cluster error: %s\n' "$*" >&2
  exit 1
}
for tool in docker kubectl; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found on PATH: install it (docker engine and kubectl are needed for a kind cluster)"
done
docker info >/dev/null 2>&1 || die "docker is installed but its engine does not answer: start Docker"
"$K8S_DIR/tools/install.sh" kind helm

if "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  say "kind cluster $CLUSTER exists"
else
  say "creating kind cluster $CLUSTER"
  "$KIND" create cluster --name "$CLUSTER" --config "$K8S_DIR/kind-config.yaml" --wait 120s
fi
kubectl config use-context "kind-$CLUSTER" >/dev/null

helm_install() { # release namespace chart version [args...]
  local release="$1" namespace="$2" chart="$3" version="$4"
  shift 4
  say "helm: $release ($chart $version) in $namespace"
  "$HELM" upgrade --install "$release" "$chart" --version "$version" --namespace "$namespace" --create-namespace \
    --wait --timeout 10m "$@"
}

say "helm repositories"
"$HELM" repo add metrics-server https://kubernetes-sigs.github.io/metrics-server/ --force-update >/dev/null
"$HELM" repo add traefik https://traefik.github.io/charts --force-update >/dev/null
"$HELM" repo add strimzi https://strimzi.io/charts/ --force-update >/dev/null
"$HELM" repo add mongodb https://mongodb.github.io/helm-charts --force-update >/dev/null
"$HELM" repo update >/dev/null

# kind's kubelets serve self-signed certificates; metrics-server must accept them there (and only there).
helm_install metrics-server kube-system metrics-server/metrics-server "$METRICS_SERVER_CHART_VERSION" \
  --set 'args={--kubelet-insecure-tls}'
helm_install traefik traefik traefik/traefik "$TRAEFIK_CHART_VERSION" --values "$K8S_DIR/addons/traefik-values.yaml"

kubectl apply -f "$K8S_DIR/infra/namespace.yaml"
helm_install strimzi strimzi strimzi/strimzi-kafka-operator "$STRIMZI_CHART_VERSION" \
  --set "watchNamespaces={$NS}"
# The MongoDB operator runs beside the database it manages (it watches its own namespace).
helm_install mongodb-kubernetes "$NS" mongodb/mongodb-kubernetes "$MONGODB_CHART_VERSION"

# Secrets, created once and kept: the MongoDB users' passwords and auth's signing keys.
secret_exists() { kubectl -n "$NS" get secret "$1" >/dev/null 2>&1; }
random_password() { node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))'; }
for svc in auth event ticket checkin pricing; do
  name="ticketing-mongo-$svc-password"
  if ! secret_exists "$name"; then
    say "secret $name"
    kubectl -n "$NS" create secret generic "$name" --from-literal=password="$(random_password)"
  fi
done
# A fresh Ed25519 private JWK, as JSON.
ed25519_jwk() {
  node -e '
    const { generateKeyPairSync, randomUUID } = require("crypto");
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    console.log(JSON.stringify({ ...jwk, kid: randomUUID(), alg: "EdDSA", use: "sig" }));
  '
}
# A fresh P-256 private JWK (access tokens are ES256), as JSON.
p256_jwk() {
  node -e '
    const { generateKeyPairSync, randomUUID } = require("crypto");
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    console.log(JSON.stringify({ ...jwk, kid: randomUUID(), alg: "ES256", use: "sig" }));
  '
}
# An auth Secret from before the move to ES256 holds an Ed25519 key the service now refuses: replace it.
if secret_exists ticketing-auth-keys &&
  kubectl -n "$NS" get secret ticketing-auth-keys -o go-template='{{ index .data "signing-keys" | base64decode }}' 2>/dev/null |
  grep -q '"OKP"'; then
  say "secret ticketing-auth-keys holds an Ed25519 key: replacing it with a P-256 one"
  kubectl -n "$NS" delete secret ticketing-auth-keys
fi
if ! secret_exists ticketing-auth-keys; then
  say "secret ticketing-auth-keys (access-token signing keys, ES256)"
  kubectl -n "$NS" create secret generic ticketing-auth-keys --from-literal=signing-keys="[$(p256_jwk)]"
fi
if ! secret_exists ticketing-ticket-keys; then
  say "secret ticketing-ticket-keys (QR token signing key)"
  kubectl -n "$NS" create secret generic ticketing-ticket-keys --from-literal=signing-key="$(ed25519_jwk)"
fi
# The rotating display codes' master key: one value in ticket's Secret (it shows the codes) and checkin's (it
# verifies them without calling ticket). Added to an existing ticket Secret that predates it.
secret_value() { kubectl -n "$NS" get secret "$1" -o go-template="{{ index .data \"$2\" | base64decode }}" 2>/dev/null || true; }
display_key="$(secret_value ticketing-ticket-keys display-code-master-key)"
if [ -z "$display_key" ]; then
  say "display-code master key in ticketing-ticket-keys"
  display_key="$(random_password)$(random_password)"
  kubectl -n "$NS" patch secret ticketing-ticket-keys --type merge \
    -p "{\"stringData\":{\"display-code-master-key\":\"$display_key\"}}"
fi
if ! secret_exists ticketing-checkin-keys; then
  say "secret ticketing-checkin-keys (display-code master key, the same as ticket's)"
  kubectl -n "$NS" create secret generic ticketing-checkin-keys --from-literal=display-code-master-key="$display_key"
fi

say "infrastructure: Kafka, topics, MongoDB, Redis"
kubectl apply -f "$K8S_DIR/infra/kafka.yaml" -f "$K8S_DIR/infra/kafka-topics.yaml" \
  -f "$K8S_DIR/infra/mongodb.yaml" -f "$K8S_DIR/infra/redis.yaml"
kubectl -n "$NS" rollout status deployment/redis --timeout=5m
kubectl -n "$NS" wait kafka/ticketing-kafka --for=condition=Ready --timeout=15m
kubectl -n "$NS" wait kafkatopic --all --for=condition=Ready --timeout=5m
kubectl -n "$NS" wait mongodbcommunity/ticketing-mongo --for=jsonpath='{.status.phase}'=Running --timeout=15m
for svc in auth event ticket checkin pricing; do
  kubectl -n "$NS" get secret "ticketing-mongo-$svc" >/dev/null ||
    die "the MongoDB operator has not written the connection-string Secret ticketing-mongo-$svc"
done
say "ready: now 'make deploy'"
