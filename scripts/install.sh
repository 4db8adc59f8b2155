#!/usr/bin/env bash
# `make install`: npm ci when node_modules is missing or older than package-lock.json; otherwise nothing.
# (npm rewrites node_modules/.package-lock.json on every install, so its age tells whether the tree is
# in step with the lockfile.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_ci() {
  [ ! -d node_modules ] && return 0
  [ ! -f node_modules/.package-lock.json ] && return 0
  [ node_modules/.package-lock.json -ot package-lock.json ] && return 0
  return 1
}

command -v node >/dev/null 2>&1 || { echo "error: 'node' not found on PATH: install Node.js 20" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "error: 'npm' not found on PATH: install npm (comes with Node.js 20)" >&2; exit 1; }
if need_ci; then
  echo "install: npm ci (node_modules missing or older than package-lock.json)"
  npm ci --no-audit --no-fund
else
  echo "install: node_modules is up to date"
fi
