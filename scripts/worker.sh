#!/usr/bin/env bash
# scripts/worker.sh — the Cloudflare Worker host, sourced by build.sh.
#   ./build.sh worker         build the worker into build/ (entry.mjs, lastresort.mjs, instance.js, pool.js, coordinator.js, wasm_exec.js, app.wasm)
#   ./build.sh worker -test   the test build into build-test/: another main (worker/testworker, with
#                             the test-only /__test/ routes) and another main module (worker/testentry.mjs)
# WORKER_OUT moves the output (the size budget's test builds into a temporary directory that way).

# cmd_worker builds the Go worker to WebAssembly and lays out its JS entry beside it. Files are
# replaced only when their content changed, each by a rename: a running `wrangler dev` hangs
# when build/ is wiped or a file is rewritten under it.
#
# The production build is always ./worker, which imports no test route: test routes are in a
# main of their own, so no tag or GOFLAGS can put them into build/.
cmd_worker() {
  local out="${WORKER_OUT:-build}" main=./worker raw gz f
  local -A files=([entry.mjs]=worker/entry.mjs)
  if [ "${1:-}" = "-test" ]; then
    out="${WORKER_OUT:-build-test}"
    main=./worker/testworker
    files=([entry.mjs]=worker/testentry.mjs [worker.mjs]=worker/entry.mjs)
  fi
  # Go's own loader, from the toolchain that builds the wasm (the two must match), as the JS
  # package uses (js/instance.js says why not syumai's copy).
  files[wasm_exec.js]="$(go env GOROOT)/lib/wasm/wasm_exec.js"
  # Generated from worker/service (go generate ./worker/service; a test keeps it current).
  files[lastresort.mjs]=worker/lastresort.mjs
  files[instance.js]=js/instance.js
  files[pool.js]=js/pool.js
  files[coordinator.js]=js/coordinator.js
  mkdir -p "$out"
  GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "$out/app.wasm.tmp" "$main"
  for f in "${!files[@]}"; do cp "${files[$f]}" "$out/$f.tmp"; done
  for f in app.wasm "${!files[@]}"; do
    if cmp -s "$out/$f.tmp" "$out/$f"; then rm -f "$out/$f.tmp"; else mv -f "$out/$f.tmp" "$out/$f"; fi
  done
  raw=$(wc -c < "$out/app.wasm")
  gz=$(gzip -9 -c "$out/app.wasm" | wc -c)
  awk -v f="$out/app.wasm" -v raw="$raw" -v gz="$gz" 'BEGIN { printf "built %s: %d bytes raw (%.2f MB), %d bytes gzip -9 (%.2f MB)\n", f, raw, raw / 1e6, gz, gz / 1e6 }'
}
