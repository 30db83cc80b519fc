#!/usr/bin/env bash
# build.sh — build, test, demo and benchmark globus-edge. Usable from any directory.
#   ./build.sh demo     the offline demo against the built-in fake Globus (README's main command)
#   ./build.sh test     every test: vet, gofmt, Go tests (core, CLI, fake, browser, worker, JS package), js/wasm tests
#   ./build.sh cli      build the native CLI into dist/globus-groups
#   ./build.sh js       build the npm package @globus-edge/client into dist/js/ (npm pack ./dist/js)
#   ./build.sh web      build the static page into dist/web/ (and dist/js/)
#   ./build.sh worker   build the Cloudflare Worker into build/
#   ./build.sh bench    benchmarks against their baselines (BENCHMARKS.md, bench.json; -quick: one run each)
#   ./build.sh setup    install what the others need (demo, test and bench run it themselves)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

# Builds stay on the Go 1.26 line. go.mod's toolchain line alone does not hold them there: with
# GOTOOLCHAIN=auto (Go's default) a newer local Go builds the module as it is. Go 1.27 links
# encoding/json's v2 engine, which grows the page's wasm by 16% gzip (README, "Size budget and toolchain").
# So the toolchain line is the default here, and any other line is refused.
export GOTOOLCHAIN="${GOTOOLCHAIN:-$(awk '$1 == "toolchain" { print $2 }' go.mod)}"
check_toolchain() {
  local v
  v="$(go env GOVERSION)" || return 1
  case "$v" in
    go1.26|go1.26.*) ;;
    *)
      echo "build.sh: this is $v (GOTOOLCHAIN=$GOTOOLCHAIN); globus-edge builds with Go 1.26 (go.mod's toolchain line):" >&2
      echo "  Go 1.27 grows the page's wasm by 16% gzip (README, \"Size budget and toolchain\"). Unset GOTOOLCHAIN or set it to a go1.26.x." >&2
      return 1
      ;;
  esac
}
check_toolchain || exit 1
GOROOT_WASM="$(go env GOROOT)/lib/wasm"

# Host-specific steps live beside this file, one script per host.
for f in scripts/*.sh; do
  # shellcheck source=/dev/null
  [ -f "$f" ] && source "$f"
done

cmd_cli() {
  mkdir -p dist
  go build -trimpath -o dist/globus-groups ./cmd/globus-groups
  echo "built dist/globus-groups"
}

cmd_demo() {
  cmd_setup
  cmd_cli >/dev/null
  go run ./cmd/demo -cli dist/globus-groups -serve "$@"
}

cmd_test() {
  echo "== setup"
  cmd_setup --browser
  echo "== gofmt"
  local unformatted
  unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))"
  if [ -n "$unformatted" ]; then echo "not gofmt-ed:"; echo "$unformatted"; return 1; fi
  echo "== go vet"
  go vet ./...
  GOOS=js GOARCH=wasm go vet ./...
  echo "== go test (native: core, CLI, fake, browser, worker and JS package (js/e2e) end-to-end)"
  go test -count=1 ./...
  echo "== doc snippets that cannot run yet (internal/doctest.Pending; go test above ran the others)"
  go test -count=1 -v -run '^TestPending$' ./internal/doctest | grep -E 'PENDING|pending: none'
  echo "== node --test (the JS modules' own tests)"
  node --test js/
  echo "== go test -race (the packages that refresh concurrently)"
  go test -race -count=1 ./app/... ./authorizer/... ./tokens/... ./transport/... ./kvstore/... ./worker/service/...
  echo "== go test (js/wasm under Node)"
  PATH="$GOROOT_WASM:$PATH" GOOS=js GOARCH=wasm go test -count=1 $(js_test_packages)
  echo "== benchmark smoke (one iteration of each figure; the report goes to a temporary directory)"
  local out
  out="$(mktemp -d)"
  cmd_bench -quick -out "$out/BENCHMARKS.md" -json "$out/bench.json" >"$out/log" 2>&1 || { cat "$out/log"; rm -rf "$out"; return 1; }
  grep -c '^| ' "$out/BENCHMARKS.md" | xargs echo "benchmark smoke: table rows written:"
  rm -rf "$out"
}

# cmd_bench measures every figure beside its baseline and writes BENCHMARKS.md and bench.json.
cmd_bench() {
  cmd_setup --browser
  cmd_cli >/dev/null
  cmd_worker >/dev/null
  cmd_worker -test >/dev/null # the worker's soak reads /__test/instance
  go run ./cmd/bench "$@"
}

# js_test_packages lists the packages with tests that must also pass under js/wasm.
js_test_packages() {
  local dirs=() d
  for d in config transport auth tokens authorizer groups app kvstore worker/service wasm; do
    [ -d "$d" ] && dirs+=("./$d/...")
  done
  GOOS=js GOARCH=wasm go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "${dirs[@]}"
}

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }

main() {
  local cmd="${1:-}"
  [ -n "$cmd" ] || { usage; exit 2; }
  shift
  if declare -F "cmd_$cmd" >/dev/null; then
    "cmd_$cmd" "$@"
  else
    usage
    exit 2
  fi
}
main "$@"
