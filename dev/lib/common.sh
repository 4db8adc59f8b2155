# shellcheck shell=bash disable=SC2034 # settings used by the scripts that source this file
# Shared settings and helpers for the local stack scripts. Source it; do not run it.
#
# Layout:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/ticketing-dev   downloads and builds, shared by every clone
#   <repo>/.data/                                    data, logs and pid files of this clone (git-ignored)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEV_DIR="$REPO_ROOT/dev"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ticketing-dev"
DATA_DIR="${DEV_DATA_DIR:-$REPO_ROOT/.data}" # DEV_DATA_DIR: a second stack (e.g. the fault suite's) keeps its data apart
LOG_DIR="$DATA_DIR/logs"
RUN_DIR="$DATA_DIR/run"

# Addresses: the same table as packages/platform/README.md. The DEV_*_PORT variables exist only to try
# these scripts on a second clone without touching the stack everyone uses.
KAFKA_PORT="${DEV_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${DEV_KAFKA_CONTROLLER_PORT:-19093}"
MONGO_PORT="${DEV_MONGO_PORT:-27018}"
REDIS_PORT="${DEV_REDIS_PORT:-6390}"
KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
DEFAULT_MONGO_URL="mongodb://127.0.0.1:$MONGO_PORT"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

FERRETDB_VERSION="v1.24.2"
# Used only when the machine's Go cannot build FerretDB: the toolchain its go.mod names,
# fetched through the Go module proxy by GOTOOLCHAIN.
FERRETDB_FALLBACK_TOOLCHAIN="go1.24.3"

mkdir -p "$LOG_DIR" "$RUN_DIR"

say() { printf '%-6s %s\n' "${COMPONENT:-stack}" "$*"; }
die() {
  printf '%-6s error: %s\n' "${COMPONENT:-stack}" "$*" >&2
  exit 1
}

# need_tool <command> <what to install>: one line naming the missing tool, then stop.
need_tool() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: install $2"
}

is_root() { [ "$(id -u)" = 0 ]; }

# apt_install <package>...: installs Debian packages when running as root, never starting their services.
apt_install() {
  is_root || return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Keep the package's own init script from starting a system-wide server on its default port.
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"
  fi
  local rc=0
  if [ ! -e "$RUN_DIR/apt-updated" ]; then
    apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 && touch "$RUN_DIR/apt-updated" || rc=$?
  fi
  if [ "$rc" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$LOG_DIR/apt.log" 2>&1 || rc=$?
  fi
  [ -n "$guard" ] && rm -f "$guard"
  return "$rc"
}

# cache_lock <name>: holds a lock in the cache folder until the calling script exits, so two clones
# never fill the same cache entry at once.
cache_lock() {
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/.$1.lock"
  flock 8
}

# port_open <port>: something accepts TCP connections on 127.0.0.1:<port>.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# running <pid>: the process exists and is not a zombie.
running() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ "$state" != Z ]
}

# alive <pid> <marker>: the process runs and its command line contains <marker>, so a recycled pid
# never gets mistaken for one of our servers.
alive() {
  running "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# pid_of <name>: the pid recorded for a server this clone started, when that process still runs.
# The pid file holds the pid and, on its second line, a marker of the command line.
pid_of() {
  local file="$RUN_DIR/$1.pid" pid marker
  [ -f "$file" ] || return 1
  { read -r pid && read -r marker; } <"$file" || true
  [ -n "$pid" ] && alive "$pid" "${marker:-}" || return 1
  printf '%s\n' "$pid"
}

# spawn <name> <marker> <log file> <command...>: starts a server in its own session (so Ctrl-C in
# the caller's terminal or the end of `make` does not reach it) and records its pid.
spawn() {
  local name="$1" marker="$2" log="$3"
  shift 3
  printf '\n==== %s start %s ====\n' "$name" "$(date -u +%FT%TZ)" >>"$log"
  # 8 and 9 are the cache and stack locks: a server must not hold them for its whole life.
  setsid "$@" </dev/null >>"$log" 2>&1 8>&- 9>&- &
  printf '%s\n%s\n' "$!" "$marker" >"$RUN_DIR/$name.pid"
}

# wait_ready <name> <timeout seconds> <log file> <port> <probe command...>: polls until the port accepts
# connections (cheap) and then the probe succeeds; fails early, with the end of the log, when the
# process dies.
wait_ready() {
  local name="$1" timeout="$2" log="$3" port="$4"
  shift 4
  local deadline=$((SECONDS + timeout))
  local pid
  pid="$(head -n 1 "$RUN_DIR/$name.pid")"
  until port_open "$port" && "$@" >/dev/null 2>&1; do
    # By pid alone: for a moment after the spawn the command line is still that of the shell or setsid.
    if ! running "$pid"; then
      tail -n 20 "$log" >&2 || true
      die "$name exited during start-up (log: ${log#"$REPO_ROOT"/})"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$log" >&2 || true
      die "$name did not answer within ${timeout}s (log: ${log#"$REPO_ROOT"/})"
    fi
    sleep 0.3
  done
}

# stop_pid <name> <port> [grace seconds] [signal]: the signal (default TERM), wait, SIGKILL after the grace
# period; then checks that the process is gone and the port (when given) is closed.
stop_pid() {
  local name="$1" port="$2" grace="${3:-30}" signal="${4:-TERM}" pid
  if pid="$(pid_of "$name")"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while pid_of "$name" >/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        say "no exit after ${grace}s, sending SIGKILL to $pid"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
    pid_of "$name" >/dev/null && die "$name (pid $pid) is still running"
    say "stopped (pid $pid)"
  else
    say "not running"
  fi
  rm -f "$RUN_DIR/$name.pid"
  [ -n "$port" ] || return 0
  local deadline=$((SECONDS + 5))
  while port_open "$port"; do
    [ "$SECONDS" -ge "$deadline" ] && die "port $port is still open: a process this script did not start listens there"
    sleep 0.2
  done
}

# answers <port|""> <probe command...>: the probe succeeds within three tries a second apart (on a busy
# machine one probe can miss its timeout; status must not call a live server down for that). A closed
# port fails at once.
answers() {
  local port="$1" i
  shift
  for i in 1 2 3; do
    [ -z "$port" ] || port_open "$port" || return 1
    "$@" >/dev/null 2>&1 && return 0
    [ "$i" = 3 ] || sleep 1
  done
  return 1
}

# node_tool <script> <args...>: the small Node helpers under dev/lib (they need the root node_modules).
node_tool() {
  [ -d "$REPO_ROOT/node_modules/kafkajs" ] || die "node_modules is missing: run 'make install' first"
  KAFKA_BROKERS="$KAFKA_BROKERS" REDIS_URL="$REDIS_URL" MONGO_URL="${MONGO_URL:-$DEFAULT_MONGO_URL}" \
    node "$DEV_DIR/lib/$1" "${@:2}"
}
