//go:build !(js && wasm)

package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/devserve"
	"github.com/globus-edge/globus-edge/internal/siteclient"
	"github.com/globus-edge/globus-edge/kvstore"
)

const benchJSClient = "bench-js-worker-client"

// jsPackage builds @globus-edge/client (./build.sh web) and installs it, as npm would, into a
// scratch app holding the JS-written worker example and the browser example; it returns the
// app directory and the package directory.
func jsPackage(tmp string) (app, pkg string, err error) {
	dist := filepath.Join(tmp, "dist")
	if err := devserve.Run(".", []string{"DIST=" + dist}, "web"); err != nil {
		return "", "", err
	}
	pkg = filepath.Join(dist, "js")
	raw, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return "", "", err
	}
	var meta struct{ Files []string }
	if err := json.Unmarshal(raw, &meta); err != nil {
		return "", "", err
	}
	app = filepath.Join(tmp, "app")
	copies := map[string]string{
		"js/example-worker/worker.js":     filepath.Join(app, "worker.js"),
		"js/example-worker/wrangler.toml": filepath.Join(app, "wrangler.toml"),
		"js/example/main.js":              filepath.Join(app, "main.js"),
	}
	for _, f := range append([]string{"package.json"}, meta.Files...) {
		copies[filepath.Join(pkg, f)] = filepath.Join(app, "node_modules", "@globus-edge", "client", f)
	}
	for src, dst := range copies {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", "", err
		}
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return "", "", err
		}
	}
	return app, pkg, nil
}

// jsWorker measures the JS-written worker on @globus-edge/client (js/example-worker) beside
// the hand-written JS baseline worker in one workerd: the package's size per runtime, the
// first request after start (a Go instance starts in it) and steady GET /groups.
func (b *bench) jsWorker() error {
	tmp, err := os.MkdirTemp("", "bench-jsworker")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	app, pkg, err := jsPackage(tmp)
	if err != nil {
		return err
	}
	out := filepath.Join(app, "out")
	if err := b.jsSizes(app, pkg, out); err != nil {
		return err
	}

	r, err := newWorkerRig("JS_WORKER_DIR="+out, "JS_CLIENT_ID="+benchJSClient)
	if err != nil {
		return err
	}
	defer r.close()
	r.fake.RegisterClient(globustest.Client{ID: benchJSClient, RedirectURIs: []string{"http://js.test/callback"}})
	js := &siteclient.Client{Base: r.svc.lines[0], Host: "js.test"}
	jsC, err := r.seedJS(strings.TrimPrefix(r.svc.lines[1], "kv "))
	if err != nil {
		return fmt.Errorf("seeding the JS worker's session: %w", err)
	}
	js.SetCookie(jsC.Name, jsC)

	// Cold: the first request each worker serves after workerd started (the baseline has served
	// none yet either; seeding wrote KV only).
	t0 := time.Now()
	if err := getOK(js, "/groups"); err != nil {
		return err
	}
	coldJS := ms(time.Since(t0))
	t0 = time.Now()
	if err := getOK(r.base, "/groups"); err != nil {
		return err
	}
	coldBase := ms(time.Since(t0))
	base := "hand-written JS worker, same work"
	b.add(Row{Section: "jsworker", Figure: "first GET /groups after start (cold; a Go instance starts)", Unit: "ms", Ours: coldJS, Baseline: coldBase, BaseName: base,
		Conditions: "miniflare 4.20260426.0 (one workerd), loopback, fake Globus, one request each"})

	n := 200
	if b.quick {
		n = 4
	}
	for _, conc := range []int{1, 4} {
		ol, bl, orps, brps, err := sideBySide(js, r.base, "/groups", n, conc, nil)
		if err != nil {
			return err
		}
		cond := fmt.Sprintf("miniflare 4.20260426.0 (one workerd), loopback, fake Globus, %d requests, concurrency %d; ours: js/example-worker (KV read, Go client on a pooled instance, one Groups call)", n, conc)
		b.addLoadRows("jsworker", fmt.Sprintf("JS-written worker GET /groups, concurrency %d", conc), base, cond, ol, bl, orps, brps)
	}
	return nil
}

// seedJS stores a logged-in session for the JS worker directly in KV (so the cold figure is
// the worker's first request): the v2 document under the package's key for the example's
// namespace, SHA-256(session id) in hex.
func (r *workerRig) seedJS(kvURL string) (*http.Cookie, error) {
	id := make([]byte, 32)
	rand.Read(id)
	sid := base64.RawURLEncoding.EncodeToString(id)
	sum := sha256.Sum256([]byte(sid))
	ns := hex.EncodeToString(sum[:])
	doc, err := r.nativeLogin(ns)
	if err != nil {
		return nil, err
	}
	key := kvstore.SessionKey("globus-edge:" + benchJSClient + ":" + ns)
	req, _ := http.NewRequest("PUT", kvURL+"/"+url.PathEscape(key)+"?worker=js", strings.NewReader(string(doc)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &http.Cookie{Name: "__Host-example-session", Value: sid}, nil
}

// jsSizes records what each runtime loads of the package, beside the baselines: workerd the
// wrangler upload (vs the hand-written worker's), browsers an esbuild bundle of js/example plus
// the wasm, Node the files node.js imports plus the wasm (both vs the @globus/sdk page bundle).
// It leaves the worker bundle in out.
func (b *bench) jsSizes(app, pkg, out string) error {
	wRaw, wGz, err := wranglerDryRun(app, out)
	if err != nil {
		return err
	}
	bwRaw, bwGz, err := wranglerSize("bench/baseline/worker/wrangler.toml")
	if err != nil {
		return err
	}
	wbase := "hand-written JS worker (bench/baseline/worker)"
	b.add(Row{Section: "jsworker", Figure: "package in a JS worker, upload raw (wrangler deploy --dry-run)", Unit: "KiB", Ours: wRaw, Baseline: bwRaw, BaseName: wbase, Conditions: "js/example-worker, wrangler 4.86.0"})
	b.add(Row{Section: "jsworker", Figure: "package in a JS worker, upload gzip", Unit: "KiB", Ours: wGz, Baseline: bwGz, BaseName: wbase, Conditions: "js/example-worker, wrangler 4.86.0"})

	esb, err := exec.Command("node_modules/.bin/esbuild", filepath.Join(app, "main.js"), "--bundle", "--minify", "--format=esm",
		"--platform=browser", "--outfile="+filepath.Join(app, "app.js")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("esbuild: %v\n%s", err, esb)
	}
	baseDir := filepath.Join(app, "baseline")
	os.MkdirAll(baseDir, 0o755)
	if err := buildBaselinePage(baseDir); err != nil {
		return err
	}
	_, sdkGz, err := dirSizes(baseDir, "app.bundle.js")
	if err != nil {
		return err
	}
	_, wasmGz, err := dirSizes(pkg, "globus-edge.wasm")
	if err != nil {
		return err
	}
	appRaw, appGz, err := dirSizes(app, "app.js")
	if err != nil {
		return err
	}
	nodeRaw, nodeGz, err := dirSizes(pkg, "node.js", "client.js", "runners.js", "runtime.js", "errors.js", "pool.js", "instance.js", "wasm_exec.js")
	if err != nil {
		return err
	}
	kb := func(n int) float64 { return float64(n) / 1024 }
	sdk := "@globus/sdk 6.2.0 login + my-groups page, esbuild --bundle --minify"
	b.add(Row{Section: "jsworker", Figure: "package in a browser app, gzip -9 (js/example bundle + wasm)", Unit: "KiB", Ours: kb(appGz + wasmGz), Baseline: kb(sdkGz), BaseName: sdk,
		Conditions: fmt.Sprintf("esbuild --minify; JS %d bytes raw, %d gzip", appRaw, appGz)})
	b.add(Row{Section: "jsworker", Figure: "package in Node, gzip -9 (files node.js loads + wasm)", Unit: "KiB", Ours: kb(nodeGz + wasmGz), Baseline: kb(sdkGz), BaseName: sdk,
		Conditions: fmt.Sprintf("unbundled; JS %d bytes raw, %d gzip", nodeRaw, nodeGz)})
	return nil
}
