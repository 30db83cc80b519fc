#!/usr/bin/env bash
# scripts/worker.sh — the Cloudflare Worker host, sourced by build.sh.
#   ./build.sh worker   build the worker into build/ (worker.mjs, runtime.mjs, wasm_exec.js, app.wasm)

# cmd_worker generates syumai's JS glue and builds the Go worker to WebAssembly. Files in build/
# are replaced only when their content changed, each by a rename: a running `wrangler dev`
# hangs when build/ is wiped or a file is rewritten under it.
cmd_worker() {
  local gen=build/.assets.tmp f raw gz
  mkdir -p build
  rm -rf "$gen"
  go tool workers-assets-gen -mode=go -o "$gen"
  for f in "$gen"/*; do
    cmp -s "$f" "build/${f##*/}" || mv -f "$f" "build/${f##*/}"
  done
  rm -rf "$gen"
  GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o build/app.wasm.tmp ./worker
  if cmp -s build/app.wasm.tmp build/app.wasm; then
    rm -f build/app.wasm.tmp
  else
    mv -f build/app.wasm.tmp build/app.wasm
  fi
  raw=$(wc -c < build/app.wasm)
  gz=$(gzip -9 -c build/app.wasm | wc -c)
  awk -v raw="$raw" -v gz="$gz" 'BEGIN { printf "built build/app.wasm: %d bytes raw (%.2f MB), %d bytes gzip -9 (%.2f MB)\n", raw, raw / 1e6, gz, gz / 1e6 }'
}
