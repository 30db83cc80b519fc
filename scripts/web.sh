#!/usr/bin/env bash
# scripts/web.sh — the web page and the npm package, sourced by build.sh.
#   ./build.sh js    build the npm package @globus-edge/client into dist/js/ (only)
#   ./build.sh web   build the npm package into dist/js/ and the static page into dist/web/
#
# Configuration comes from the CLI's variables (GLOBUS_CLIENT_ID, GLOBUS_REDIRECT_URI,
# GLOBUS_SDK_ENVIRONMENT, GLOBUS_SDK_SERVICE_URL_AUTH/_GROUPS, GLOBUS_SDK_HTTP_TIMEOUT) plus
# GLOBUS_EDGE_SCOPES and GLOBUS_EDGE_STORAGE: when any is set, dist/web/config.json is written,
# and the page's CSP connect-src always lists the Auth and Groups origins they resolve to
# (GLOBUS_EDGE_CONNECT_SRC replaces that list). DIST (default ./dist) moves the output; the
# browser tests build into a temporary directory that way.

# cmd_js builds the npm package @globus-edge/client into dist/js/: the files its package.json
# lists (entries for browsers, Node and workerd, their shared modules, types, wasm_exec.js,
# globus-edge.wasm, README.md, LICENSE) and package.json. Pack it with `npm pack ./dist/js`
# (js/ itself lacks the wasm: its prepack check refuses to be packed).
cmd_js() {
  local pkg="${DIST:-$ROOT/dist}/js" f
  rm -rf "$pkg"
  mkdir -p "$pkg"
  GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "$pkg/globus-edge.wasm" ./wasm
  # wasm_exec.js must come from the toolchain that built the wasm.
  cp "$GOROOT_WASM/wasm_exec.js" "$pkg/wasm_exec.js"
  # Every file package.json lists, so what is built is what would be published.
  for f in $(node -e 'for (const f of require("./js/package.json").files) console.log(f)'); do
    case "$f" in
      wasm_exec.js|globus-edge.wasm) ;;
      LICENSE) cp LICENSE "$pkg/" ;;
      *) cp "js/$f" "$pkg/" ;;
    esac
  done
  cp js/package.json "$pkg/"
  echo "built $pkg (npm package @globus-edge/client; npm pack ./dist/js makes the tarball)"
}

# cmd_web builds the package (cmd_js) and lays out the page from it:
#   dist/web/  index.html (page.css inlined), page.js, globus-edge.js (the browser entry) and
#              the modules it imports, wasm_exec.js, globus-edge.<12 hex of its sha256>.wasm,
#              and config.json when configured. The hashed name (written into index.html and
#              into globus-edge.js as its default wasm) changes whenever the module does, so
#              servers may cache it for good; see the README's headers.
cmd_web() {
  local dist="${DIST:-$ROOT/dist}"
  local pkg="$dist/js" out="$dist/web" wasm raw gz
  cmd_js
  rm -rf "$out"
  mkdir -p "$out"

  # The page loads the browser entry as globus-edge.js, beside the modules it imports. Its
  # default wasm is the one beside it: here, the hashed name (dist/web has no globus-edge.wasm).
  wasm="globus-edge.$(sha256sum "$pkg/globus-edge.wasm" | cut -c1-12).wasm"
  sed "s|new URL(\"./globus-edge.wasm\", import.meta.url)|new URL(\"./$wasm\", import.meta.url)|" "$pkg/index.js" >"$out/globus-edge.js"
  grep -q "new URL(\"./$wasm\", import.meta.url)" "$out/globus-edge.js" || { echo "web: js/index.js no longer names ./globus-edge.wasm as its default: update scripts/web.sh" >&2; return 1; }
  cp "$pkg/client.js" "$pkg/runners.js" "$pkg/runtime.js" "$pkg/errors.js" "$pkg/pool.js" "$pkg/instance.js" "$out/"
  cp "$pkg/globus-edge.wasm" "$out/$wasm"
  cp "$pkg/wasm_exec.js" web/page.js "$out/"
  go run ./web/webconfig -template web/index.html -css web/page.css -out "$out" -wasm "$wasm"

  # brotli 11 takes ~15 s on this module: ./build.sh bench reports it, the build does not.
  raw=$(wc -c < "$out/$wasm")
  gz=$(gzip -9 -c "$out/$wasm" | wc -c)
  awk -v raw="$raw" -v gz="$gz" -v f="$out/$wasm" 'BEGIN { printf "built %s: %d bytes raw (%.2f MB), %d bytes gzip -9 (%.2f MB)\n", f, raw, raw / 1e6, gz, gz / 1e6 }'
  echo "built $out (serve it over http(s) with the headers the README lists)"
}
