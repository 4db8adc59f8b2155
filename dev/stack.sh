#!/usr/bin/env bash
# The local real stack: Redis, the MongoDB-compatible server and Kafka (plus the catalogue topics).
#   dev/stack.sh install                 fetch/build whatever is missing into the cache, start nothing
#   dev/stack.sh up [--record FILE]      start what is not running; FILE receives the names of the servers
#                                        this call started (so a caller can stop only those)
#   dev/stack.sh down [server...]        stop (all, or the named servers: redis mongo kafka)
#   dev/stack.sh status                  one line per server; exit 1 when any is down
#   dev/stack.sh purge-cache             delete the download/build cache (the stack must be stopped)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SERVERS=(redis mongo kafka)

# One start or stop at a time per clone (several terminals or engineers may call it together).
lock() {
  exec 9>"$RUN_DIR/stack.lock"
  flock 9
}

# was_running <server>: it answers already (started by this clone or not).
was_running() { "$DEV_DIR/$1.sh" status >/dev/null 2>&1; }

# Runs `dev/<server>.sh <action>` for the named servers side by side; fails when any of them failed.
in_parallel() {
  local action="$1" s rc=0 pids=()
  shift
  for s in "$@"; do
    "$DEV_DIR/$s.sh" "$action" &
    pids+=($!)
  done
  for s in "${pids[@]}"; do wait "$s" || rc=1; done
  return "$rc"
}

install() {
  lock
  # redis-server may come from apt: alone first. Then the FerretDB build and the Kafka download together.
  "$DEV_DIR/redis.sh" install
  in_parallel install mongo kafka || die "installing the stack's servers failed (logs: .data/logs/)"
}

up() {
  lock
  local record="" started=$SECONDS s
  if [ "${1:-}" = --record ]; then record="${2:?--record needs a file}"; : >"$record"; fi
  if [ -n "$record" ]; then
    for s in "${SERVERS[@]}"; do was_running "$s" || echo "$s" >>"$record"; done
  fi
  # redis-server may come from apt: alone first. Then the three servers start side by side.
  "$DEV_DIR/redis.sh" install
  in_parallel start "${SERVERS[@]}" || die "the stack did not start (logs: .data/logs/)"
  COMPONENT=kafka say "$(node_tool topics.cjs)"
  say "stack up in $((SECONDS - started))s (logs: .data/logs/)"
}

down() {
  lock
  local targets=("$@") rc=0
  [ ${#targets[@]} -eq 0 ] && targets=(kafka mongo redis)
  for s in "${targets[@]}"; do
    case "$s" in
      redis | mongo | kafka) "$DEV_DIR/$s.sh" stop || rc=1 ;;
      *) die "unknown server '$s' (redis, mongo, kafka)" ;;
    esac
  done
  return "$rc"
}

status() {
  local rc=0
  for s in "${SERVERS[@]}"; do "$DEV_DIR/$s.sh" status || rc=1; done
  [ "$rc" = 0 ] || say "some servers are down: run 'make infra-up'"
  return "$rc"
}

purge_cache() {
  lock
  local s
  for s in "${SERVERS[@]}"; do
    pid_of "$s" >/dev/null && die "$s is running from the cache: run 'make infra-down' first"
  done
  if [ -d "$CACHE_DIR" ]; then
    chmod -R u+w "$CACHE_DIR" # Go keeps its module cache read-only
    rm -rf "$CACHE_DIR"
  fi
  say "removed $CACHE_DIR"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install | up | down | status) "$cmd" "$@" ;;
  purge-cache) purge_cache ;;
  *) die "usage: dev/stack.sh install | up [--record FILE] | down [server...] | status | purge-cache" ;;
esac
