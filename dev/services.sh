#!/usr/bin/env bash
# Runs the built services against the local stack (`make dev` / `make dev-down`).
#   dev/services.sh up | down | status
# Every services/<name>/dist/main.js is started, the subgraphs first (in parallel), the gateway last, with
# PORT from the port table in packages/platform/README.md; a new service folder is picked up as soon as it
# is built and has a row in that table. Logs: .data/logs/<name>.log; pids: .data/run/svc-<name>.pid.
# The web app (services/web) is no Node service: it runs as a Vite dev server on WEB_PORT (5173) that proxies
# /graphql, WebSocket included, to the gateway; its URL is printed first.
set -euo pipefail
COMPONENT=dev
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# The services run on Node 24 also when this script is started on its own (scripts/node-env.sh).
PATH="$("$REPO_ROOT/scripts/node-env.sh"):$PATH"
export PATH

PORT_TABLE="$REPO_ROOT/packages/platform/README.md"
READY_TIMEOUT="${READY_TIMEOUT:-90}"
WEB_PORT="${WEB_PORT:-5173}"

# port_of <service>: from the rows `| name | 4001 | ...` of the platform README's port table.
port_of() {
  awk -F'|' -v name="$1" '{
      gsub(/[ `]/, "", $2); gsub(/[ `]/, "", $3)
      if ($2 == name && $3 ~ /^[0-9]+$/) { print $3; exit }
    }' "$PORT_TABLE"
}

# The services in start order: every folder under services/ except the gateway (and web), then the gateway.
service_names() {
  local d name
  for d in "$REPO_ROOT"/services/*/; do
    name="$(basename "$d")"
    [ "$name" = gateway ] || [ "$name" = web ] || echo "$name"
  done
  [ -d "$REPO_ROOT/services/gateway" ] && echo gateway
  return 0
}

main_js() { printf '%s\n' "$REPO_ROOT/services/$1/dist/main.js"; }

ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/readyz"; }

# start_one <service> <port>: spawns it unless it already runs; returns 1 when its port is taken.
start_one() {
  local name="$1" port="$2" log="$LOG_DIR/$1.log"
  if pid_of "svc-$name" >/dev/null; then
    say "$name already running (pid $(pid_of "svc-$name"))"
    return 0
  fi
  if port_open "$port"; then
    say "skip $name: port $port is taken by a process this runner did not start"
    failed+=("$name")
    return 1
  fi
  (
    cd "$REPO_ROOT/services/$name"
    spawn "svc-$name" "$(main_js "$name")" "$log" env \
      NODE_ENV="${NODE_ENV:-development}" PORT="$port" COOKIE_SECURE=false LOG_LEVEL="${LOG_LEVEL:-info}" \
      MONGO_URL="${MONGO_URL:-$DEFAULT_MONGO_URL}" REDIS_URL="$REDIS_URL" KAFKA_BROKERS="$KAFKA_BROKERS" \
      node --enable-source-maps "$(main_js "$name")"
  )
  echo "$port" >"$RUN_DIR/svc-$name.port"
}

# wait_one <service> <port>: waits for its /readyz; on failure says why (with its log) and returns 1,
# so the other services still start.
wait_one() {
  local name="$1" port="$2"
  if (wait_ready "svc-$name" "$READY_TIMEOUT" "$LOG_DIR/$name.log" "$port" ready "$port"); then
    say "$name ready on http://localhost:$port/graphql"
  else
    failed+=("$name")
    return 1
  fi
}

# start_web <gateway port>: the Vite dev server of services/web (hot reload, /graphql + WebSocket proxied).
# The gateway allows the origin http://localhost:5173 (CORS_ORIGINS default) for subscriptions.
start_web() {
  local vite="$REPO_ROOT/node_modules/.bin/vite" log="$LOG_DIR/web.log"
  if pid_of svc-web >/dev/null; then
    say "web already running (pid $(pid_of svc-web))"
    return 0
  fi
  if [ ! -x "$vite" ]; then
    say "skip web: vite is not installed (npm install)"
    failed+=(web)
    return 1
  fi
  if port_open "$WEB_PORT"; then
    say "skip web: port $WEB_PORT is taken by a process this runner did not start"
    failed+=(web)
    return 1
  fi
  (
    cd "$REPO_ROOT/services/web"
    spawn svc-web "node_modules/.bin/vite" "$log" env GATEWAY_URL="http://127.0.0.1:$1" WEB_PORT="$WEB_PORT" \
      node "$vite" --config src/app/vite.config.ts
  )
  echo "$WEB_PORT" >"$RUN_DIR/svc-web.port"
  if (wait_ready svc-web "$READY_TIMEOUT" "$log" "$WEB_PORT" curl -fsS -o /dev/null --max-time 2 \
    "http://127.0.0.1:$WEB_PORT/"); then
    say "web ready on http://localhost:$WEB_PORT/"
  else
    failed+=(web)
    return 1
  fi
}

up() {
  need_tool curl "curl (Debian: curl), used to poll /readyz"
  local name port started=() ports=()
  local gateway_port=""
  failed=()
  while read -r name; do
    if [ ! -f "$(main_js "$name")" ]; then
      say "skip $name: no dist/main.js (not built, or not a Node service yet)"
      continue
    fi
    port="$(port_of "$name")"
    if [ -z "$port" ]; then
      say "skip $name: no port for it in packages/platform/README.md"
      continue
    fi
    if [ "$name" = gateway ]; then
      gateway_port="$port"
      continue
    fi
    start_one "$name" "$port" || continue
    started+=("$name")
    ports+=("$port")
  done < <(service_names)

  local i ready_names=() ready_ports=()
  for i in "${!started[@]}"; do
    if wait_one "${started[$i]}" "${ports[$i]}"; then
      ready_names+=("${started[$i]}")
      ready_ports+=("${ports[$i]}")
    fi
  done
  if [ -n "$gateway_port" ]; then
    { start_one gateway "$gateway_port" && wait_one gateway "$gateway_port"; } || gateway_port=""
  fi

  local web_url=""
  # DEV_WEB=0: no Vite server (the browser tests serve the production build themselves).
  if [ -n "$gateway_port" ] && [ "${DEV_WEB:-1}" = 1 ] && [ -f "$REPO_ROOT/services/web/package.json" ]; then
    start_web "$gateway_port" && web_url="http://localhost:$WEB_PORT/"
  fi

  echo
  if [ -n "$web_url" ]; then
    echo "  Web app            $web_url   (Vite; /graphql proxied to the gateway)"
  fi
  if [ -n "$gateway_port" ]; then
    echo "  GraphQL (gateway)  http://localhost:$gateway_port/graphql"
  fi
  for i in "${!ready_names[@]}"; do
    printf '  %-18s http://localhost:%s/graphql   (health /healthz /readyz, metrics /metrics)\n' \
      "${ready_names[$i]}" "${ready_ports[$i]}"
  done
  echo "  logs               .data/logs/<service>.log     stop: make dev-down"
  if [ ${#failed[@]} -gt 0 ]; then
    die "did not become ready: ${failed[*]} (see .data/logs/)"
  fi
}

down() {
  local file name port
  shopt -s nullglob
  for file in "$RUN_DIR"/svc-*.pid; do
    name="$(basename "$file" .pid)"
    port="$(cat "$RUN_DIR/$name.port" 2>/dev/null || true)"
    COMPONENT="${name#svc-}" stop_pid "$name" "$port" 30
    rm -f "$RUN_DIR/$name.port"
  done
}

status() {
  local name port pid rc=0
  while read -r name; do
    port="$(port_of "$name")"
    if pid="$(pid_of "svc-$name")"; then
      if ready "$port" 2>/dev/null; then
        say "$name up on :$port (pid $pid)"
      else
        say "$name NOT READY on :$port (pid $pid)"
        rc=1
      fi
    else
      say "$name not running"
    fi
  done < <(service_names)
  if pid="$(pid_of svc-web)"; then
    say "web up on :$WEB_PORT (pid $pid)"
  else
    say "web not running"
  fi
  return "$rc"
}

case "${1:-}" in
  up | down | status) "$1" ;;
  *) die "usage: dev/services.sh up|down|status" ;;
esac
