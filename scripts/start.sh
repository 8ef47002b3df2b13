#!/usr/bin/env bash
# npm start: install what is missing, build the dashboard when the sources changed,
# then run the hub (broker + dashboard + demo home) in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1 # the hub has no business phoning home

ensure_node_modules

if needs_build; then
  step "Building the dashboard (next build)…"
  npx next build
fi

build_hub

step "Starting Hearth…"
exec node dist/hub.mjs
