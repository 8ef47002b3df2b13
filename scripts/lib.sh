# Shared by start.sh and test.sh. Sourced, not run.

# With STEP_CLOCK set (test.sh), each step says when it began, in seconds since the script
# started: CI's log then shows where a run's time goes, phase by phase.
step() { printf '\n\033[1m▶ %s\033[0m%s\n' "$*" "${STEP_CLOCK:+ (at ${SECONDS} s)}"; }

# npm install (not npm ci: the registry lacks other platforms' optional binaries,
# so the lockfile cannot list them; see shared/STACK-NOTES.md). It is quick when
# node_modules already matches package-lock.json, so run it only when it may not.
ensure_node_modules() {
  node_modules_ready && return
  step "Installing node modules (npm install; better-sqlite3 compiles from source the first time, about 2 minutes)…"
  JOBS=max npm install --no-audit --no-fund
  # A test run stopped between its install and its compile (test.sh) leaves packages npm
  # counts as installed, so npm install runs none of their build scripts: run them.
  [[ -f $BETTER_SQLITE3_ADDON ]] || JOBS=max npm rebuild
  touch node_modules/.package-lock.json
}

BETTER_SQLITE3_ADDON=node_modules/better-sqlite3/build/Release/better_sqlite3.node

# True when node_modules matches package-lock.json and better-sqlite3's addon is built
# (its .node file, which the compile writes last: a cut-short compile leaves a build/ without it).
node_modules_ready() {
  [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json \
     && node_modules/.package-lock.json -nt package.json && -f $BETTER_SQLITE3_ADDON ]]
}

# npm install without the packages' build scripts, for a caller that runs them later with
# rebuild_node_modules (test.sh: beside next build, which needs no native addon).
install_node_modules_without_scripts() {
  step "Installing node modules (npm install --ignore-scripts; better-sqlite3 compiles later, beside the dashboard build)…"
  npm install --no-audit --no-fund --ignore-scripts
}

# The build scripts install_node_modules_without_scripts skipped: better-sqlite3's compile
# (prebuild-install cannot download here, so node-gyp) and esbuild's check of its binary.
rebuild_node_modules() {
  JOBS=max npm rebuild
  touch node_modules/.package-lock.json
}

# True when .next is missing or older than any source the build reads.
needs_build() {
  [[ -f .next/BUILD_ID ]] || return 0
  local newer
  newer=$(find app components lib public next.config.mjs postcss.config.mjs package.json tsconfig.json \
    -newer .next/BUILD_ID -type f -print -quit 2>/dev/null || true)
  [[ -n "$newer" ]]
}

# The hub runs from dist/hub.mjs, bundled from broker/ and lib/ in well under a second
# (scripts/build-hub.ts says why), so it is rebuilt every time rather than checked.
build_hub() {
  step "Bundling the hub (esbuild)…"
  node --import tsx scripts/build-hub.ts
}

# apt-get install the Debian packages whose commands (or, given a path, files) are missing.
ensure_apt() {
  local missing=()
  while (($#)); do
    local cmd=$1 pkg=$2
    shift 2
    if [[ $cmd == /* ]]; then
      [[ -e $cmd ]] || missing+=("$pkg")
    else
      command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    fi
  done
  ((${#missing[@]})) || return 0
  step "Installing ${missing[*]} (apt-get)…"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
