#!/usr/bin/env bash
# scripts/setup.sh — installs what the build, the demo and the tests need, sourced by build.sh.
#   ./build.sh setup [--browser]   what `demo` and `test` run first themselves
#
# Every step is idempotent and quick when already done, so `./build.sh demo` and `./build.sh
# test` call it on every run and a fresh clone needs nothing run by hand. .ci/run only calls
# `./build.sh test`: there is no second list of steps to keep in step.

# setup_npm installs the npm packages from package-lock.json when node_modules is missing or
# was installed from another lock file (a stamp holds the lock file's hash).
setup_npm() {
  command -v npm >/dev/null || { echo "setup: npm not found: install Node.js 20 with npm (apt-get install -y nodejs npm)" >&2; return 1; }
  local want have stamp=node_modules/.globus-edge-lock.sha256
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  [ -d node_modules ] && [ "$want" = "$have" ] && return 0
  echo "setup: npm ci (node_modules is missing or older than package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
}

# setup_go fetches the modules go.sum lists (a no-op when the module cache has them).
setup_go() {
  go mod download
}

# setup_browser installs Debian's Chromium when it is absent: as root with apt-get, otherwise
# it says in one line what to install.
setup_browser() {
  [ -n "${CHROMIUM:-}" ] && return 0
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup: Chromium is needed for the browser tests: run 'sudo apt-get install -y --no-install-recommends chromium' (or set CHROMIUM to a Chromium binary)" >&2
    return 1
  fi
  echo "setup: apt-get install chromium (for the browser tests)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

# cmd_setup runs the steps; --browser adds Chromium (the tests need it, the demo does not).
cmd_setup() {
  setup_go
  setup_npm
  if [ "${1:-}" = "--browser" ]; then setup_browser; fi
}
