#!/usr/bin/env bash
# Installs the tools k8s/ needs into the per-user cache, building each from the Go module proxy at its pinned
# version (k8s/tools/versions.env); does nothing for a tool already there at that version.
#   k8s/tools/install.sh [helm] [kubeconform] [actionlint] [kind] [schemas]   (no argument: what validation needs)
# Prints nothing but progress on stderr; the tools land in $K8S_TOOLS/bin, the Kubernetes JSON schemas in
# $K8S_TOOLS/schemas/kubernetes-<version>. Source k8s/tools/env.sh for the paths.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

log() { printf 'k8s-tools %s\n' "$*" >&2; }
die() {
  printf 'k8s-tools error: %s\n' "$*" >&2
  exit 1
}

command -v go >/dev/null 2>&1 || die "'go' not found on PATH: install Go 1.24 or newer (the tools are built from the Go module proxy)"
command -v node >/dev/null 2>&1 || die "'node' not found on PATH: install Node.js 24 (or run it through make or scripts/with-node)"

go_env() {
  env GOMODCACHE="$K8S_GOMODCACHE" GOCACHE="$K8S_GOCACHE" GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 "$@"
}

# Version strings a `go install` build cannot know by itself (helm would otherwise report only "v4.3").
ldflags_for() {
  case "$1" in
    helm) printf -- '-X %s/internal/version.version=%s' "$HELM_MODULE" "$2" ;;
    kubeconform) printf -- '-X main.version=%s' "$2" ;;
    actionlint) printf -- '-X %s.version=%s' "$ACTIONLINT_MODULE" "$2" ;;
  esac
}

# build <name> <module> <version> <package path inside the module>
build() {
  local name="$1" module="$2" version="$3" pkg="$4"
  local stamp="$K8S_TOOLS_BIN/.$name.version"
  if [ -x "$K8S_TOOLS_BIN/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version" ]; then
    return 0
  fi
  log "building $name $version from the Go module proxy (first run only; a few minutes on 2 cores)"
  local started=$SECONDS tmp="$K8S_TOOLS/tmp-$name"
  rm -rf "$tmp" && mkdir -p "$tmp"
  local logfile="$K8S_TOOLS/build-$name.log"
  # Built from an empty directory so no surrounding go.mod takes part; -trimpath/-s keep the binary small.
  if ! (cd "$tmp" && go_env GOBIN="$tmp" go install -trimpath -ldflags="-s -w $(ldflags_for "$name" "$version")" "$module$pkg@$version") >"$logfile" 2>&1; then
    tail -n 20 "$logfile" >&2
    die "go install of $name $version failed (log: $logfile)"
  fi
  mv -f "$tmp/$name" "$K8S_TOOLS_BIN/$name"
  rm -rf "$tmp"
  printf '%s\n' "$module@$version" >"$stamp"
  log "$name $version ready in $((SECONDS - started))s"
}

# The Kubernetes OpenAPI document ships in the k8s.io/kubernetes module (api/openapi-spec/swagger.json);
# json-schemas.mjs turns it into one strict JSON schema per kind for kubeconform.
schemas() {
  local out="$K8S_SCHEMAS"
  [ -f "$out/.complete" ] && return 0
  log "writing the Kubernetes $KUBERNETES_VERSION JSON schemas from the k8s.io/kubernetes module"
  local dir
  dir="$(cd /tmp && go_env go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')" ||
    die "go mod download k8s.io/kubernetes@$KUBERNETES_VERSION failed"
  rm -rf "$out.tmp"
  node "$K8S_DIR/tools/json-schemas.mjs" kubernetes "$dir/api/openapi-spec/swagger.json" "$out.tmp" >&2
  rm -rf "$out" && mv "$out.tmp" "$out" && touch "$out/.complete"
}

mkdir -p "$K8S_TOOLS_BIN"
exec 9>"$K8S_TOOLS/.lock"
flock 9

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(helm kubeconform actionlint schemas)
for target in "${targets[@]}"; do
  case "$target" in
    helm) build helm "$HELM_MODULE" "$HELM_VERSION" /cmd/helm ;;
    kubeconform) build kubeconform "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" /cmd/kubeconform ;;
    actionlint) build actionlint "$ACTIONLINT_MODULE" "$ACTIONLINT_VERSION" /cmd/actionlint ;;
    kind) build kind "$KIND_MODULE" "$KIND_VERSION" "" ;;
    schemas) schemas ;;
    *) die "unknown tool '$target' (helm, kubeconform, actionlint, kind, schemas)" ;;
  esac
done
