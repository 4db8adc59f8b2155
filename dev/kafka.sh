#!/usr/bin/env bash
# Apache Kafka for the local stack: one KRaft broker+controller on 127.0.0.1:19092 (controller 19093).
# The jars come from Maven Central through dev/kafka/pom.xml and are cached per pom content.
#   dev/kafka.sh install | start | stop | status | topics
set -euo pipefail
COMPONENT=kafka
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

POM="$DEV_DIR/kafka/pom.xml"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
POM_HASH="$(sha256sum "$POM" | cut -c1-12)"
LIBS="$CACHE_DIR/kafka/kafka-$KAFKA_VERSION-$POM_HASH/libs"
KAFKA_DATA="$DATA_DIR/kafka"
CONFIG="$KAFKA_DATA/server.properties"
LOG="$LOG_DIR/kafka.log"
MARKER="kafka.Kafka"
JAVA_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$DEV_DIR/kafka/log4j2.properties")

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    apt_install openjdk-17-jre-headless || die "'java' not found on PATH: install Java 17 (Debian: openjdk-17-jre-headless)"
  fi
}

install() {
  [ -f "$LIBS/.complete" ] && return 0
  cache_lock kafka
  [ -f "$LIBS/.complete" ] && return 0 # another clone fetched them meanwhile
  ensure_java
  if ! command -v mvn >/dev/null 2>&1; then
    apt_install maven || die "'mvn' not found on PATH: install Apache Maven (Debian: maven)"
  fi
  say "fetching Kafka $KAFKA_VERSION jars with Maven (first run only)"
  rm -rf "$LIBS.tmp"
  mvn -B -q -f "$POM" -Dmaven.repo.local="$CACHE_DIR/maven-repo" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$LOG_DIR/kafka-install.log" 2>&1 ||
    { tail -n 20 "$LOG_DIR/kafka-install.log" >&2; die "mvn dependency:copy-dependencies failed (log: .data/logs/kafka-install.log)"; }
  rm -rf "$LIBS" && mv "$LIBS.tmp" "$LIBS" && touch "$LIBS/.complete"
}

# Class data sharing: the first run writes an archive of the classes it loaded when it exits; later runs
# map it and start several seconds faster on a busy machine. The archive is named after the JDK build,
# since a JVM ignores an archive written by another one.
cds_opts() {
  local jsa
  jsa="$(dirname "$LIBS")/kafka-$(java -version 2>&1 | head -1 | tr -cd '[:alnum:]._-' | cut -c1-60).jsa"
  if [ -f "$jsa" ]; then
    CDS_OPTS=("-XX:SharedArchiveFile=$jsa")
  else
    CDS_OPTS=("-XX:ArchiveClassesAtExit=$jsa" "-Xlog:cds*=off")
  fi
}

probe() { node_tool probe.cjs kafka; }

start() {
  if pid_of kafka >/dev/null; then
    probe >/dev/null 2>&1 || wait_ready kafka 90 "$LOG" "$KAFKA_PORT" probe
    say "already running on $KAFKA_BROKERS"
    return 0
  fi
  if port_open "$KAFKA_PORT" || port_open "$KAFKA_CONTROLLER_PORT"; then
    probe >/dev/null 2>&1 || die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT is taken by a process that is not Kafka"
    say "a Kafka not started by this clone already answers on $KAFKA_BROKERS; using it"
    return 0
  fi
  install
  ensure_java
  mkdir -p "$KAFKA_DATA/log"
  sed -e "s#@LOG_DIR@#$KAFKA_DATA/log#" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" \
    -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" "$DEV_DIR/kafka/server.properties" >"$CONFIG"
  if [ ! -f "$KAFKA_DATA/log/meta.properties" ]; then
    # A cluster id is 16 random bytes in URL-safe base64 without padding; like Kafka's own ids, never
    # one that starts with '-' (it would read as a command-line option).
    local cluster_id="-"
    while [ "${cluster_id:0:1}" = - ]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    java -Xmx256m -cp "$LIBS/*" "-Dlog4j2.configurationFile=$DEV_DIR/kafka/log4j2.properties" \
      kafka.tools.StorageTool format "--cluster-id=$cluster_id" --config "$CONFIG" >>"$LOG" 2>&1 ||
      { tail -n 20 "$LOG" >&2; die "kafka-storage format failed (log: .data/logs/kafka.log)"; }
  fi
  say "starting Kafka $KAFKA_VERSION"
  cds_opts
  spawn kafka "$MARKER" "$LOG" java "${JAVA_OPTS[@]}" "${CDS_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$CONFIG"
  wait_ready kafka 120 "$LOG" "$KAFKA_PORT" probe
  say "ready on $KAFKA_BROKERS (pid $(pid_of kafka))"
}

topics() { node_tool topics.cjs; }

stop() { stop_pid kafka "$KAFKA_PORT" 60; }

status() {
  local pid
  pid="$(pid_of kafka || true)"
  if answers "$KAFKA_PORT" probe; then
    say "up     $KAFKA_BROKERS $([ -n "$pid" ] && echo "(pid $pid)" || echo "(not started by this clone)")"
  else
    say "DOWN   $KAFKA_BROKERS${pid:+ (pid $pid runs but does not answer)}"
    return 1
  fi
}

case "${1:-}" in
  install | start | stop | status | topics) "$1" ;;
  *) die "usage: dev/kafka.sh install|start|stop|status|topics" ;;
esac
