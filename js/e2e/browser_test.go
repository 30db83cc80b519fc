//go:build !(js && wasm)

package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/browsertest"
)

// esbuildBundle bundles entry in app for the browser into app.js, as an app would, so the
// package's exports map ("browser") and its wasm_exec.js import must resolve.
func esbuildBundle(t *testing.T, app, entry string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "esbuild"), entry, "--bundle", "--format=esm",
		"--platform=browser", "--outfile=app.js", "--log-level=warning")
	cmd.Dir = app
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild: %v\n%s", err, out)
	}
	bundle, _ := os.ReadFile(filepath.Join(app, "app.js"))
	if !strings.Contains(string(bundle), "globalThis.Go = class") {
		t.Error("the bundle does not include wasm_exec.js")
	}
	if strings.Contains(string(bundle), "node:fs") {
		t.Error("the browser bundle pulled in the Node entry")
	}
	copyFile(t, filepath.Join(pkgDir, "globus-edge.wasm"), filepath.Join(app, "globus-edge.wasm"))
}

// serveApp serves dir on its own loopback origin with config.json = cfg (filled in by the
// test once the URL is known); .wasm files get wasmType, so a non-wasm type exercises the
// compile-from-bytes fallback.
func serveApp(t *testing.T, dir, wasmType string, cfg func(url string) map[string]any) string {
	t.Helper()
	files := http.FileServer(http.Dir(dir))
	var config []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case r.URL.Path == "/config.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write(config)
		case strings.HasSuffix(r.URL.Path, ".wasm"):
			w.Header().Set("Content-Type", wasmType)
			http.ServeFile(w, r, filepath.Join(dir, filepath.Base(r.URL.Path)))
		default:
			files.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	config, _ = json.Marshal(cfg(srv.URL))
	return srv.URL
}

// waitFor polls a JavaScript expression until it is truthy and returns its JSON value.
func waitFor(t *testing.T, tab *browsertest.Tab, expr string) json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Ctx, 90*time.Second)
	defer cancel()
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage]("("+expr+") || null"))
		if err == nil && string(v) != "null" && len(v) > 0 {
			return v
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v\nconsole:\n%s", expr, err, strings.Join(tab.Console(), "\n"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestBrowserExample installs the package into a scratch app, bundles js/example/main.js with
// esbuild, serves it with the wasm labelled application/octet-stream (the fallback path), logs
// in with a redirect in Chromium and lists the groups.
func TestBrowserExample(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	app := newApp(t, "js/example/main.js", "js/example/index.html")
	esbuildBundle(t, app, "main.js")
	url := serveApp(t, app, "application/octet-stream", func(url string) map[string]any {
		fake.RegisterClient(globustest.Client{ID: "js-example", RedirectURIs: []string{url + "/"}})
		return map[string]any{"clientId": "js-example", "redirectUri": url + "/", "authUrl": fake.AuthURL(),
			"groupsUrl": fake.GroupsURL(), "storage": "sessionStorage"}
	})
	tab := browsertest.New(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(url+"/")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, `document.querySelector("#login")`)
	if err := chromedp.Do(tab.Ctx, chromedp.Click(chromedp.CSS("#login"))); err != nil {
		t.Fatal(err)
	}
	raw := waitFor(t, tab, `document.querySelectorAll("#groups li").length && [...document.querySelectorAll("#groups li")].map(li => li.textContent)`)
	var got []string
	json.Unmarshal(raw, &got)
	var names []string
	for i, line := range splitCSV(t, want) {
		if i > 0 {
			names = append(names, line[1])
		}
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("the example lists\n %q\nwant\n %q", got, names)
	}
	if n := string(waitFor(t, tab, `String(sessionStorage.length) + "/" + localStorage.length`)); n != `"1/0"` {
		t.Errorf("sessionStorage/localStorage items = %s, want the token document in sessionStorage only", n)
	}
}

// TestBrowserChecks runs testdata/checks.mjs in Chromium, bundled with esbuild.
func TestBrowserChecks(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	fake.RegisterClient(globustest.Client{ID: "js-checks", RedirectURIs: []string{fake.AuthCodePageURL()}})
	app := newApp(t, "js/e2e/testdata/checks.mjs", "js/e2e/testdata/checks-page.js", "js/e2e/testdata/checks.html")
	esbuildBundle(t, app, "checks-page.js")
	url := serveApp(t, app, "application/wasm", func(string) map[string]any {
		return map[string]any{"authUrl": fake.AuthURL(), "groupsUrl": fake.GroupsURL(), "clientId": "js-checks", "expectedCSV": want}
	})
	tab := browsertest.New(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(url+"/checks.html")); err != nil {
		t.Fatal(err)
	}
	out := waitFor(t, tab, "window.__checks")
	assertChecks(t, "chromium", out, 14)
	assertNoTokens(t, fake, "the browser console", strings.Join(tab.Console(), "\n"))
}
