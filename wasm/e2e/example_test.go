//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// TestEmbeddingExample installs the built package (dist/js) as node_modules/@globus-edge/browser
// of a scratch app, exactly the files its package.json lists, bundles js/example/main.js with
// esbuild (so the package's exports map and its wasm_exec.js import must resolve), serves the
// bundle with the wasm labelled application/octet-stream (so the instantiate fallback must
// work), logs in and lists the groups in Chromium.
func TestEmbeddingExample(t *testing.T) {
	esbuild := filepath.Join(root, "node_modules", ".bin", "esbuild")
	if _, err := os.Stat(esbuild); err != nil {
		t.Fatalf("esbuild is missing (run npm ci at the repository root): %v", err)
	}
	app := t.TempDir()
	installPackage(t, filepath.Join(app, "node_modules", "@globus-edge", "browser"))
	for _, f := range []string{"main.js", "index.html"} {
		copyFile(t, filepath.Join(root, "js", "example", f), filepath.Join(app, f))
	}
	copyFile(t, filepath.Join(dist, "js", "globus-edge.wasm"), filepath.Join(app, "globus-edge.wasm"))
	cmd := exec.Command(esbuild, "main.js", "--bundle", "--format=esm", "--platform=browser", "--outfile=app.js", "--log-level=warning")
	cmd.Dir = app
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild: %v\n%s", err, out)
	}
	bundle, _ := os.ReadFile(filepath.Join(app, "app.js"))
	if !strings.Contains(string(bundle), "globalThis.Go = class") {
		t.Error("the bundle does not include wasm_exec.js")
	}

	fake := globustest.NewT(t, globustest.Options{})
	s := newSite(t, app, "application/octet-stream")
	fake.RegisterClient(globustest.Client{ID: e2eClientID, RedirectURIs: []string{s.URL + "/"}})
	s.setConfig(map[string]any{"clientId": e2eClientID, "redirectUri": s.URL + "/",
		"authUrl": fake.AuthURL(), "groupsUrl": fake.GroupsURL(), "storage": "sessionStorage"})
	p := openPage(t, s)
	p.click("#login")
	p.waitUntil(`document.querySelectorAll("#groups li").length > 0`)
	got := eval[[]string](p, `[...document.querySelectorAll("#groups li")].map(li => li.textContent)`)
	var want []string
	for _, r := range expectedRows(t) {
		want = append(want, r[1])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the example lists\n %q\nwant\n %q", got, want)
	}
	if n := eval[int](p, "sessionStorage.length"); n != 1 {
		t.Errorf("sessionStorage holds %d items, want the token document only", n)
	}
	if n := eval[int](p, "localStorage.length"); n != 0 {
		t.Errorf("storage: \"sessionStorage\" wrote %d localStorage items", n)
	}
}

// installPackage copies what npm would install from the package: package.json and its files.
func installPackage(t *testing.T, dst string) {
	t.Helper()
	src := filepath.Join(dist, "js")
	raw, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Name  string   `json:"name"`
		Files []string `json:"files"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	if pkg.Name != "@globus-edge/browser" {
		t.Errorf("package name %q", pkg.Name)
	}
	for _, f := range append([]string{"package.json"}, pkg.Files...) {
		copyFile(t, filepath.Join(src, f), filepath.Join(dst, f))
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("copying: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
