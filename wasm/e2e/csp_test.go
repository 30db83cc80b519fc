//go:build !(js && wasm)

package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
)

// TestCSP checks the built page's policy and that the browser enforces it: eval is refused,
// and a Globus URL outside connect-src is blocked with a message that names the cause
// (here Auth on "localhost", which the test build's connect-src, 127.0.0.1 only, lacks).
func TestCSP(t *testing.T) {
	html, err := os.ReadFile(filepath.Join(webDir(), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindSubmatch(html)
	if m == nil {
		t.Fatal("index.html has no CSP meta tag")
	}
	csp := string(m[1])
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval';", "style-src 'sha256-", "connect-src 'self' http://127.0.0.1:*;", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "'unsafe-eval'", "{{"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q contains %q", csp, bad)
		}
	}

	fake := globustest.NewT(t, globustest.Options{})
	u, _ := url.Parse(fake.AuthURL())
	localhostAuth := "http://localhost:" + u.Port()
	p := openPage(t, pageSite(t, fake, map[string]any{"authUrl": localhostAuth}))
	p.waitState("logged-out")
	// DevTools may eval despite a CSP unless told not to; the page's own code may not.
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(() => { try { new Function("return 1")(); return "allowed"; } catch (e) { return e.name; } })()`,
		func(e *runtime.EvaluateParams) { f := false; e.AllowUnsafeEvalBlockedByCSP = &f }))
	if err != nil || got != "EvalError" {
		t.Errorf("eval in the page: %q, %v; want EvalError (CSP not enforced)", got, err)
	}
	p.click("#login-redirect")
	// The error names the CSP at once (the page keeps naming it when Go's network error
	// arrives, after the core's retries of what looks like a network failure).
	p.waitUntil(`document.getElementById("error-title").textContent.includes("Content-Security-Policy")`)
	if d := p.text("#error-details"); !strings.Contains(d, "connect-src") || !strings.Contains(d, "localhost") {
		t.Errorf("CSP error details %q", d)
	}
	if m := p.text("#error-message"); !strings.Contains(m, "rebuild the page") {
		t.Errorf("CSP error message %q does not say what to do", m)
	}
	if n := fake.Count("grant:authorization_code"); n != 0 {
		t.Errorf("the blocked token request reached the fake %d times", n)
	}
	if local, _ := p.storageSnapshot(); len(local) != 0 {
		t.Errorf("tokens stored: %v", keysOf(local))
	}
}

// TestDefaultConfig: without config.json the page uses production Globus and the tutorial
// client, offers only the paste-code login, and builds the right authorize link (building it
// needs no network).
func TestDefaultConfig(t *testing.T) {
	s := newSite(t, webDir(), "")
	p := openPage(t, s)
	p.waitState("logged-out")
	// The inline CSS applies: its hash in style-src matches (else the CSP drops it and the
	// page reports the violation).
	if bg := eval[string](p, `getComputedStyle(document.getElementById("login-paste")).backgroundColor`); bg != "rgb(26, 95, 180)" {
		t.Errorf("the login button's background is %q, not page.css's accent: the inline CSS was blocked", bg)
	}
	if !eval[bool](p, `document.getElementById("error").hidden`) {
		t.Errorf("the page shows an error: %s", p.text("#error"))
	}
	info := p.text("#config-info")
	if !strings.Contains(info, config.TutorialClientID) || !strings.Contains(info, "https://auth.globus.org") ||
		!strings.Contains(info, "https://groups.api.globus.org") || !strings.Contains(info, "localStorage") {
		t.Errorf("config info %q is not the defaults", info)
	}
	if !eval[bool](p, `document.getElementById("login-redirect").disabled`) {
		t.Error("the redirect login is offered without a redirectUri")
	}
	if note := p.text("#redirect-note"); !strings.Contains(note, "redirectUri") {
		t.Errorf("redirect note %q does not say what is missing", note)
	}
	p.click("#login-paste")
	p.waitUntil(`document.getElementById("authorize-link").href.startsWith("https://auth.globus.org/v2/oauth2/authorize?")`)
	link, _ := url.Parse(eval[string](p, `document.getElementById("authorize-link").href`))
	q := link.Query()
	if q.Get("client_id") != config.TutorialClientID || q.Get("redirect_uri") != "https://auth.globus.org/v2/web/auth-code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("scope") != "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships" {
		t.Errorf("authorize link %s", link)
	}
	if rel := eval[string](p, `document.getElementById("authorize-link").rel`); !strings.Contains(rel, "noopener") {
		t.Errorf("authorize link rel %q", rel)
	}
}
