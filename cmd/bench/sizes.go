//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/globus-edge/globus-edge/internal/devserve"
	"github.com/globus-edge/globus-edge/internal/sizebudget"
	"github.com/globus-edge/globus-edge/internal/wasmnames"
)

// gzipSize is b's gzip -9 size, measured as the size budget measures it.
func gzipSize(b []byte) int { return sizebudget.Measure(b).Gzip }

// dirSizes sums raw and gzip -9 sizes of the named files in dir.
func dirSizes(dir string, names ...string) (raw, gz int, err error) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return 0, 0, err
		}
		raw += len(b)
		gz += gzipSize(b)
	}
	return raw, gz, nil
}

var uploadRE = regexp.MustCompile(`Total Upload: ([0-9.]+) KiB / gzip: ([0-9.]+) KiB`)

// wranglerSize runs `wrangler deploy --dry-run` for a config (relative to the repository) and
// returns the upload size it reports (KiB raw and gzip).
func wranglerSize(config string) (raw, gz float64, err error) {
	out, err := os.MkdirTemp("", "bench-wrangler")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(out)
	return wranglerDryRun(".", out, "--config", config)
}

// wranglerDryRun runs the repository's wrangler (`deploy --dry-run --outdir out`, offline) in
// dir with more args and returns the upload size it reports (KiB raw and gzip).
func wranglerDryRun(dir, out string, args ...string) (raw, gz float64, err error) {
	// By path: npx in another directory would look for wrangler elsewhere.
	wrangler, err := filepath.Abs("node_modules/.bin/wrangler")
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(wrangler, append([]string{"deploy", "--dry-run", "--outdir", out}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WRANGLER_SEND_METRICS=false", "WRANGLER_SEND_ERROR_REPORTS=false",
		"CLOUDFLARE_CF_FETCH_ENABLED=false", "WRANGLER_HIDE_BANNER=true", "XDG_CONFIG_HOME="+filepath.Join(out, ".xdg"))
	b, err := cmd.CombinedOutput()
	m := uploadRE.FindSubmatch(b)
	if err != nil || m == nil {
		return 0, 0, fmt.Errorf("wrangler deploy --dry-run %v in %s: %v\n%s", args, dir, err, b)
	}
	raw, _ = strconv.ParseFloat(string(m[1]), 64)
	gz, _ = strconv.ParseFloat(string(m[2]), 64)
	return raw, gz, nil
}

func (b *bench) sizes() error {
	dist, err := os.MkdirTemp("", "bench-sizes")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dist)
	if err := devserve.Run(".", []string{"DIST=" + dist}, "web"); err != nil {
		return err
	}
	web := filepath.Join(dist, "web")
	baseDir := filepath.Join(dist, "baseline")
	os.MkdirAll(baseDir, 0o755)
	if err := buildBaselinePage(baseDir); err != nil {
		return err
	}
	wasm, err := devserve.WasmName(web)
	if err != nil {
		return err
	}
	wasmRaw, wasmGz, err := dirSizes(web, wasm)
	if err != nil {
		return err
	}
	// The shim is the browser entry (globus-edge.js) and the modules it imports.
	shim := []string{"globus-edge.js", "client.js", "runners.js", "runtime.js", "errors.js", "pool.js", "instance.js", "wasm_exec.js"}
	jsRaw, jsGz, err := dirSizes(web, shim...)
	if err != nil {
		return err
	}
	pageRaw, pageGz, err := dirSizes(web, append([]string{"index.html", "page.js", wasm}, shim...)...)
	if err != nil {
		return err
	}
	bundleRaw, bundleGz, _ := dirSizes(baseDir, "app.bundle.js")
	baseRaw, baseGz, err := dirSizes(baseDir, "index.html", "app.bundle.js")
	if err != nil {
		return err
	}
	base := "@globus/sdk 6.2.0 login + my-groups page, esbuild --bundle --minify"
	kb := func(n int) float64 { return float64(n) / 1024 }
	add := func(fig string, ours, baseline int, cond string) {
		b.add(Row{Section: "size", Figure: fig, Unit: "KiB", Ours: kb(ours), Baseline: kb(baseline), BaseName: base, Conditions: cond})
	}
	add("page wasm, raw (vs baseline JS bundle)", wasmRaw, bundleRaw, "-trimpath -ldflags=\"-s -w\"")
	add("page wasm, gzip -9 (vs baseline JS bundle)", wasmGz, bundleGz, "gzip -9")
	add("page shim + wasm_exec.js, gzip -9 (vs baseline JS bundle)", jsGz, bundleGz, fmt.Sprintf("%d bytes raw", jsRaw))
	add("whole page download, gzip -9", pageGz, baseGz, fmt.Sprintf("ours %d, baseline %d bytes raw; every file of dist/web vs index.html + bundle", pageRaw, baseRaw))
	br, err := brotliSizes(filepath.Join(web, wasm), filepath.Join(baseDir, "app.bundle.js"))
	if err != nil {
		return err
	}
	add("page wasm, brotli 11 (vs baseline JS bundle)", br[0], br[1], "Node zlib, quality 11")
	oursRaw, oursGz, err := wranglerSize("wrangler.toml")
	if err != nil {
		return err
	}
	bwRaw, bwGz, err := wranglerSize("bench/baseline/worker/wrangler.toml")
	if err != nil {
		return err
	}
	wbase := "hand-written JS worker (bench/baseline/worker)"
	b.add(Row{Section: "size", Figure: "worker bundle, raw (wrangler deploy --dry-run)", Unit: "KiB", Ours: oursRaw, Baseline: bwRaw, BaseName: wbase, Conditions: "wrangler 4.86.0"})
	b.add(Row{Section: "size", Figure: "worker bundle, gzip (wrangler deploy --dry-run)", Unit: "KiB", Ours: oursGz, Baseline: bwGz, BaseName: wbase, Conditions: "wrangler 4.86.0"})
	if err := b.noteBreakdown("Page wasm size by package", "./wasm"); err != nil {
		return err
	}
	if err := b.noteFloor(); err != nil {
		return err
	}
	return b.noteBreakdown("Worker wasm size by package", "./worker")
}

// importsProg is the page's floor: one call into each package the page needs (x/oauth2's PKCE,
// net/http's Request and Response, encoding/json, AES-GCM, SHA-256, net/url, fmt, syscall/js)
// and nothing of ours.
const importsProg = "./internal/wasmnames/testdata/importsprog"

// noteBreakdown records the largest packages of a js/wasm build of pkg (code bytes, raw), the
// measured answer to "where does the size come from".
func (b *bench) noteBreakdown(label, pkg string) error {
	wasm, err := namedBuild(pkg)
	if err != nil {
		return err
	}
	pkgs, err := wasmnames.ByPackage(wasm)
	if err != nil {
		return err
	}
	total := 0
	for _, p := range pkgs {
		total += p.Bytes
	}
	var parts []string
	for _, p := range pkgs[:min(10, len(pkgs))] {
		parts = append(parts, fmt.Sprintf("%s %d KiB", p.Package, p.Bytes/1024))
	}
	b.note("%s: %d KiB of function code in %d packages; largest: %s (names as the Go linker mangles them).",
		label, total/1024, len(pkgs), strings.Join(parts, ", "))
	return nil
}

// noteFloor records what the page links beyond its imports alone (importsProg, built with the
// page's flags): the part our code and what only it pulls in cost, by package.
func (b *bench) noteFloor() error {
	dir, err := os.MkdirTemp("", "bench-floor")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var shipped [2][]byte
	for i, pkg := range []string{importsProg, "./wasm"} {
		out := filepath.Join(dir, fmt.Sprint(i, ".wasm"))
		if err := goBuildWasm(out, "-s -w", pkg); err != nil {
			return err
		}
		if shipped[i], err = os.ReadFile(out); err != nil {
			return err
		}
	}
	floor, page := shipped[0], shipped[1]
	namedFloor, err := namedBuild(importsProg)
	if err != nil {
		return err
	}
	namedPage, err := namedBuild("./wasm")
	if err != nil {
		return err
	}
	delta, err := wasmnames.Compare(namedFloor, namedPage)
	if err != nil {
		return err
	}
	code := 0
	var parts []string
	for _, p := range delta {
		code += p.Bytes
		if len(parts) < 12 && p.Bytes >= 8*1024 {
			parts = append(parts, fmt.Sprintf("%s +%d KiB", p.Package, p.Bytes/1024))
		}
	}
	b.note("Page wasm beyond its imports alone (%s: %d bytes raw, %d gzip -9): +%d bytes raw, +%d gzip -9, of which +%d KiB function code; largest: %s.",
		strings.TrimPrefix(importsProg, "./"), len(floor), gzipSize(floor), len(page)-len(floor), gzipSize(page)-gzipSize(floor), code/1024, strings.Join(parts, ", "))
	return nil
}

// namedBuild builds pkg for js/wasm like ./build.sh does but keeps the name section (-w
// without -s), and returns the module.
func namedBuild(pkg string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "bench-breakdown")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "x.wasm")
	if err := goBuildWasm(out, "-w", pkg); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// goBuildWasm runs go build -trimpath -ldflags=ldflags for js/wasm.
func goBuildWasm(out, ldflags, pkg string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+ldflags, "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, o)
	}
	return nil
}
