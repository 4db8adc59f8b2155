#!/usr/bin/env bash
# The MongoDB-compatible server of the local stack, on 127.0.0.1:27018 without authentication.
# Which server, in order:
#   1. MONGO_URL is set      -> that server is used as it is; nothing is started or stopped.
#   2. `mongod` is on PATH   -> mongod with its data under .data/mongod.
#   3. otherwise             -> FerretDB built from its Go module source (cached), storing its data in a
#                               private PostgreSQL cluster under .data/postgres (Debian's postgresql,
#                               installed when missing and running as root), reached over a Unix socket
#                               only. Where PostgreSQL cannot be had, FerretDB's SQLite handler instead
#                               (about 3x slower under concurrent writes: bench/flash-sale/REPORT.md).
#                               FERRETDB_HANDLER=sqlite|pg forces one.
#   dev/mongo.sh install | start | stop | status
set -euo pipefail
COMPONENT=mongo
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

LOG="$LOG_DIR/mongo.log"
FERRETDB_DIR="$CACHE_DIR/ferretdb"
# Our changes to FerretDB (dev/ferretdb/: atomic single-document writes, indexed equality filters) are part
# of the binary's name through their checksum, so a cache holding a build without them is never reused.
FERRETDB_PATCH_DIR="$(dirname "${BASH_SOURCE[0]}")/ferretdb"
FERRETDB_BIN="$FERRETDB_DIR/ferretdb-$FERRETDB_VERSION-ticketing-$(cat "$FERRETDB_PATCH_DIR"/*.go "$FERRETDB_PATCH_DIR"/apply.cjs | cksum | cut -d' ' -f1)"
FERRETDB_MODULE="github.com/FerretDB/FerretDB@$FERRETDB_VERSION"

# Go settings for the FerretDB build: module and build caches live in our cache folder.
go_env() {
  env GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build-cache" GOFLAGS="-mod=mod -buildvcs=false" "$@"
}

PG_DIR="$DATA_DIR/postgres"
PG_SOCKET_DIR="$RUN_DIR/postgres"
PG_LOG="$LOG_DIR/postgres.log"
# How root runs a command as the `postgres` user (exec, no fork: a spawned server keeps its pid).
AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --init-groups)

# The newest PostgreSQL server binaries Debian installed (they are not on PATH there).
pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ] && { printf '%s\n' "$dir"; return 0; }
  done
  command -v postgres >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && { dirname "$(command -v postgres)"; return 0; }
  return 1
}

# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user the Debian package
# creates, which must be able to reach .data (not the case under a private home folder).
pg_user() {
  if ! is_root; then id -un; return 0; fi
  id -u postgres >/dev/null 2>&1 || return 1
  "${AS_POSTGRES[@]}" test -x "$DATA_DIR" 2>/dev/null || return 1
  printf 'postgres\n'
}

# as_pg <command...>: runs a command as the cluster's user.
as_pg() {
  if is_root; then
    "${AS_POSTGRES[@]}" "$@"
  else
    "$@"
  fi
}

# The FerretDB handler to use: FERRETDB_HANDLER, else pg when PostgreSQL is (or can be made) available.
handler() {
  case "${FERRETDB_HANDLER:-}" in
    sqlite | pg) echo "$FERRETDB_HANDLER"; return 0 ;;
    "") ;;
    *) die "FERRETDB_HANDLER must be sqlite or pg, not '$FERRETDB_HANDLER'" ;;
  esac
  # A Unix socket path has a length limit (107 bytes on Linux) that a deep clone folder could exceed.
  if [ "${#PG_SOCKET_DIR}" -le 90 ] && pg_bindir >/dev/null && pg_user >/dev/null; then echo pg; else echo sqlite; fi
}

install_postgres() {
  pg_bindir >/dev/null && return 0
  say "installing postgresql (Debian package) for FerretDB's PostgreSQL handler"
  apt_install postgresql || return 1
  pg_bindir >/dev/null
}

# Starts the private PostgreSQL cluster (initialised on first use). Durability is off on purpose: the data
# is disposable test data, and fsync would only slow every write down. FerretDB's queries are small and
# many: JIT compilation only adds start-up cost to them, and on local disks an index read costs about what a
# sequential one does (random_page_cost), so the planner uses the indexes FerretDB creates.
start_postgres() {
  local bin user
  bin="$(pg_bindir)" || die "PostgreSQL server binaries not found: install postgresql (Debian: sudo apt-get install postgresql)"
  user="$(pg_user)" || die "no user can run PostgreSQL here: as root, the 'postgres' user must exist and reach $DATA_DIR"
  if pid_of postgres >/dev/null; then return 0; fi
  mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
  if is_root; then chown "$user" "$PG_DIR" "$PG_SOCKET_DIR"; fi
  chmod 700 "$PG_DIR"
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$PG_DIR" -U postgres -A trust -E UTF8 --locale=C --no-sync >>"$PG_LOG" 2>&1 ||
      { tail -n 20 "$PG_LOG" >&2; die "initdb failed (log: .data/logs/postgres.log)"; }
  fi
  rm -f "$PG_DIR/postmaster.pid" # left by a killed server; this clone's pid file says none runs
  local run_as=()
  is_root && run_as=("${AS_POSTGRES[@]}")
  spawn postgres "$PG_DIR" "$PG_LOG" "${run_as[@]}" "$bin/postgres" -D "$PG_DIR" \
    -c listen_addresses= -c unix_socket_directories="$PG_SOCKET_DIR" -c max_connections=200 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c log_min_messages=warning \
    -c jit=off -c random_page_cost=1.1
  local deadline=$((SECONDS + 60)) pid
  pid="$(head -n 1 "$RUN_DIR/postgres.pid")"
  until as_pg "$bin/pg_isready" -q -h "$PG_SOCKET_DIR" -U postgres 2>/dev/null; do
    running "$pid" || { tail -n 20 "$PG_LOG" >&2; die "postgres exited during start-up (log: .data/logs/postgres.log)"; }
    [ "$SECONDS" -ge "$deadline" ] && { tail -n 20 "$PG_LOG" >&2; die "postgres did not answer within 60s"; }
    sleep 0.3
  done
}

# Fast shutdown (SIGINT: clients are disconnected; SIGTERM would wait for them to leave).
stop_postgres() {
  if ! pid_of postgres >/dev/null; then
    rm -f "$RUN_DIR/postgres.pid"
    return 0
  fi
  stop_pid postgres "" 20 INT
}

engine() {
  if [ -n "${MONGO_URL:-}" ]; then
    echo external
  elif command -v mongod >/dev/null 2>&1; then
    echo mongod
  else
    echo ferretdb
  fi
}

url() { printf '%s\n' "${MONGO_URL:-$DEFAULT_MONGO_URL}"; }
# For messages: never print the credentials of a connection string.
shown_url() { url | sed -E 's#//[^@/]*@#//***@#'; }

build_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  cache_lock ferretdb
  [ -x "$FERRETDB_BIN" ] && return 0 # another clone built it meanwhile
  need_tool go "Go 1.24 or newer (FerretDB is built from its Go module source)"
  say "building FerretDB $FERRETDB_VERSION from its Go module source (first run only, a few minutes)"
  local build_log="$LOG_DIR/ferretdb-build.log" src="$FERRETDB_DIR/src-$FERRETDB_VERSION" module_dir
  : >"$build_log"
  mkdir -p "$FERRETDB_DIR"
  module_dir="$(cd /tmp && go_env go mod download -json "$FERRETDB_MODULE" 2>>"$build_log" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || true
  if [ -z "$module_dir" ] || [ ! -d "$module_dir" ]; then
    tail -n 20 "$build_log" >&2
    die "go mod download $FERRETDB_MODULE failed (log: .data/logs/ferretdb-build.log)"
  fi
  # The module cache is read-only: build in a writable copy.
  rm -rf "$src" && cp -r "$module_dir" "$src" && chmod -R u+w "$src"
  # FerretDB 1.24 does not apply single-document writes atomically and answers every equality filter,
  # `_id` included, with a sequential scan; dev/ferretdb/ fixes both (see the files there).
  node "$FERRETDB_PATCH_DIR/apply.cjs" "$src" >>"$build_log" 2>&1 ||
    { tail -n 5 "$build_log" >&2; die "could not apply dev/ferretdb to FerretDB's source (log: .data/logs/ferretdb-build.log)"; }
  # FerretDB embeds build/version/*.txt; without version.txt the binary panics at start.
  printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  printf 'ticketing-dev\n' >"$src/build/version/package.txt"
  if ! (cd "$src" && go_env GOTOOLCHAIN=local go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >>"$build_log" 2>&1; then
    say "the machine's Go ($(go env GOVERSION)) could not build it; retrying with $FERRETDB_FALLBACK_TOOLCHAIN"
    (cd "$src" && go_env GOTOOLCHAIN="$FERRETDB_FALLBACK_TOOLCHAIN" go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >>"$build_log" 2>&1 ||
      { tail -n 20 "$build_log" >&2; die "go build of FerretDB failed (log: .data/logs/ferretdb-build.log)"; }
  fi
  "$FERRETDB_BIN.tmp" --version >>"$build_log" 2>&1 || die "the FerretDB build does not run (log: .data/logs/ferretdb-build.log)"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
}

install() {
  case "$(engine)" in
    ferretdb)
      if [ "${FERRETDB_HANDLER:-}" != sqlite ]; then
        install_postgres || say "postgresql is not available: FerretDB will use its slower SQLite handler (as root this script installs it; else: sudo apt-get install postgresql)"
      fi
      build_ferretdb
      ;;
    *) return 0 ;;
  esac
}

probe() { MONGO_URL="$(url)" node_tool probe.cjs mongo; }

start() {
  local kind
  kind="$(engine)"
  if [ "$kind" = external ]; then
    wait_external
    return 0
  fi
  if pid_of mongo >/dev/null; then
    wait_ready mongo 30 "$LOG" "$MONGO_PORT" probe
    say "already running on $(shown_url)"
    return 0
  fi
  if port_open "$MONGO_PORT"; then
    probe >/dev/null 2>&1 || die "port $MONGO_PORT is taken by a process that does not answer the MongoDB protocol"
    say "a server not started by this clone already answers on $(shown_url); using it"
    return 0
  fi
  install
  if [ "$kind" = mongod ]; then
    mkdir -p "$DATA_DIR/mongod"
    spawn mongo mongod "$LOG" mongod --bind_ip 127.0.0.1 --port "$MONGO_PORT" --dbpath "$DATA_DIR/mongod" --quiet
  else
    mkdir -p "$DATA_DIR/ferretdb/data" "$DATA_DIR/ferretdb/state"
    local backend backend_args
    backend="$(handler)"
    if [ "$backend" = pg ]; then
      start_postgres
      backend_args=(--handler=pg --postgresql-url="postgres://postgres@/postgres?host=$PG_SOCKET_DIR")
    else
      backend_args=(--handler=sqlite --sqlite-url="file:$DATA_DIR/ferretdb/data/")
    fi
    spawn mongo "ferretdb-$FERRETDB_VERSION" "$LOG" "$FERRETDB_BIN" "${backend_args[@]}" \
      --state-dir="$DATA_DIR/ferretdb/state" \
      --listen-addr="127.0.0.1:$MONGO_PORT" --debug-addr=- --telemetry=disable --log-level=error
    kind="ferretdb on $backend"
  fi
  wait_ready mongo 60 "$LOG" "$MONGO_PORT" probe
  say "$kind ready on $(shown_url) (pid $(pid_of mongo))"
}

wait_external() {
  local deadline=$((SECONDS + 15))
  until probe >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && die "MONGO_URL is set but $(shown_url) does not answer a ping"
    sleep 0.5
  done
  say "using MONGO_URL $(shown_url) (not started here)"
}

stop() {
  if [ "$(engine)" = external ] && ! pid_of mongo >/dev/null; then
    say "MONGO_URL is set: nothing to stop"
    return 0
  fi
  stop_pid mongo "$MONGO_PORT" 20
  stop_postgres
}

status() {
  local pid kind
  pid="$(pid_of mongo || true)"
  kind="$(engine)"
  [ -n "$pid" ] && kind="$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q ferretdb && echo ferretdb || echo mongod)"
  local port="$MONGO_PORT"
  [ "$kind" = external ] && port="" # MONGO_URL may point anywhere
  if answers "$port" probe; then
    say "up     $(shown_url) $([ -n "$pid" ] && echo "($kind, pid $pid)" || echo "(not started by this clone)")"
  else
    say "DOWN   $(shown_url)${pid:+ (pid $pid runs but does not answer)}"
    return 1
  fi
}

case "${1:-}" in
  install | start | stop | status) "$1" ;;
  *) die "usage: dev/mongo.sh install|start|stop|status" ;;
esac
