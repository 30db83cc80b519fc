#!/usr/bin/env bash
# scripts/worker.sh — the Cloudflare Worker host, sourced by build.sh.
#   ./build.sh worker         build the worker into build/ (entry.mjs, lastresort.mjs, pool.js, wasm_exec.js, app.wasm)
#   ./build.sh worker -test   the same with the test-only routes (build tag workertest) into build-test/
# WORKER_OUT moves the output (the size budget's test builds into a temporary directory that way).

# cmd_worker builds the Go worker to WebAssembly and lays out its JS entry beside it. Files are
# replaced only when their content changed, each by a rename: a running `wrangler dev` hangs
# when build/ is wiped or a file is rewritten under it.
cmd_worker() {
  local out="${WORKER_OUT:-build}" tags=() raw gz syumai
  if [ "${1:-}" = "-test" ]; then
    out="${WORKER_OUT:-build-test}"
    tags=(-tags workertest)
  fi
  mkdir -p "$out"
  GOOS=js GOARCH=wasm go build -trimpath "${tags[@]}" -ldflags="-s -w" -o "$out/app.wasm.tmp" ./worker
  # syumai's copy of Go's loader (it gives each instance its own globalThis.context); it comes
  # with the module version in go.mod, so it matches the Go side.
  syumai="$(go list -m -f '{{.Dir}}' github.com/syumai/workers)"
  cp "$syumai/cmd/workers-assets-gen/assets/wasm_exec_go.js" "$out/wasm_exec.js.tmp"
  cp worker/entry.mjs "$out/entry.mjs.tmp"
  # Generated from worker/service (go generate ./worker/service; a test keeps it current).
  cp worker/lastresort.mjs "$out/lastresort.mjs.tmp"
  cp js/pool.js "$out/pool.js.tmp"
  local f
  for f in app.wasm wasm_exec.js entry.mjs lastresort.mjs pool.js; do
    if cmp -s "$out/$f.tmp" "$out/$f"; then rm -f "$out/$f.tmp"; else mv -f "$out/$f.tmp" "$out/$f"; fi
  done
  raw=$(wc -c < "$out/app.wasm")
  gz=$(gzip -9 -c "$out/app.wasm" | wc -c)
  awk -v f="$out/app.wasm" -v raw="$raw" -v gz="$gz" 'BEGIN { printf "built %s: %d bytes raw (%.2f MB), %d bytes gzip -9 (%.2f MB)\n", f, raw, raw / 1e6, gz, gz / 1e6 }'
}
