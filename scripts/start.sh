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
# The young generation and malloc arenas capped: HUB_NODE_ARGS and HUB_ENV in
# scripts/build-hub.ts say why (RSS with 1,000 devices 213 → 172 MB).
export MALLOC_ARENA_MAX=2
exec node --max-semi-space-size=2 dist/hub.mjs
