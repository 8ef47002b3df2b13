#!/usr/bin/env bash
# npm test: install what the tests need, then type-check, unit-test, build and
# run the browser tests against a real hub.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1 # the hub has no business phoning home
STEP_CLOCK=1

# openssl: the TLS test makes a certificate with `npm run hearth -- generate-cert`.
# iproute2: the access test connects from a second host, a network namespace (e2e/second-host.ts).
# postgresql-15: the history store's contract runs against a real PostgreSQL too (issue 14).
# nats-server: the external-broker tests run Hearth on a three-node NATS cluster (issue 14).
# mosquitto, python3-paho-mqtt: the conformance suite compares Hearth with Mosquitto 2, and
# connects the way Home Assistant does with paho-mqtt (e2e/conformance/).
# fonts-noto-cjk: Chromium draws Korean pages (and their screenshots) with it; without it, boxes.
# chromium-headless-shell: the browser tests' Chromium (playwright.config.ts says why not the full one).
ensure_apt /usr/bin/chromium chromium /usr/bin/chromium-headless-shell chromium-headless-shell mosquitto_pub mosquitto-clients openssl openssl ip iproute2 \
  /usr/sbin/mosquitto mosquitto /usr/lib/python3/dist-packages/paho/mqtt/client.py python3-paho-mqtt \
  /usr/lib/postgresql/15/bin/initdb postgresql-15 /usr/sbin/nats-server nats-server \
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk

# On a fresh clone, npm install spends most of its ~2 minutes compiling better-sqlite3 on one
# core (sqlite3.c is one translation unit), which the unit tests and the hub need but next
# build does not (the addon loads on the first `new Database`, and the build opens none). So
# the packages' build scripts run in the background, beside next build, and the unit tests
# start once they are done.
units_first=""
if ! node_modules_ready; then
  install_node_modules_without_scripts
  units_first="rebuild_node_modules &&"
fi

# The unit tests need neither the dashboard build nor the hub bundle, so they run while
# next build does: the build spends much of its time on one core (TypeScript), and the
# unit tests much of theirs waiting on sockets and timers. Their report is printed when
# both are done, so the two outputs do not interleave.
step "Unit tests (node --test), in the background while the dashboard builds${units_first:+ (after better-sqlite3 compiles)}…"
# npm run test:unit: one PostgreSQL for every suite of the run (initdb costs seconds, a
# schema per test nothing), and the test files listed by find: Node 20's --test does not
# expand globs itself. Two files at a time: Node 20 runs one at a time on two cores (cores
# minus one), and most of a file's time is its start (tsx) and waits on sockets and timers.
units_log=$(mktemp)
# In a process group of their own (setsid): npm does not pass a signal on to its script.
setsid bash -c "source scripts/lib.sh && $units_first npm run --silent test:unit; rc=\$?; echo \"(the unit tests${units_first:+, after the better-sqlite3 compile,} took \$SECONDS s)\"; exit \$rc" >"$units_log" 2>&1 &
units_pid=$!
# A failed build ends the run: the unit tests (and their PostgreSQL) stop with it.
trap 'kill -TERM -- "-$units_pid" 2>/dev/null || true; rm -f "$units_log"' EXIT

# next build type-checks everything tsconfig.json includes (tests and e2e too, and the
# route types it generates), so a run that builds does not type-check twice (~1 min on two cores).
if needs_build; then
  step "Building the dashboard (next build, type-checking as it goes)…"
  # A tree with no .next (a fresh clone, as CI's) has no earlier build to reuse Turbopack's
  # cache, and writing it took 16-17 s beside the type check (next.config.mjs).
  build_cache=1
  [[ -d .next ]] || build_cache=0
  HEARTH_NEXT_BUILD_CACHE=$build_cache npx next build
else
  step "Type-checking (tsc)…"
  npx tsc --noEmit
fi

step "Unit tests (node --test): their report…"
units_rc=0
wait "$units_pid" || units_rc=$?
trap - EXIT
cat "$units_log"
rm -f "$units_log"
((units_rc == 0)) || exit "$units_rc"

# No build_hub here: playwright's global setup bundles the hub (e2e/global-setup.ts), every run.
step "Browser tests (playwright, /usr/bin/chromium-headless-shell)…"
npx playwright test
step "Done in ${SECONDS} s."
