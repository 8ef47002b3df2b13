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
ensure_node_modules

# next build type-checks everything tsconfig.json includes (tests and e2e too, and the
# route types it generates), so a run that builds does not type-check twice (~1 min on two cores).
if needs_build; then
  step "Building the dashboard (next build, type-checking as it goes)…"
  npx next build
else
  step "Type-checking (tsc)…"
  npx tsc --noEmit
fi

step "Unit tests (node --test)…"
# npm run test:unit: one PostgreSQL for every suite of the run (initdb costs seconds, a
# schema per test nothing), and the test files listed by find: Node 20's --test does not
# expand globs itself. Two files at a time: Node 20 runs one at a time on two cores (cores
# minus one), and most of a file's time is its start (tsx) and waits on sockets and timers.
npm run --silent test:unit

build_hub

step "Browser tests (playwright, /usr/bin/chromium)…"
npx playwright test
