//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// goReady is true once the shim has started Go (it records this measure when Go says ready).
const goReady = `performance.getEntriesByName("globus-edge:ready").length > 0`

// TestClickBeforeGoIsReady: while the wasm response is held by the server (so Go cannot be
// running), the login control is shown and enabled, and a click on it is queued: once the
// module arrives the login goes through and the groups are listed.
func TestClickBeforeGoIsReady(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	s := pageSite(t, fake, nil)
	s.holdWasm()
	p := blankPage(t, s)
	p.startNavigation(s.URL + "/")
	s.waitHeld(t)
	p.waitState("starting") // page.js has run; the CSS is inline, so the layout is final
	p.clickUntil("#login-redirect", `document.body.dataset.state === "logging-in"`)
	if eval[bool](p, goReady) {
		t.Fatal("Go was ready before the held wasm was released: the test proves nothing")
	}
	if n := fake.Count("GET /v2/oauth2/authorize"); n != 0 {
		t.Fatalf("%d authorize requests before Go was ready", n)
	}
	s.release()
	p.waitState("logged-in")
	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("table rows\n got %q\nwant %q", got, want)
	}
	if n := fake.Count("grant:authorization_code"); n != 1 {
		t.Errorf("%d code exchanges, want 1", n)
	}
}

// TestRedirectAnswerLeavesAddressBarFirst: back from Globus with ?code&state, the page takes
// the answer out of the address bar (and so out of the history) while the wasm is still held,
// then finishes the login with it once Go is ready.
func TestRedirectAnswerLeavesAddressBarFirst(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	s := pageSite(t, fake, nil)
	// Uncacheable from the first load on, or the return would take the wasm from the cache
	// and never reach the held response.
	s.noStore = true
	p := openPage(t, s)
	back := authorizeAs(t, fake, p.startPausedLogin(fake))
	code := back.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", back)
	}
	s.holdWasm()
	p.startNavigation(back.String())
	s.waitHeld(t)
	p.waitState("logging-in") // page.js has run and seen the answer
	if eval[bool](p, goReady) {
		t.Fatal("Go was ready before the held wasm was released: the test proves nothing")
	}
	if search := eval[string](p, "location.search"); search != "" {
		t.Errorf("while the wasm is held the address bar keeps %q", search)
	}
	for _, u := range p.history() {
		if strings.Contains(u, code) {
			t.Errorf("while the wasm is held a history entry keeps the code: %s", u)
		}
	}
	s.release()
	p.waitState("logged-in")
	if n := fake.Count("grant:authorization_code"); n != 1 {
		t.Errorf("%d code exchanges, want 1", n)
	}
	if search := eval[string](p, "location.search"); search != "" {
		t.Errorf("after the login the address bar keeps %q", search)
	}
}

// TestPreloadIsReused: the shim's fetch takes over the HTML's preload of the wasm, so a load
// downloads the module once even when nothing may be cached (a preload the fetch did not
// match would be a second request).
func TestPreloadIsReused(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	s := pageSite(t, fake, nil)
	s.noStore = true
	p := openPage(t, s)
	p.waitState("logged-out")
	if n := s.count("/" + pageWasmName(t)); n != 1 {
		t.Errorf("the wasm was requested %d times in one load, want 1", n)
	}
}

// TestRepeatVisitUsesCachedWasm: a second visit in the same browser context revalidates
// index.html but takes the content-hashed wasm from the HTTP cache without a request.
// It fails when the page's wasm grows past 6,553,600 bytes raw: headless Chromium's cache for
// a fresh context (in memory) keeps no larger entry, so every visit would fetch and compile the
// module again. The page was 6,546,213 bytes before the Doer change, 6,287,969 after.
func TestRepeatVisitUsesCachedWasm(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	s := pageSite(t, fake, nil)
	p := openPage(t, s)
	p.waitState("logged-out")
	wasm := "/" + pageWasmName(t)
	if n := s.count(wasm); n != 1 {
		t.Fatalf("first visit: the wasm was requested %d times, want 1", n)
	}
	p.navigate(s.URL + "/")
	p.waitState("logged-out")
	if n := s.count("/"); n != 2 {
		t.Errorf("index.html was requested %d times in two visits, want 2 (it must be revalidated)", n)
	}
	if n := s.count(wasm); n != 1 {
		t.Errorf("the second visit requested the wasm again (%d requests in all)", n)
	}
	size := eval[float64](p, fmt.Sprintf(`performance.getEntriesByType("resource").find(e => e.name.endsWith(%q))?.transferSize ?? -1`, wasm))
	if size != 0 {
		t.Errorf("the second visit's wasm transferSize is %v, want 0 (from the cache)", size)
	}
}

// TestConfigJSONPassesThrough: config.json reaches the client as it is: namespace (which the
// page used to drop) picks the token document's key, and an unknown key is warned about.
func TestConfigJSONPassesThrough(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, map[string]any{"namespace": "ns-e2e", "clientID": "typo"}))
	p.loginRedirect()
	if d := p.storedTokens("globus-edge:" + e2eClientID + ":ns-e2e"); d == nil {
		t.Error("no token document under the configured namespace")
	}
	if d := p.storedTokens(storageKey); d != nil {
		t.Error("tokens stored under the default namespace despite config.json's namespace")
	}
	if console := strings.Join(p.tab.Console(), "\n"); !strings.Contains(console, "unknown config key") || !strings.Contains(console, "clientID") {
		t.Errorf("no warning about the unknown key; console:\n%s", strings.Join(p.tab.Console(), "\n"))
	}
}
