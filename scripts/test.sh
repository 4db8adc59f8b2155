#!/usr/bin/env bash
# `make test` (and CI through .ci/run): everything from a fresh machine to one closing line.
#   install npm packages -> fetch/build the stack's servers -> start what is not running -> check it
#   -> build every workspace -> Kubernetes validation tools -> Vitest over everything (k8s/test included)
#   -> browser tests of the web app (Playwright + Debian's Chromium, installed when missing)
#   -> the fault suite on a private stack (tests/faults) -> typecheck and lint
#   -> stop the servers this run started (always) -> print `tests: N passed, N failed`.
# Exits non-zero when any step fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT="$PWD"
# Node 24 for every step, also when this script is run on its own (scripts/node-env.sh).
NODE_BIN="$(scripts/node-env.sh)" || { echo "make test: no Node 24 (scripts/node-env.sh failed)"; exit 1; }
export PATH="$NODE_BIN:$PATH"
echo "node $(node -v) ($(command -v node))"

RESULTS=".data/test-results"
STARTED_FILE="$RESULTS/started-servers"
VITEST_JSON="$RESULTS/vitest.json"
FAULTS_JSON="$RESULTS/vitest-faults.json"
JUNIT_XML="$RESULTS/junit.xml"
FAULTS_JUNIT_XML="$RESULTS/junit-faults.xml"
PLAYWRIGHT_JSON="$RESULTS/playwright.json"
mkdir -p "$RESULTS"
rm -f "$VITEST_JSON" "$FAULTS_JSON" "$JUNIT_XML" "$FAULTS_JUNIT_XML" "$PLAYWRIGHT_JSON" "$STARTED_FILE"
web_e2e_broken=0

failed_steps=()
begin=$SECONDS
finished=0

step() {
  local name="$1" t=$SECONDS
  shift
  echo "==> $name"
  if "$@"; then
    echo "<== $name: ok ($((SECONDS - t))s)"
  else
    echo "<== $name: FAILED ($((SECONDS - t))s)"
    failed_steps+=("$name")
    return 1
  fi
}

stop_started_servers() {
  if [ -s "$STARTED_FILE" ]; then
    # shellcheck disable=SC2046 # one word per server name
    step "stop the servers this run started ($(tr '\n' ' ' <"$STARTED_FILE" | sed 's/ $//'))" \
      "$ROOT/dev/stack.sh" down $(cat "$STARTED_FILE") || true
    rm -f "$STARTED_FILE"
  fi
}

# Counts from Vitest's JSON reports (the main pass and the fault suite's). A test file that failed before
# running any test (an import error, a failing hook) counts as one failure, so a broken file never
# disappears from the total.
count_vitest() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs");
    let passed = 0, failed = 0;
    for (const file of process.argv.slice(1)) {
      if (!fs.existsSync(file)) continue;
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      const broken = (r.testResults || []).filter(
        (f) => f.status === "failed" && !(f.assertionResults || []).some((a) => a.status === "failed"),
      ).length;
      passed += r.numPassedTests || 0;
      failed += (r.numFailedTests || 0) + broken;
    }
    console.log(`${passed} ${failed}`);
  ' "$VITEST_JSON" "$FAULTS_JSON" 2>/dev/null || echo "0 0"
}

# Counts from Playwright's JSON report (the web app's browser tests): passed = expected + flaky, failed =
# unexpected. A browser step that failed without a report (no Chromium, services down) counts as one failure.
count_playwright() {
  if [ ! -f "$PLAYWRIGHT_JSON" ]; then
    echo "0 $web_e2e_broken"
    return
  fi
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats || {};
    console.log(`${(s.expected || 0) + (s.flaky || 0)} ${s.unexpected || 0}`);
  ' "$PLAYWRIGHT_JSON" 2>/dev/null || echo "0 1"
}

# The name of every failed test (Vitest and Playwright), so the last lines of a CI log say what broke.
list_failed_tests() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs");
    const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
    const out = [];
    // The first <failure message> of each file in the JUnit reports: for a file whose hook failed.
    const hookErrors = new Map();
    const unescape = (t) => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#39;|&apos;/g, "\x27").replace(/&amp;/g, "&");
    for (const xml of [process.argv[4], process.argv[5]]) {
      let text = "";
      try { text = fs.readFileSync(xml, "utf8"); } catch { continue; }
      for (const m of text.matchAll(/<testcase classname="([^"]*)"[^>]*>\s*<failure message="([^"]*)"/g)) {
        if (!hookErrors.has(unescape(m[1]))) hookErrors.set(unescape(m[1]), unescape(m[2]));
      }
    }
    const v = read(process.argv[1]);
    const faults = read(process.argv[3]);
    for (const f of [...((v && v.testResults) || []), ...((faults && faults.testResults) || [])]) {
      const file = require("path").relative(process.cwd(), f.name);
      const bad = (f.assertionResults || []).filter((a) => a.status === "failed");
      if (f.status === "failed" && bad.length === 0) {
        const why = f.message || hookErrors.get(file) || "failed to run (no error in the reports)";
        // A few lines: a service that died at start names its reason after the first.
        out.push(`${file}: ${why.split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 8).join(" | ").slice(0, 1200)}`);
      }
      for (const a of bad) out.push(`${file} > ${a.fullName}: ${String((a.failureMessages || [""])[0]).split("\n")[0].slice(0, 300)}`);
    }
    const walk = (suite, trail) => {
      for (const s of suite.suites || []) walk(s, [...trail, s.title]);
      for (const sp of suite.specs || []) if (!sp.ok) out.push(`${[...trail, sp.title].filter(Boolean).join(" > ")}`);
    };
    const p = read(process.argv[2]);
    if (p) walk(p, []);
    for (const line of out) console.log(`failed test: ${line}`);
  ' "$VITEST_JSON" "$PLAYWRIGHT_JSON" "$FAULTS_JSON" "$JUNIT_XML" "$FAULTS_JUNIT_XML" 2>/dev/null || true
}

count_tests() {
  local v p
  v="$(count_vitest)"
  p="$(count_playwright)"
  echo "$((${v% *} + ${p% *})) $((${v#* } + ${p#* }))"
}

finish() {
  [ "$finished" = 1 ] && return
  finished=1
  trap - INT TERM
  stop_started_servers
  local counts passed failed
  counts="$(count_tests)"
  passed="${counts% *}"
  failed="${counts#* }"
  echo
  echo "make test: $((SECONDS - begin))s in all"
  if [ ${#failed_steps[@]} -gt 0 ]; then
    printf 'failed step: %s\n' "${failed_steps[@]}"
  fi
  list_failed_tests
  echo "tests: $passed passed, $failed failed"
  if [ ${#failed_steps[@]} -gt 0 ] || [ "$failed" != 0 ]; then
    exit 1
  fi
  exit 0
}
trap 'echo "interrupted"; failed_steps+=("interrupted"); finish' INT TERM

# JUnit too: it is the only report that keeps the error of a failed beforeAll/afterAll hook, which the
# summary below quotes (the JSON report marks such a file failed with no message).
vitest_args=(run --reporter=default --reporter=json "--outputFile.json=$VITEST_JSON"
  --reporter=junit "--outputFile.junit=$JUNIT_XML")

step "install npm packages" scripts/install.sh || finish
step "install the stack's servers (Kafka jars, FerretDB, redis-server)" dev/stack.sh install || finish
step "start the stack" dev/stack.sh up --record "$STARTED_FILE" || finish
step "check the stack" dev/stack.sh status || finish
# A failed build fails the run, but the tests still run: their report says more than the build error alone.
step "build every workspace" npm run build
# The Kubernetes checks are Vitest specs (k8s/test) that run in the same Vitest pass as everything else;
# they need helm, kubeconform and actionlint, built once from the Go module proxy into the cache.
step "install the Kubernetes validation tools (helm, kubeconform, actionlint)" k8s/tools/install.sh
step "vitest" npx vitest "${vitest_args[@]}"
# The web app in a real browser, against the same stack: starts the built services (and stops them after)
# unless a `make dev` is running.
step "browser tests (web, Playwright + Chromium)" services/web/e2e/run.sh || web_e2e_broken=1
# The fault suite (tests/faults): kills and restarts servers and services during a flash sale on a private
# stack of its own (never the shared one), then checks every client operation against the databases.
step "fault suite (private stack: Kafka, MongoDB, Redis, consumer crashes, SIGTERM)" \
  npx vitest run --config tests/faults/vitest.config.ts --reporter=default --reporter=json \
  "--outputFile.json=$FAULTS_JSON" --reporter=junit "--outputFile.junit=$FAULTS_JUNIT_XML"
# Static checks last: a type error in a test file or a lint/format slip fails the run, after the tests
# have reported.
step "typecheck (every workspace, tests/, k8s/)" npm run --silent typecheck
step "lint (ESLint, Prettier)" npm run --silent lint
finish
