//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/browsertest"
	"github.com/globus-edge/globus-edge/internal/doctest"
	"github.com/globus-edge/globus-edge/internal/tutorialuser"
	"github.com/globus-edge/globus-edge/tokens"
)

// The snippets of js/README.md, run as their reader would run them (internal/doctest says how
// blocks are marked and what the harness supplies), each in an app folder holding the package
// installed from its tarball.

// docClientID is the client id the snippets show; the harness registers it with the fake.
const docClientID = "YOUR-CLIENT-ID"

// docApp makes the folder of a doc app: the installed package and the app's blocks, each
// through fill. It skips the test, loudly, when the app is pending.
func docApp(t *testing.T, app string, fill func(name, text string) string) string {
	t.Helper()
	if reason, ok := doctest.Pending[app]; ok {
		t.Skipf("PENDING doc app %s: %s", app, reason)
	}
	files, err := doctest.App(root, app)
	if err != nil {
		t.Fatal(err)
	}
	dir := newApp(t)
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fill(name, text)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pointAtFake adds the fake's authUrl and groupsUrl to every object passed to
// createGlobusClient({ in a .js/.mjs file (the snippet's own keys come later and win).
func pointAtFake(t *testing.T, fake *globustest.Server) func(name, text string) string {
	return func(name, text string) string {
		if !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".mjs") {
			return text
		}
		const call = "createGlobusClient({"
		if !strings.Contains(text, call) {
			t.Fatalf("%s has no %s for the harness to point at the fake", name, call)
		}
		return strings.ReplaceAll(text, call, fmt.Sprintf("%s authUrl: %q, groupsUrl: %q,", call, fake.AuthURL(), fake.GroupsURL()))
	}
}

// TestDocsNode runs the Node snippet twice in an app folder, HOME a temporary directory: the
// first run asks for the code (typed by tutorialuser) and prints the CLI's CSV, writing the
// token file; the second uses the token file without calling Auth.
func TestDocsNode(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	dir := docApp(t, "node", pointAtFake(t, fake))
	home := t.TempDir()
	script := func() *exec.Cmd {
		cmd := exec.Command("node", "main.mjs")
		cmd.Dir = dir
		cmd.Env = nodeEnv(t, "HOME="+home)
		return cmd
	}
	var first strings.Builder
	if err := tutorialuser.Login(script(), tutorialuser.Approver(fake), &first); err != nil {
		t.Fatalf("first run: %v\n%s", err, first.String())
	}
	if !strings.HasSuffix(first.String(), want) {
		t.Fatalf("first run printed\n%s\nwant it to end with the CLI's CSV\n%s", first.String(), want)
	}
	doc := readTokenFile(t, filepath.Join(home, ".list-my-globus-groups-tokens.json"))
	if doc.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken == "" {
		t.Error("the token file has no Groups refresh token in namespace DEFAULT")
	}
	fake.ResetCounts()
	out, err := script().CombinedOutput()
	if err != nil || string(out) != want {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if n := fake.Count("POST /v2/oauth2/token"); n != 0 {
		t.Errorf("the second run made %d token calls, want 0", n)
	}
	assertNoTokens(t, fake, "the snippet's output", first.String()+string(out))
}

// TestDocsWorker bundles the Worker snippet with its wrangler.toml as wrangler deploy would and
// runs it in workerd: no session is 401, /login sets the session cookie and redirects to
// Globus, /callback with that cookie finishes the login, /groups is the CLI's CSV.
func TestDocsWorker(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	dir := docApp(t, "worker", func(_, text string) string { return text })
	toml, _ := os.ReadFile(filepath.Join(dir, "wrangler.toml"))
	for _, re := range []string{`(?m)^compatibility_date = "\d{4}-\d\d-\d\d"$`, `(?m)^binding = "TOKENS"$`, `(?m)^main = "worker.js"$`,
		`(?m)^class_name = "SessionCoordinator"$`, `(?m)^new_sqlite_classes = \["SessionCoordinator"\]`} {
		if !regexp.MustCompile(re).Match(toml) {
			t.Errorf("the snippet's wrangler.toml lacks %s", re)
		}
	}
	s := serve(t, bundle(t, dir), "worker.js", "GLOBUS_CLIENT_ID="+docClientID,
		"GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL(), "--coordinator")
	fake.RegisterClient(globustest.Client{ID: docClientID, RedirectURIs: []string{s.URL + "/callback"}})

	u := &user{s: s}
	if code, body, _ := u.do(t, "GET", "/groups"); code != http.StatusUnauthorized {
		t.Errorf("/groups without a session answered %d %s", code, body)
	}
	code, body, resp := u.do(t, "GET", "/login")
	if code != http.StatusFound {
		t.Fatalf("/login answered %d %s", code, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-session" && c.HttpOnly && c.Secure {
			u.cookie = c
		}
	}
	if u.cookie == nil {
		t.Fatalf("/login set no HttpOnly, Secure session cookie: %v", resp.Header["Set-Cookie"])
	}
	loc, err := fake.Authorize(t.Context(), resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if code, body, resp := u.do(t, "GET", "/callback?"+loc.RawQuery); code != http.StatusFound || resp.Header.Get("Location") != s.URL+"/groups" {
		t.Fatalf("/callback answered %d %s", code, body)
	}
	if code, body, _ := u.do(t, "GET", "/groups"); code != 200 || body != want {
		t.Errorf("/groups answered %d\n%s\nwant the CLI's CSV\n%s", code, body, want)
	}
	assertNoTokens(t, fake, "the worker's log", s.log.String())
}

// TestDocsBrowser builds each page snippet with its README command (vite build; esbuild),
// serves the output, and logs in in headless Chromium: login() goes to the fake and back,
// handleRedirect finishes it and the page shows the groups.
func TestDocsBrowser(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	var rows []string
	for i, rec := range splitCSV(t, want) {
		if i > 0 {
			rows = append(rows, rec[1]+": "+strings.ReplaceAll(rec[2], "|", ", "))
		}
	}
	t.Run("vite", func(t *testing.T) {
		tab, _, _ := runPage(t, fake, "vite")
		if got := shown(t, tab); got != strings.Join(rows, "\n") {
			t.Errorf("the page shows\n%s\nwant\n%s", got, strings.Join(rows, "\n"))
		}
		var csv string
		json.Unmarshal(waitFor(t, tab, `window.__csv || (fetch(document.querySelector("#csv").href).then((r) => r.text()).then((s) => { window.__csv = s; }), null)`), &csv)
		if csv != want {
			t.Errorf("the CSV link gives\n%s\nwant\n%s", csv, want)
		}
	})
	t.Run("esbuild", func(t *testing.T) {
		tab, url, dir := runPage(t, fake, "esbuild")
		if got := shown(t, tab); got != want {
			t.Errorf("the page shows\n%s\nwant the CLI's CSV\n%s", got, want)
		}

		// Without the wasm, the failure names the URL the page tried.
		wasms, _ := filepath.Glob(filepath.Join(dir, "dist", "*.wasm"))
		if len(wasms) != 1 {
			t.Fatalf("esbuild emitted %d wasm files, want 1", len(wasms))
		}
		os.Remove(wasms[0])
		tab = browsertest.New(t)
		if err := chromedp.Do(tab.Ctx, chromedp.Navigate(url+"/")); err != nil {
			t.Fatal(err)
		}
		wantMsg := fmt.Sprintf("loading the wasm from %s/%s: HTTP 404", url, filepath.Base(wasms[0]))
		waitFor(t, tab, "true")
		for range 100 {
			if strings.Contains(strings.Join(tab.Console(), "\n"), wantMsg) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("the console does not say %q:\n%s", wantMsg, strings.Join(tab.Console(), "\n"))
	})
}

// shown waits for the page to replace "Loading…" in #groups and returns what it shows.
func shown(t *testing.T, tab *browsertest.Tab) string {
	t.Helper()
	var s string
	json.Unmarshal(waitFor(t, tab, `document.querySelector("#groups").textContent !== "Loading…" && document.querySelector("#groups").textContent`), &s)
	return s
}

// runPage makes the app folder (the snippets, the page's address and the fake filled in),
// runs its build.sh block with the repository's vite and esbuild, serves dist/ and opens it.
func runPage(t *testing.T, fake *globustest.Server, app string) (*browsertest.Tab, string, string) {
	var dir string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			w.Header().Set("Content-Type", "application/wasm")
		}
		http.FileServer(http.Dir(filepath.Join(dir, "dist"))).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	toFake := pointAtFake(t, fake)
	dir = docApp(t, app, func(name, text string) string {
		return toFake(name, strings.ReplaceAll(text, "https://app.example.org/", srv.URL+"/"))
	})
	// The app's own devDependencies, as `npm install -D vite` (or esbuild) would give them.
	for _, tool := range []string{"vite", "esbuild"} {
		link(t, filepath.Join(root, "node_modules", tool), filepath.Join(dir, "node_modules", tool))
		bin := map[string]string{"vite": "../vite/bin/vite.js", "esbuild": "../esbuild/bin/esbuild"}[tool]
		link(t, bin, filepath.Join(dir, "node_modules", ".bin", tool))
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "build.sh")
	cmd.Dir = dir
	cmd.Env = nodeEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's build command: %v\n%s", err, out)
	}
	fake.RegisterClient(globustest.Client{ID: docClientID, RedirectURIs: []string{srv.URL + "/"}})
	tab := browsertest.New(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	return tab, srv.URL, dir
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
}
