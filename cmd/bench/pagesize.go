//go:build !(js && wasm)

package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// brotliScript prints the brotli (quality 11, as CDNs precompress static files) size of each
// file named on its command line, one per line. Node's zlib has brotli; no extra binary.
const brotliScript = `const z = require("zlib"), fs = require("fs");
for (const f of process.argv.slice(1)) {
  const b = fs.readFileSync(f);
  console.log(z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length);
}`

// brotliSizes returns the brotli 11 size of each file.
func brotliSizes(paths ...string) ([]int, error) {
	out, err := exec.Command("node", append([]string{"-e", brotliScript}, paths...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("node brotli: %w", err)
	}
	var sizes []int
	for _, f := range strings.Fields(string(out)) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("node brotli printed %q: %w", f, err)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) != len(paths) {
		return nil, fmt.Errorf("node brotli: %d sizes for %d files", len(sizes), len(paths))
	}
	return sizes, nil
}

// preloadRE finds the content-hashed wasm index.html preloads.
var preloadRE = regexp.MustCompile(`<link rel="preload" href="([^"]+\.wasm)"`)

// fetchPage downloads what a browser loads for our page (index.html and what it names) into
// dir, and returns the local files, the wasm first.
func fetchPage(base, dir string) ([]string, error) {
	get := func(name string) ([]byte, error) {
		r, err := http.Get(base + name)
		if err != nil {
			return nil, err
		}
		defer r.Body.Close()
		if r.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", base+name, r.Status)
		}
		return io.ReadAll(r.Body)
	}
	html, err := get("")
	if err != nil {
		return nil, err
	}
	m := preloadRE.FindSubmatch(html)
	if m == nil {
		return nil, fmt.Errorf("%s preloads no wasm", base)
	}
	files := []string{filepath.Join(dir, "index.html")}
	if err := os.WriteFile(files[0], html, 0o644); err != nil {
		return nil, err
	}
	for _, name := range []string{string(m[1]), "page.js", "globus-edge.js", "wasm_exec.js"} {
		b, err := get(name)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		files = append(files, p)
	}
	return append([]string{files[1], files[0]}, files[2:]...), nil
}

// pageSizes adds the compressed sizes of both pages as served: the wasm against the
// baseline's bundle, and every file a first visit downloads.
func (b *bench) pageSizes(r *pageRig) error {
	dir, err := os.MkdirTemp("", "bench-page-files")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ours, err := fetchPage(r.ours, dir)
	if err != nil {
		return err
	}
	base := []string{filepath.Join(r.baseDir, "app.bundle.js"), filepath.Join(r.baseDir, "index.html")}
	br, err := brotliSizes(append(append([]string(nil), ours...), base...)...)
	if err != nil {
		return err
	}
	oursBr, baseBr := br[:len(ours)], br[len(ours):]
	gz := func(paths []string) (sizes []int, err error) {
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			sizes = append(sizes, gzipSize(data))
		}
		return sizes, nil
	}
	oursGz, err := gz(ours)
	if err != nil {
		return err
	}
	baseGz, err := gz(base)
	if err != nil {
		return err
	}
	sum := func(xs []int) int {
		t := 0
		for _, x := range xs {
			t += x
		}
		return t
	}
	kb := func(n int) float64 { return float64(n) / 1024 }
	name := "@globus/sdk 6.2.0 page, esbuild --bundle --minify"
	add := func(fig string, ours, baseline int, cond string) {
		b.add(Row{Section: "page", Figure: fig, Unit: "KiB", Ours: kb(ours), Baseline: kb(baseline), BaseName: name, Conditions: cond})
	}
	add("page wasm, brotli 11 (vs baseline JS bundle)", oursBr[0], baseBr[0], "Node zlib, quality 11")
	add("page wasm, gzip -9 (vs baseline JS bundle)", oursGz[0], baseGz[0], filepath.Base(ours[0]))
	add("whole first visit, brotli 11", sum(oursBr), sum(baseBr), "index.html (CSS inlined), scripts, wasm as served vs index.html + bundle")
	add("whole first visit, gzip -9", sum(oursGz), sum(baseGz), "index.html (CSS inlined), scripts, wasm as served vs index.html + bundle")
	return nil
}
