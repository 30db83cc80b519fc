package bff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/bff"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
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
	state := checkCookie(t, r, bff.StateCookie, bff.FlowTTL).Value
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), h.fake.AuthURL()+"/v2/oauth2/authorize?") {
		t.Fatalf("Location %q is not the fake's authorize URL", r.Header.Get("Location"))
	}
	q := loc.Query()
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
	// The login record: under a hash of the state, short-lived, sealed.
	key := bff.FlowKey(state)
	ttl, ok := h.kv.TTL(key)
	if !ok || ttl < time.Minute || ttl > 10*time.Minute {
		t.Fatalf("login record %s: present %v, TTL %v; want 60 s to 10 min", key, ok, ttl)
	}
	raw, _, _ := h.kv.Get(context.Background(), key)
	pt, err := h.keys.Open([]byte(raw), []byte(key))
	if err != nil {
		t.Fatalf("login record does not open: %v", err)
	}
	var rec struct {
		Flow     struct{ Verifier, State string }
		ReturnTo string `json:"return_to"`
	}
	if err := json.Unmarshal(pt, &rec); err != nil || rec.Flow.State != state || rec.ReturnTo != "/after/login?x=1" {
		t.Fatalf("login record %s: %v", pt, err)
	}
	if globustest.S256Challenge(rec.Flow.Verifier) != q.Get("code_challenge") {
		t.Error("code_challenge is not S256 of the stored verifier")
	}
	h.remember(rec.Flow.Verifier)
	if strings.Contains(raw, state) || strings.Contains(raw, rec.Flow.Verifier) || strings.Contains(key, state) {
		t.Error("state or verifier in plaintext in KV")
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
	sid := checkCookie(t, r, bff.SessionCookie, bff.DefaultSessionTTL).Value
	checkCookie(t, r, bff.StateCookie, -1)
	if _, ok := h.kv.TTL(key); ok {
		t.Error("login record still in KV after the callback")
	}
	if ttl, ok := h.kv.TTL(bff.SessionKey(sid)); !ok || ttl <= 0 || ttl > bff.DefaultSessionTTL {
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
		if got := bff.SafeReturnTo(in); got != want {
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
func errorBody(t *testing.T, r *resp, status int, code string) bff.ErrorBody {
	t.Helper()
	var e bff.ErrorBody
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
		if _, ok := b.cookies[bff.SessionCookie]; ok {
			t.Error("a session cookie was set")
		}
	}
	t.Run("no state", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		q := cb.Query()
		q.Del("state")
		errorBody(t, b.get("/callback?"+q.Encode()), 400, bff.CodeInvalidState)
		noSession(t, b)
	})
	t.Run("no state cookie", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		delete(b.cookies, bff.StateCookie)
		errorBody(t, b.callback(cb), 400, bff.CodeInvalidState)
		noSession(t, b)
		if _, ok := h.kv.TTL(bff.FlowKey(cb.Query().Get("state"))); ok {
			t.Error("the login record survived a failed callback: it must be used up")
		}
	})
	t.Run("state from another browser", func(t *testing.T) {
		victim, attacker := h.browser(), h.browser()
		attacker.startLogin("/login")
		cb := victim.startLogin("/login") // attacker replays the victim's callback URL
		errorBody(t, attacker.callback(cb), 400, bff.CodeInvalidState)
		noSession(t, attacker)
		// ...which also used up the victim's login.
		errorBody(t, victim.callback(cb), 400, bff.CodeInvalidState)
	})
	t.Run("reused state", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		state := b.cookies[bff.StateCookie].Value
		if r := b.callback(cb); r.StatusCode != http.StatusFound {
			t.Fatalf("first callback = %d %s", r.StatusCode, r.body)
		}
		first := b.cookies[bff.SessionCookie].Value
		b.setCookie(bff.StateCookie, state) // a replay that also replays the cookie
		errorBody(t, b.callback(cb), 400, bff.CodeInvalidState)
		if b.cookies[bff.SessionCookie].Value != first {
			t.Error("a replayed callback replaced the session")
		}
	})
	t.Run("unknown state", func(t *testing.T) {
		b := h.browser()
		forged := strings.Repeat("A", 43)
		b.setCookie(bff.StateCookie, forged)
		errorBody(t, b.get("/callback?code=x&state="+forged), 400, bff.CodeInvalidState)
		errorBody(t, b.get("/callback?code=x&state=short"), 400, bff.CodeInvalidState)
	})
	t.Run("no code", func(t *testing.T) {
		b := h.browser()
		cb := b.startLogin("/login")
		q := cb.Query()
		q.Del("code")
		errorBody(t, b.get("/callback?"+q.Encode()), 400, bff.CodeBadCallback)
		noSession(t, b)
	})
	if n := h.fake.Count("grant:authorization_code"); n != 1 {
		t.Errorf("code exchanges = %d, want 1 (only the good callback may reach Globus)", n)
	}
	h.checkNoSecrets()
}

func TestCallbackAccessDenied(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	h.fake.SetDenyNextAuthorize("access_denied")
	cb := b.startLogin("/login")
	if cb.Query().Get("error") != "access_denied" {
		t.Fatalf("fake did not deny: %s", cb)
	}
	errorBody(t, b.callback(cb), 400, "access_denied")
	if _, ok := b.cookies[bff.SessionCookie]; ok {
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
	firstSID := b.cookies[bff.SessionCookie].Value
	// An attacker who stole the code starts their own login and feeds the code to it.
	attacker := h.browser()
	ab := attacker.startLogin("/login")
	q := ab.Query()
	q.Set("code", cb.Query().Get("code"))
	errorBody(t, attacker.get("/callback?"+q.Encode()), 400, "invalid_grant")
	if _, ok := attacker.cookies[bff.SessionCookie]; ok {
		t.Error("a replayed code produced a session")
	}
	if h.fake.Count("grant:authorization_code") != 2 {
		t.Errorf("code exchanges = %d, want 2", h.fake.Count("grant:authorization_code"))
	}
	// The fake, like Auth, revokes what the code had issued: the victim's session is dead.
	errorBody(t, b.get("/groups"), 401, bff.CodeLoginRequired)
	if _, ok := h.record(firstSID); ok {
		t.Error("a dead session stays in KV")
	}
	h.checkNoSecrets()
}
