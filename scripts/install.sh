#!/usr/bin/env bash
# `make install`: npm ci when node_modules is missing, older than package-lock.json, or was installed by another
# Node major (native addons and npm's own choices follow the Node ABI); otherwise nothing.
# (npm rewrites node_modules/.package-lock.json on every install, so its age tells whether the tree is
# in step with the lockfile; node_modules/.node-version records the Node that installed it.)
# Runs on Node 24 (scripts/node-env.sh) also when started on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PATH="$(scripts/node-env.sh):$PATH"
export PATH

VERSION_FILE=node_modules/.node-version

# "v24.22.3 abi137": the Node version and its native-module ABI.
node_id() { node -p '"v" + process.versions.node + " abi" + process.versions.modules'; }
major() { sed -E 's/^v([0-9]+)\..*/\1/' <<<"$1"; }

why_ci() {
  [ ! -d node_modules ] && { echo "node_modules missing"; return 0; }
  [ ! -f node_modules/.package-lock.json ] && { echo "node_modules incomplete"; return 0; }
  [ node_modules/.package-lock.json -ot package-lock.json ] && { echo "node_modules older than package-lock.json"; return 0; }
  local recorded=""
  [ -f "$VERSION_FILE" ] && recorded="$(cat "$VERSION_FILE")"
  if [ "$(major "${recorded:-unknown}")" != "$(major "$(node_id)")" ]; then
    echo "node_modules installed by Node ${recorded:-of an unrecorded version}, running $(node_id)"
    return 0
  fi
  return 1
}

if reason="$(why_ci)"; then
  echo "install: npm ci ($reason)"
  npm ci --no-audit --no-fund
  node_id >"$VERSION_FILE"
else
  echo "install: node_modules is up to date ($(node_id))"
fi
