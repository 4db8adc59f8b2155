#!/usr/bin/env bash
# Redis for the local stack: Debian's redis-server on 127.0.0.1:6390, no persistence (a cache only).
#   dev/redis.sh install | start | stop | status
set -euo pipefail
COMPONENT=redis
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

LOG="$LOG_DIR/redis.log"
MARKER="redis-server"

install() {
  command -v redis-server >/dev/null 2>&1 && return 0
  say "installing redis-server (Debian package)"
  apt_install redis-server ||
    die "'redis-server' not found on PATH: install Redis 7 (Debian: sudo apt-get install redis-server)"
}

probe() { node_tool probe.cjs redis; }

start() {
  if pid_of redis >/dev/null; then
    wait_ready redis 20 "$LOG" "$REDIS_PORT" probe
    say "already running on $REDIS_URL"
    return 0
  fi
  if port_open "$REDIS_PORT"; then
    probe >/dev/null 2>&1 || die "port $REDIS_PORT is taken by a process that is not Redis"
    say "a Redis not started by this clone already answers on $REDIS_URL; using it"
    return 0
  fi
  install
  mkdir -p "$DATA_DIR/redis"
  spawn redis "$MARKER" "$LOG" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --save '' --appendonly no --dir "$DATA_DIR/redis" --daemonize no --loglevel warning
  wait_ready redis 20 "$LOG" "$REDIS_PORT" probe
  say "ready on $REDIS_URL (pid $(pid_of redis))"
}

stop() { stop_pid redis "$REDIS_PORT" 10; }

status() {
  local pid
  pid="$(pid_of redis || true)"
  if answers "$REDIS_PORT" probe; then
    say "up     $REDIS_URL $([ -n "$pid" ] && echo "(pid $pid)" || echo "(not started by this clone)")"
  else
    say "DOWN   $REDIS_URL${pid:+ (pid $pid runs but does not answer)}"
    return 1
  fi
}

case "${1:-}" in
  install | start | stop | status) "$1" ;;
  *) die "usage: dev/redis.sh install|start|stop|status" ;;
esac
