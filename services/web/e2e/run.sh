#!/usr/bin/env bash
# Browser tests of the web app: Playwright driving Debian's Chromium (headless) against the real stack through
# the gateway. Used by `make test` (scripts/test.sh) and `make test-web`; extra arguments go to Playwright.
#   - installs Debian's chromium when it is missing (as root; Playwright never downloads a browser here);
#   - reuses a running gateway (make dev) or starts the built services as `make dev` does, and stops them after;
#   - reuses a web server already on :5173 (make dev's Vite) or serves the production build with `vite preview`
#     (same /graphql proxy, WebSocket included), stopped after;
#   - writes .data/test-results/playwright.json (counted by scripts/test.sh) and screenshots under
#     services/web/e2e/screenshots/<project>/ (git-ignored).
# The Kafka / MongoDB / Redis stack must be running (make infra-up); the services must be built.
set -uo pipefail
WEB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$WEB_DIR/../.." && pwd)"
# Node 24 also when this script is started on its own (scripts/node-env.sh).
NODE_BIN="$("$REPO/scripts/node-env.sh")" || { echo "web-e2e error: no Node 24 (scripts/node-env.sh failed)" >&2; exit 1; }
export PATH="$NODE_BIN:$PATH"
RESULTS="${E2E_RESULTS_DIR:-$REPO/.data/test-results}"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
GATEWAY_PORT="${GATEWAY_PORT:-4000}"
WEB_PORT="${WEB_PORT:-5173}"
LOG_DIR="$REPO/.data/logs"
mkdir -p "$RESULTS" "$LOG_DIR"
rm -f "$RESULTS/playwright.json"

say() { printf 'web-e2e %s\n' "$*"; }
answers() { curl -fs -o /dev/null --max-time 2 "$1"; }

started_services=0
preview_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$preview_pid" ]; then
    kill -TERM "-$preview_pid" 2>/dev/null || kill -TERM "$preview_pid" 2>/dev/null || true
  fi
  if [ "$started_services" = 1 ]; then
    say "stopping the services this run started"
    "$REPO/dev/services.sh" down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The browser: Debian's Chromium.
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$LOG_DIR/chromium-install.log" 2>&1 \
      || { tail -n 20 "$LOG_DIR/chromium-install.log" >&2; say "could not install chromium"; exit 1; }
  else
    say "no Chromium at $CHROMIUM: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH"
    exit 1
  fi
fi

# 2. The gateway and the subgraphs.
if answers "http://127.0.0.1:$GATEWAY_PORT/readyz"; then
  say "reusing the gateway on :$GATEWAY_PORT"
else
  say "starting the built services (as make dev does)"
  started_services=1
  # A service that is not ready is reported by services.sh; the tests need the gateway and the subgraphs they
  # use (auth, event, ticket), and fail on their own when one of those is missing.
  DEV_WEB=0 "$REPO/dev/services.sh" up || say "some services did not become ready (see .data/logs/)"
  answers "http://127.0.0.1:$GATEWAY_PORT/readyz" || { say "the gateway did not start"; exit 1; }
fi

# 3. The app: make dev's Vite server, or the production build behind `vite preview`.
if answers "http://127.0.0.1:$WEB_PORT/"; then
  say "reusing the web server on :$WEB_PORT"
else
  if [ ! -f "$WEB_DIR/dist/public/index.html" ]; then
    say "building the app"
    (cd "$REPO" && npm run build -w @ticketing/web >/dev/null) || { say "the app does not build"; exit 1; }
  fi
  say "serving the production build on :$WEB_PORT (vite preview)"
  (cd "$WEB_DIR" && GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT" WEB_PORT="$WEB_PORT" \
    exec setsid "$REPO/node_modules/.bin/vite" preview --config src/app/vite.config.ts \
    >"$LOG_DIR/web-preview.log" 2>&1) &
  preview_pid=$!
  for _ in $(seq 1 100); do
    answers "http://127.0.0.1:$WEB_PORT/" && break
    sleep 0.3
  done
  answers "http://127.0.0.1:$WEB_PORT/" || { tail -n 20 "$LOG_DIR/web-preview.log" >&2; say "vite preview did not start"; exit 1; }
fi

# 4. The tests.
cd "$WEB_DIR" || exit 1
CHROMIUM_PATH="$CHROMIUM" WEB_URL="http://localhost:$WEB_PORT" E2E_RESULTS_DIR="$RESULTS" \
  "$REPO/node_modules/.bin/playwright" test -c e2e/playwright.config.ts "$@"
rc=$?
if [ -f "$RESULTS/playwright.json" ]; then
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats || {};
    console.log(`web e2e: ${(s.expected || 0) + (s.flaky || 0)} passed, ${s.unexpected || 0} failed`);
  ' "$RESULTS/playwright.json"
fi
exit "$rc"
