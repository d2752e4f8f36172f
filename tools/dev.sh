#!/usr/bin/env bash
# The project's entry point behind `npm start`, `npm test`, `npm run test:unit`, `npm stop`, `npm run build`,
# `npm run bench` and `npm run chaos`.
# Every command installs what is missing first (Node 24 and packages from npm, Kafka from Maven Central,
# PostgreSQL from Debian's packages), so a fresh clone needs nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[dev] %s\n' "$*" >&2; }

ensure_packages() {
  local stamp="node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -x node_modules/.bin/node ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  # Node 24 (the `node` package) goes first on PATH for everything started from here.
  export PATH="$ROOT/node_modules/.bin:$PATH"
  case "$(node --version)" in v24.*) ;; *) log "expected Node 24 from node_modules/.bin, got $(node --version)"; exit 1 ;; esac
}

build() {
  node tools/gen-contracts.mjs
  node tools/build.mjs
}

ensure_chromium() {
  # The console's browser tests (test/e2e/console.e2e.spec.ts) drive Debian's Chromium through playwright-core, which
  # downloads no browser. Installed once, only for a run that includes them.
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ]; then
    log "installing Chromium from Debian's packages (for the console's browser tests)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    log "Chromium is not installed and we are not root: install Debian's 'chromium' package (the console's browser tests are skipped)"
  fi
}

run_tests() {
  # `npm test` runs everything; `npm test -- <path fragment>...` runs only matching spec files.
  # With TEST_TIER=unit only the fast tier: every spec except *.integration.spec and *.e2e.spec, which are the ones
  # that need Kafka, PostgreSQL or another process (README "Tests").
  local files=() f
  if [ "${TEST_TIER:-}" = unit ]; then
    mapfile -t files < <(find dist -name '*.spec.js' -not -name '*.integration.spec.js' -not -name '*.e2e.spec.js' -not -path '*/node_modules/*' | sort)
  else
    mapfile -t files < <(find dist -name '*.spec.js' -not -path '*/node_modules/*' | sort)
  fi
  if [ "$#" -eq 0 ] && [ "${MLC_CHAOS_SPECS:-}" != 1 ]; then
    # The cluster specs (test/chaos/*.e2e.spec) start three brokers, their own PostgreSQL and replicas of the services.
    # The whole-suite run keeps the short chaos run (chaos.e2e: ~2 min unloaded) and leaves replay-cluster out (another
    # ~2 min: the suite stays under ~17 min on 2 cores); `npm test -- chaos` or MLC_CHAOS_SPECS=1 runs them all
    # (README "A Kafka cluster, and the chaos run").
    local kept=()
    for f in "${files[@]}"; do [[ "$f" == dist/test/chaos/*.e2e.spec.js && "$f" != */chaos.e2e.spec.js ]] || kept+=("$f"); done
    files=("${kept[@]}")
  fi
  if [ "$#" -gt 0 ]; then
    local keep=()
    for f in "${files[@]}"; do for pat in "$@"; do [[ "$f" == *"$pat"* ]] && { keep+=("$f"); break; }; done; done
    files=("${keep[@]}")
  fi
  [ "${#files[@]}" -gt 0 ] || { log "no test files matched"; exit 1; }
  log "running ${#files[@]} test files"
  set +e
  node --enable-source-maps --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout="${TEST_TIMEOUT_MS:-240000}" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./tools/test-summary.reporter.mjs --test-reporter-destination=stdout \
    "${files[@]}"
  local rc=$?
  set -e
  return $rc
}

cmd="${1:-}"; shift || true
case "$cmd" in
  build) ensure_packages; build ;;
  test)
    ensure_packages
    bash deploy/local/infra.sh up
    if [ "$#" -eq 0 ] || printf '%s\n' "$@" | grep -q -e console -e 'e2e'; then ensure_chromium; fi
    build
    export MLC_TEST=1
    node dist/tools/prune-test-kafka.js || true
    run_tests "$@" ;;
  unit)
    # The fast tier: no Kafka, no PostgreSQL, no child processes, so nothing to start first.
    started=$(date +%s%N)
    ensure_packages
    build
    export MLC_TEST=1 MLC_TEST_TIER=unit
    set +e
    TEST_TIER=unit run_tests "$@"
    rc=$?
    set -e
    log "unit tier: $(( ($(date +%s%N) - started) / 1000000 )) ms (build included)"
    exit $rc ;;
  up) ensure_packages; bash deploy/local/infra.sh up; build; node dist/tools/stack.js up "$@" ;;
  down) if [ -x node_modules/.bin/node ] && [ -f dist/tools/stack.js ]; then PATH="$ROOT/node_modules/.bin:$PATH" node dist/tools/stack.js down || true; fi
        bash deploy/local/infra.sh down ;;
  bench)
    ensure_packages; bash deploy/local/infra.sh up; build
    # Thousands of leftover test topics make every service's kafkajs metadata, idle heap and start larger.
    node dist/tools/prune-test-kafka.js || true
    node dist/tools/bench/run.js "$@" ;;
  # Its own three-broker cluster and PostgreSQL (tools/chaos): the shared ones are not needed, nor touched.
  chaos) ensure_packages; build; node dist/tools/chaos/main.js "$@" ;;
  *) echo "usage: tools/dev.sh build|test [filter...]|unit [filter...]|up|down|bench|chaos" >&2; exit 2 ;;
esac
