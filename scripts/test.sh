#!/usr/bin/env bash
# npm test: install what the tests need, then type-check, unit-test, build and
# run the browser tests against a real hub.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1 # the hub has no business phoning home

# openssl: the TLS test makes a certificate with `npm run hearth -- generate-cert`.
# iproute2: the access test connects from a second host, a network namespace (e2e/second-host.ts).
# postgresql-15: the history store's contract runs against a real PostgreSQL too (issue 14).
# nats-server: the external-broker tests run Hearth on a three-node NATS cluster (issue 14).
# mosquitto, python3-paho-mqtt: the conformance suite compares Hearth with Mosquitto 2, and
# connects the way Home Assistant does with paho-mqtt (e2e/conformance/).
# fonts-noto-cjk: Chromium draws Korean pages (and their screenshots) with it; without it, boxes.
ensure_apt /usr/bin/chromium chromium mosquitto_pub mosquitto-clients openssl openssl ip iproute2 \
  /usr/sbin/mosquitto mosquitto /usr/lib/python3/dist-packages/paho/mqtt/client.py python3-paho-mqtt \
  /usr/lib/postgresql/15/bin/initdb postgresql-15 /usr/sbin/nats-server nats-server \
  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk

# On a fresh clone, npm install spends most of its ~2 minutes compiling better-sqlite3 on one
# core (sqlite3.c is one translation unit), which the unit tests and the hub need but next
# build does not (the addon loads on the first `new Database`, and the build opens none). So
# the packages' build scripts run in the background, beside next build.
compile_pid=""
compile_log=$(mktemp)
units_log=$(mktemp)
# In process groups of their own (setsid): npm does not pass a signal on to its script, and a
# failed step must stop what runs in the background with it (the unit tests' PostgreSQL too).
stop_background() {
  local pid
  for pid in ${compile_pid:-} ${units_pid:-}; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  rm -f "$compile_log" "$units_log"
}
trap stop_background EXIT
if ! node_modules_ready; then
  install_node_modules_without_scripts
  step "Compiling better-sqlite3 (npm rebuild), in the background while the dashboard builds…"
  setsid bash -c "source scripts/lib.sh && rebuild_node_modules" >"$compile_log" 2>&1 &
  compile_pid=$!
fi

# next build type-checks everything tsconfig.json includes (tests and e2e too, and the
# route types it generates), so a run that builds does not type-check twice (~1 min on two cores).
if needs_build; then
  step "Building the dashboard (next build, type-checking as it goes)…"
  npx next build
else
  step "Type-checking (tsc)…"
  npx tsc --noEmit
fi

if [[ -n $compile_pid ]]; then
  compile_rc=0
  wait "$compile_pid" || compile_rc=$?
  compile_pid=""
  if ((compile_rc != 0)); then
    cat "$compile_log"
    exit "$compile_rc"
  fi
fi

# The unit tests need neither the dashboard build nor the hub bundle, and the browser tests
# do not need the unit tests, so both run at once: the browser tests spend much of their time
# waiting (a page loading, a device's timeout, a hub starting), about a core in all of the
# machine's two. The unit tests run at the lowest CPU priority (nice 19), so they take the
# time the browser tests leave idle and not the core a page is waiting for (a third browser
# worker, which competes as an equal, made the suite slower and flaky). Their report is
# printed after the browser tests', so the two outputs do not interleave.
# npm run test:unit: one PostgreSQL for every suite of the run (initdb costs seconds, a
# schema per test nothing), and the test files listed by find: Node 20's --test does not
# expand globs itself. Two files at a time: most of a file's time is its start (tsx) and
# waits on sockets and timers.
step "Unit tests (node --test), in the background at low priority beside the browser tests…"
setsid nice -n 19 bash -c "source scripts/lib.sh && npm run --silent test:unit" >"$units_log" 2>&1 &
units_pid=$!

# The hub bundle (dist/hub.mjs) is built by the browser tests' global setup (e2e/global-setup.ts).
step "Browser tests (playwright, /usr/bin/chromium)…"
e2e_rc=0
npx playwright test || e2e_rc=$?

step "Unit tests (node --test): their report…"
units_rc=0
wait "$units_pid" || units_rc=$?
units_pid=""
cat "$units_log"
((units_rc == 0)) || exit "$units_rc"
exit "$e2e_rc"
