//go:build !(js && wasm)

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/globus-edge/globus-edge/globustest"
)

// TestRedirectLogin logs in with the redirect button and checks the table (the awkward names
// rendered as text), the CSV, the stored document, the cleaned address bar, and keeps a
// screenshot.
func TestRedirectLogin(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()

	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("table rows\n got %q\nwant %q", got, want)
	}
	names := strings.Join(eval[[]string](p, `[...document.querySelectorAll("#groups-body td.name")].map(td => td.innerHTML)`), "\n")
	for _, want := range []string{`Physics, Chemistry &amp; Biology`, `The "Quoted" Group`, "Équipe Données — 東京", "Line one\nLine two"} {
		if !strings.Contains(names, want) {
			t.Errorf("a name is not rendered as text: want innerHTML %q among\n%s", want, names)
		}
	}
	if n := eval[int](p, `document.querySelectorAll("#groups-body td *").length`); n != 0 {
		t.Errorf("group data created %d elements inside the table cells", n)
	}

	if csv := p.downloadCSV(); csv != expectedCSV(t) {
		t.Errorf("downloaded CSV differs from the CLI's\n got %q\nwant %q", csv, expectedCSV(t))
	}

	if search := eval[string](p, "location.search"); search != "" {
		t.Errorf("the code and state stay in the address bar: %q", search)
	}
	tok := p.groupsToken()
	if !fake.TokenActive(tok.AccessToken) || !fake.TokenActive(tok.RefreshToken) {
		t.Error("the stored tokens are not the fake's live tokens")
	}
	if _, session := p.storageSnapshot(); len(session) != 0 {
		t.Errorf("the login in progress was not removed from sessionStorage: %v", keysOf(session))
	}
	if n := fake.Count("grant:authorization_code"); n != 1 {
		t.Errorf("%d code exchanges, want 1", n)
	}
	if !strings.Contains(p.text("#config-info"), e2eClientID) {
		t.Errorf("config info %q does not name the client", p.text("#config-info"))
	}

	for _, m := range []string{"globus-edge:instantiate", "globus-edge:go-start", "globus-edge:ready"} {
		ms := eval[float64](p, fmt.Sprintf(`performance.getEntriesByName(%q)[0]?.duration ?? -1`, m))
		if ms < 0 {
			t.Errorf("no %s measure", m)
		}
		t.Logf("%s: %.0f ms", m, ms)
	}

	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10000 {
		t.Fatalf("screenshot is not a PNG of a page (%d bytes)", len(png))
	}
	path := filepath.Join(artifactDir(t), "web-logged-in.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the logged-in page: %s", path)
}

// TestPasteCodeLogin logs in the tutorial's way: the page shows the authorize link, a second
// tab opens it and Globus's auth-code page shows the code, which is typed into the page.
func TestPasteCodeLogin(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	// The tutorial client knows only the auth-code page as redirect URI.
	p := openPage(t, pageSite(t, fake, map[string]any{"clientId": globustest.TutorialClientID, "redirectUri": nil}))
	p.waitState("logged-out")
	if !eval[bool](p, `document.getElementById("login-redirect").disabled`) {
		t.Error("the redirect login is offered without a redirectUri")
	}
	p.click("#login-paste")
	p.waitUntil(`document.getElementById("authorize-link").href.includes("/v2/oauth2/authorize")`)
	link := eval[string](p, `document.getElementById("authorize-link").href`)
	if u, _ := url.Parse(link); u.Query().Get("redirect_uri") != fake.AuthCodePageURL() {
		t.Fatalf("authorize link %s does not end on the auth-code page", link)
	}

	other := p.otherTab()
	other.navigate(link) // Globus's authorize page approves and redirects to the auth-code page
	other.waitUntil(`document.getElementById("auth-code")`)
	code := other.text("#auth-code")
	if code == "" {
		t.Fatal("the auth-code page shows no code")
	}

	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS("#code-input"), code)); err != nil {
		t.Fatal(err)
	}
	p.click("#code-submit")
	p.waitState("logged-in")
	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("table rows\n got %q\nwant %q", got, want)
	}
	if d := p.storedTokens("globus-edge:" + globustest.TutorialClientID + ":DEFAULT"); d == nil {
		t.Error("no tokens stored under the tutorial client's key")
	}
	if n := fake.Count("grant:authorization_code"); n != 1 {
		t.Errorf("%d code exchanges, want 1", n)
	}
}

// pauseAtAuthorize makes the fake's next authorize request answer a plain page instead of
// redirecting, so the test can read the authorize URL the page built (with its state) and
// decide itself what comes back.
func pauseAtAuthorize(fake *globustest.Server) {
	fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/oauth2/authorize", Status: 200,
		Body: `<p id="paused">paused by the test</p>`, ContentType: "text/html"})
}

// startPausedLogin clicks the redirect login and returns the authorize URL the page went to.
func (p *page) startPausedLogin(fake *globustest.Server) *url.URL {
	p.t.Helper()
	pauseAtAuthorize(fake)
	p.waitState("logged-out")
	p.click("#login-redirect")
	p.waitUntil(`document.getElementById("paused")`)
	u, err := url.Parse(eval[string](p, "location.href"))
	if err != nil || u.Query().Get("state") == "" {
		p.t.Fatalf("paused at %v (%v)", u, err)
	}
	return u
}

// authorizeAs plays the user at the fake for an authorize URL and returns where Auth sends
// the browser back.
func authorizeAs(t *testing.T, fake *globustest.Server, u *url.URL) *url.URL {
	t.Helper()
	loc, err := fake.Authorize(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// expectLoginRefused checks the outcome of a refused redirect: an error in words, the
// logged-out view, nothing stored (but the login in progress after a state mismatch), the
// address bar cleaned.
func (p *page) expectLoginRefused(code, words string) {
	p.t.Helper()
	p.waitUntil(`!document.getElementById("error").hidden`)
	p.waitState("logged-out")
	if got := p.text("#error-meta"); !slices.Contains(strings.Split(got, " · "), "code "+code) {
		p.t.Errorf("error meta %q, want code %s", got, code)
	}
	if got := p.text("#error-message"); !strings.Contains(got, words) {
		p.t.Errorf("error message %q, want %q", got, words)
	}
	local, session := p.storageSnapshot()
	if code == "state_mismatch" {
		// A forged redirect must not cancel the tab's login in progress (auth.PendingLogin
		// TakeMatching): that login stays; nothing else may be stored.
		delete(session, "globus-edge-flow:"+e2eClientID)
	}
	if len(local) != 0 || len(session) != 0 {
		p.t.Errorf("something was stored: localStorage %v, sessionStorage %v", keysOf(local), keysOf(session))
	}
	if s := eval[string](p, "location.search"); s != "" {
		p.t.Errorf("address bar keeps %q", s)
	}
}

// TestStateMismatch: a redirect whose state is not the one this tab's login sent is
// refused before the code is used.
func TestStateMismatch(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	u := p.startPausedLogin(fake)
	q := u.Query()
	q.Set("state", "forged-state")
	u.RawQuery = q.Encode()
	p.navigate(authorizeAs(t, fake, u).String())
	p.expectLoginRefused("state_mismatch", "does not belong to the login started in this tab")
	if n := fake.Count("grant:authorization_code"); n != 0 {
		t.Errorf("the code was exchanged %d times despite the state mismatch", n)
	}
}

// TestReplayedCode: the redirect back from a finished login is replayed, first as is (no
// login in progress any more), then with the state of a new login (Globus refuses the used
// code). Nothing is stored either time.
func TestReplayedCode(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	back := authorizeAs(t, fake, p.startPausedLogin(fake))
	p.navigate(back.String())
	p.waitState("logged-in")
	p.click("#logout")
	p.waitState("logged-out")

	p.navigate(back.String())
	p.expectLoginRefused("no_login_in_progress", "no login in progress")

	second := p.startPausedLogin(fake)
	q := back.Query()
	q.Set("state", second.Query().Get("state"))
	replay := *back
	replay.RawQuery = q.Encode()
	p.navigate(replay.String())
	p.expectLoginRefused("invalid_grant", "Globus refused the login code")
	if n := fake.Count("grant:authorization_code"); n != 2 {
		t.Errorf("%d code exchanges, want 2 (the login and the refused replay)", n)
	}
}

// TestAccessDenied: the user declines at Globus; the page says so and stores nothing. The
// error's code is the kind (authorize_error); Globus's OAuth error is its Globus code.
func TestAccessDenied(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	fake.SetDenyNextAuthorize("access_denied")
	p.waitState("logged-out")
	p.click("#login-redirect")
	p.expectLoginRefused("authorize_error", "cancelled")
	if got := p.text("#error-meta"); !strings.Contains(got, "Globus code access_denied") {
		t.Errorf("error meta %q, want Globus code access_denied", got)
	}
}

// TestGroupNamesAreText: a group name holding markup is shown as text (no element created,
// no script run) and reaches the CSV unchanged.
func TestGroupNamesAreText(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	const name = `<img src=x onerror="document.title='pwned'"><b>bold</b> & "q"`
	body := fmt.Sprintf(`[{"id":"g-1","name":%q,"my_memberships":[{"group_id":"g-1","identity_id":"u","username":"u@example.org","role":"admin","status":"active"}]}]`, name)
	fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/groups/my_groups", Status: 200, Body: body})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	if got := p.rows(); !reflect.DeepEqual(got, [][]string{{"g-1", name, "admin"}}) {
		t.Errorf("rows %q", got)
	}
	if n := eval[int](p, `document.querySelectorAll("#groups-body td *").length`); n != 0 {
		t.Errorf("the name created %d elements", n)
	}
	if title := eval[string](p, "document.title"); title == "pwned" {
		t.Error("markup in a group name ran a script")
	}
	if csv := p.downloadCSV(); csv != "ID,Name,Roles\ng-1,\"<img src=x onerror=\"\"document.title='pwned'\"\"><b>bold</b> & \"\"q\"\"\",admin\n" {
		t.Errorf("CSV %q", csv)
	}
}
