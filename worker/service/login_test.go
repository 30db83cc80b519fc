package service_test

import (
	"context"
	"encoding/json"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// checkCookie asserts the attributes every backend cookie must have.
func checkCookie(t *testing.T, r *resp, name string, wantMaxAge time.Duration) *http.Cookie {
	t.Helper()
	for _, c := range r.Cookies() {
		if c.Name != name {
			continue
		}
		if !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: Secure=%v HttpOnly=%v Path=%q Domain=%q SameSite=%v; want Secure, HttpOnly, Path=/, no Domain, Lax",
				name, c.Secure, c.HttpOnly, c.Path, c.Domain, c.SameSite)
		}
		if wantMaxAge < 0 && c.MaxAge >= 0 || wantMaxAge > 0 && c.MaxAge != int(wantMaxAge/time.Second) {
			t.Errorf("cookie %s: Max-Age %d, want %v", name, c.MaxAge, wantMaxAge)
		}
		return c
	}
	t.Fatalf("response sets no %s cookie (Set-Cookie: %q)", name, r.Header.Values("Set-Cookie"))
	return nil
}

func TestLoginStartsAPKCEFlowBoundToTheBrowser(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	r := b.get("/login?return_to=/after/login%3Fx=1")
	if r.StatusCode != http.StatusFound {
		t.Fatalf("GET /login = %d %s", r.StatusCode, r.body)
	}
	sealed := checkCookie(t, r, service.StateCookie, auth.PendingTTL).Value
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), h.fake.AuthURL()+"/v2/oauth2/authorize?") {
		t.Fatalf("Location %q is not the fake's authorize URL", r.Header.Get("Location"))
	}
	q := loc.Query()
	state := q.Get("state")
	want := map[string]string{
		"client_id": testClientID, "redirect_uri": h.srv.URL + "/callback", "state": state,
		"response_type": "code", "code_challenge_method": "S256", "access_type": "offline",
		"scope": groups.ScopeViewMyGroupsAndMemberships,
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorize URL %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(state) != 43 {
		t.Errorf("state %q is not 32 random bytes in base64url", state)
	}
	// The login in progress: in the state cookie, sealed and bound to the cookie's name, valid
	// for 10 minutes. Starting a login writes nothing to KV.
	if snap := h.kv.Snapshot(); len(snap) != 0 {
		t.Fatalf("GET /login wrote to KV: %v", snap)
	}
	pt, err := h.keys.Open([]byte(sealed), []byte(service.StateCookie))
	if err != nil {
		t.Fatalf("the state cookie does not open: %v", err)
	}
	var rec struct {
		Flow struct {
			Verifier, State string
			ReturnTo        string `json:"return_to"`
		}
		Expires int64
	}
	if err := json.Unmarshal(pt, &rec); err != nil || rec.Flow.State != state || rec.Flow.ReturnTo != "/after/login?x=1" {
		t.Fatalf("login record %s: %v", pt, err)
	}
	if left := time.Until(time.Unix(rec.Expires, 0)); left <= 9*time.Minute || left > auth.PendingTTL {
		t.Errorf("the login in progress expires in %v, want %v", left, auth.PendingTTL)
	}
	if globustest.S256Challenge(rec.Flow.Verifier) != q.Get("code_challenge") {
		t.Error("code_challenge is not S256 of the stored verifier")
	}
	h.remember(rec.Flow.Verifier)
	h.remember(state)
	if strings.Contains(sealed, state) || strings.Contains(sealed, rec.Flow.Verifier) {
		t.Error("state or verifier in plaintext in the cookie")
	}

	// The callback: a session, the state cookie cleared, back to return_to.
	cb, err := h.fake.Authorize(context.Background(), loc.String())
	if err != nil {
		t.Fatal(err)
	}
	h.remember(cb.Query().Get("code"))
	r = b.callback(cb)
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/after/login?x=1" {
		t.Fatalf("callback = %d Location %q %s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	// The cookie lasts as long as the session can: its maximum age (shorter than the idle TTL).
	sid := checkCookie(t, r, service.SessionCookie, service.DefaultSessionMaxAge).Value
	checkCookie(t, r, service.StateCookie, -1)
	if ttl, ok := h.kv.TTL(kvstore.SessionKey(sid)); !ok || ttl <= 0 || ttl > service.DefaultSessionMaxAge {
		t.Errorf("session record: present %v, TTL %v", ok, ttl)
	}
	tok := h.groupsToken(sid)
	if !h.fake.TokenActive(tok.AccessToken) || !h.fake.TokenActive(tok.RefreshToken) {
		t.Error("stored tokens are not the live ones the fake issued")
	}
	if h.fake.Count("grant:authorization_code") != 1 {
		t.Errorf("code exchanges = %d, want 1", h.fake.Count("grant:authorization_code"))
	}
	if got := b.get("/groups"); got.StatusCode != http.StatusOK {
		t.Errorf("/groups after login = %d %s", got.StatusCode, got.body)
	}
	h.checkNoSecrets()
}

func TestConfidentialClientLogsIn(t *testing.T) {
	h := newHarness(t, options{secret: "s3cret-of-the-backend"})
	b := h.browser()
	b.login()
	if r := b.get("/groups"); r.StatusCode != http.StatusOK {
		t.Fatalf("/groups = %d %s", r.StatusCode, r.body)
	}
	h.remember("s3cret-of-the-backend")
	h.checkNoSecrets()
}

func TestReturnToIsSameOriginOnly(t *testing.T) {
	cases := map[string]string{
		"":                     "/",
		"/":                    "/",
		"/groups?format=csv":   "/groups?format=csv",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"evil":                 "/",
		"/\t/evil.example":     "/",
		"/a\nb":                "/",
		"/ok/path":             "/ok/path",
	}
	for in, want := range cases {
		if got := service.SafeReturnTo(in); got != want {
			t.Errorf("SafeReturnTo(%q) = %q, want %q", in, got, want)
		}
	}
	h := newHarness(t, options{})
	b := h.browser()
	r := b.callback(b.startLogin("/login?return_to=" + url.QueryEscape("//evil.example/x")))
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/" {
		t.Fatalf("open redirect: callback = %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// errorBody decodes a JSON error answer and checks its shape.
func errorBody(t *testing.T, r *resp, status int, code string) service.ErrorBody {
	t.Helper()
	var e service.ErrorBody
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("status %d, body %q is not a JSON error: %v", r.StatusCode, r.body, err)
	}
	if r.StatusCode != status || e.Error != code {
		t.Fatalf("got %d %q (%s), want %d %q", r.StatusCode, e.Error, e.Message, status, code)
	}
	if e.RequestID == "" || e.RequestID != r.Header.Get("X-Request-Id") || e.Message == "" {
		t.Errorf("error body %+v lacks a message or the request id %q", e, r.Header.Get("X-Request-Id"))
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("error Content-Type %q", r.Header.Get("Content-Type"))
	}
	return e
}

func TestCallbackStateRules(t *testing.T) {
	h := newHarness(t, options{})
	noSession := func(t *testing.T, b *browser) {
		t.Helper()
		if b.cookie(service.SessionCookie) != nil {
			t.Error("a session cookie was set")
		}
	}
	t.Run("no state", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		q := cb.Query()
		q.Del("state")
		errorBody(t, b.get("/callback?"+q.Encode()), 400, string(app.KindStateMismatch))
		noSession(t, b)
		// The refused callback left the login in progress: the real one still finishes it.
		if r := b.callback(cb); r.StatusCode != http.StatusFound {
			t.Fatalf("the real callback after a refused one = %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("no state cookie", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		b.c.SetCookie(service.StateCookie, nil)
		errorBody(t, b.callback(cb), 400, string(app.KindNoLogin))
		noSession(t, b)
	})
	t.Run("state from another browser", func(t *testing.T) {
		victim, attacker := h.browser(), h.browser()
		attacker.startLogin("/login")
		cb := victim.startLogin("/login") // attacker replays the victim's callback URL
		errorBody(t, attacker.callback(cb), 400, string(app.KindStateMismatch))
		noSession(t, attacker)
		// ...which cannot touch the victim's login: it is in the victim's browser.
		if r := victim.callback(cb); r.StatusCode != http.StatusFound {
			t.Fatalf("the victim's callback = %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("forged error", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		errorBody(t, b.get("/callback?error=access_denied&state="+strings.Repeat("A", 43)), 400, string(app.KindStateMismatch))
		if r := b.callback(cb); r.StatusCode != http.StatusFound {
			t.Fatalf("a forged ?error= link cancelled the login in progress: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("reused state", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		if r := b.callback(cb); r.StatusCode != http.StatusFound {
			t.Fatalf("first callback = %d %s", r.StatusCode, r.body)
		}
		first := b.cookie(service.SessionCookie).Value
		errorBody(t, b.callback(cb), 400, string(app.KindNoLogin)) // the browser dropped the state cookie
		if b.cookie(service.SessionCookie).Value != first {
			t.Error("a replayed callback replaced the session")
		}
	})
	t.Run("forged state cookie", func(t *testing.T) {
		b := h.browser()
		forged := strings.Repeat("A", 43)
		b.setCookie(service.StateCookie, forged)
		errorBody(t, b.get("/callback?code=x&state="+forged), 400, string(app.KindNoLogin))
		if b.cookie(service.StateCookie) != nil {
			t.Error("an unreadable state cookie was kept")
		}
	})
	t.Run("no code", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		q := cb.Query()
		q.Del("code")
		errorBody(t, b.get("/callback?"+q.Encode()), 400, string(app.KindBadCallback))
		noSession(t, b)
	})
	// Only the callbacks with the browser's own state reach Globus: "no state", "state from
	// another browser", "forged error" and "reused state" each finish one real login.
	if n := h.fake.Count("grant:authorization_code"); n != 4 {
		t.Errorf("code exchanges = %d, want 4", n)
	}
	h.checkNoSecrets()
}

// TestAnonymousTrafficCostsNoKVWrite: starting logins and sending callbacks that do not
// belong to a login in this browser never touch KV (a script must not burn the write quota).
func TestAnonymousTrafficCostsNoKVWrite(t *testing.T) {
	h := newHarness(t, options{})
	for range 20 {
		b := h.browser()
		b.get("/login")
		b.get("/callback?code=x&state=" + strings.Repeat("B", 43))
		h.browser().get("/callback?code=x&state=" + strings.Repeat("C", 43))
	}
	if n := h.kvOps.Load(); n != 0 {
		t.Fatalf("%d KV operations for anonymous logins and forged callbacks, want 0", n)
	}
}

func TestCallbackAccessDenied(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	h.fake.SetDenyNextAuthorize("access_denied")
	cb := b.startLogin("/login")
	if cb.Query().Get("error") != "access_denied" {
		t.Fatalf("fake did not deny: %s", cb)
	}
	// The kind is the error; Globus's OAuth error travels apart (README, the worker's errors).
	if e := errorBody(t, b.callback(cb), 400, "authorize_error"); e.GlobusCode != "access_denied" || e.GlobusStatus != 0 {
		t.Errorf("globus_code %q globus_status %d, want access_denied and none", e.GlobusCode, e.GlobusStatus)
	}
	// Anything in ?error= that is not an OAuth error code is not passed on as one.
	b2 := h.browser()
	q := b2.startLogin("/login").Query()
	q.Del("code")
	q.Set("error", "<script>")
	if e := errorBody(t, b2.get("/callback?"+q.Encode()), 400, "authorize_error"); e.GlobusCode != "" {
		t.Errorf("globus_code %q, want none for a value that is no OAuth error code", e.GlobusCode)
	}
	if b.cookie(service.SessionCookie) != nil {
		t.Error("session cookie after a denied login")
	}
	if len(h.kv.Snapshot()) != 0 {
		t.Errorf("KV not empty after a denied login: %v", h.kv.Snapshot())
	}
	if h.fake.Count("POST /v2/oauth2/token") != 0 {
		t.Error("a denied login called the token endpoint")
	}
}

func TestCallbackReplayedCode(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	cb := b.startLogin("/login")
	if r := b.callback(cb); r.StatusCode != http.StatusFound {
		t.Fatalf("callback = %d %s", r.StatusCode, r.body)
	}
	firstSID := b.cookie(service.SessionCookie).Value
	// An attacker who stole the code starts their own login and feeds the code to it.
	attacker := h.browser()
	ab := attacker.startLogin("/login")
	q := ab.Query()
	q.Set("code", cb.Query().Get("code"))
	errorBody(t, attacker.get("/callback?"+q.Encode()), 400, "invalid_grant")
	if attacker.cookie(service.SessionCookie) != nil {
		t.Error("a replayed code produced a session")
	}
	if h.fake.Count("grant:authorization_code") != 2 {
		t.Errorf("code exchanges = %d, want 2", h.fake.Count("grant:authorization_code"))
	}
	// The fake, like Auth, revokes what the code had issued: the victim's session is dead.
	errorBody(t, b.get("/groups"), 401, string(app.KindLoginRequired))
	if _, ok := h.record(firstSID); ok {
		t.Error("a dead session stays in KV")
	}
	h.checkNoSecrets()
}

// TestReloginEndsThePreviousSession: a new login in a browser that holds a session revokes and
// deletes the old session's tokens instead of leaving them live and orphaned in KV.
func TestReloginEndsThePreviousSession(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	first := b.login()
	old := h.groupsToken(first)
	second := b.login()
	if second == first {
		t.Fatal("the new login kept the old session id")
	}
	if _, ok := h.record(first); ok {
		t.Error("the previous session's record is still in KV")
	}
	if h.fake.TokenActive(old.AccessToken) || h.fake.TokenActive(old.RefreshToken) {
		t.Error("the previous session's tokens were not revoked")
	}
	if r := b.get("/groups"); r.StatusCode != http.StatusOK {
		t.Fatalf("/groups with the new session = %d %s", r.StatusCode, r.body)
	}
}
