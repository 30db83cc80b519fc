package service_test

import (
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

func TestRefreshNearExpiryWritesKVFirst(t *testing.T) {
	// 30 s tokens are always within the 60 s renewal margin: every use refreshes first.
	h := newHarness(t, options{fake: globustest.Options{TokenLifetime: 30 * time.Second, RotateRefreshTokens: true}})
	b := h.browser()
	sid := b.login()
	before := h.groupsToken(sid)
	h.fake.ResetCounts()
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("/groups = %d %s", r.StatusCode, r.body)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 {
		t.Fatalf("refreshes = %d, want exactly 1", n)
	}
	after := h.groupsToken(sid)
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken {
		t.Fatal("KV still holds the old tokens after a refresh with rotation")
	}
	if !h.fake.TokenActive(after.AccessToken) || !h.fake.TokenActive(after.RefreshToken) {
		t.Error("KV holds tokens that are not live")
	}
	if h.fake.TokenActive(before.RefreshToken) {
		t.Error("the rotated-out refresh token is still active: the fake did not rotate")
	}
	// The next request uses the rotated refresh token from KV.
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("second /groups = %d %s", r.StatusCode, r.body)
	}
	h.checkNoSecrets()
}

func TestRefreshOnceAfter401(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	before := h.groupsToken(sid)
	h.fake.ExpireAccessTokens() // the stored token still looks fresh: Groups answers 401
	h.fake.ResetCounts()
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("/groups = %d %s", r.StatusCode, r.body)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("refreshes = %d, want exactly 1", n)
	}
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 2 {
		t.Errorf("Groups calls = %d, want 2 (401, then success)", n)
	}
	after := h.groupsToken(sid)
	if after.AccessToken == before.AccessToken || !h.fake.TokenActive(after.AccessToken) {
		t.Error("KV was not updated with the new access token")
	}
}

func TestInvalidGrantEndsTheSession(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	h.fake.ExpireAccessTokens()
	h.fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token", Status: 400,
		Body: `{"error": "invalid_grant", "error_description": "refresh token revoked"}`})
	r := b.get("/groups")
	errorBody(t, r, 401, string(app.KindLoginRequired))
	checkCookie(t, r, service.SessionCookie, -1)
	if _, ok := h.kv.TTL(kvstore.SessionKey(sid)); ok {
		t.Error("the session's KV record survived invalid_grant")
	}
	if h.fake.Count("grant:refresh_token") != 1 {
		t.Errorf("refreshes = %d, want 1", h.fake.Count("grant:refresh_token"))
	}
}

func TestLogoutRevokesAndForgets(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	tok := h.groupsToken(sid)
	r := b.do(http.MethodPost, "/logout", http.Header{"Origin": {h.srv.URL}})
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /logout = %d %s", r.StatusCode, r.body)
	}
	checkCookie(t, r, service.SessionCookie, -1)
	if h.fake.TokenActive(tok.AccessToken) || h.fake.TokenActive(tok.RefreshToken) {
		t.Error("a token is still active after logout")
	}
	if n := h.fake.Count("revoke"); n != 2 {
		t.Errorf("revocations = %d, want 2 (access and refresh)", n)
	}
	for k := range h.kv.Snapshot() {
		// The logout's refresh lease stays until its TTL (KV takes one write per key per
		// second), freed by the record's deletion and holding nothing secret.
		if !strings.HasPrefix(k, "lease/") {
			t.Errorf("KV still holds %s after logout", k)
		}
	}
	b.setCookie(service.SessionCookie, sid) // an old copy of the cookie is worthless now
	errorBody(t, b.get("/groups"), 401, string(app.KindLoginRequired))
	// Logging out again, or without a session, is fine.
	if r := b.do(http.MethodPost, "/logout", http.Header{"Origin": {h.srv.URL}}); r.StatusCode != http.StatusNoContent {
		t.Errorf("second logout = %d %s", r.StatusCode, r.body)
	}
	h.checkNoSecrets()
}

func TestLogoutRefusesCrossOrigin(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	for name, hdr := range map[string]http.Header{
		"other origin":       {"Origin": {"https://evil.example"}},
		"null origin":        {"Origin": {"null"}},
		"no origin":          nil,
		"other port":         {"Origin": {"http://127.0.0.1:1"}},
		"referer only, same": {"Referer": {h.srv.URL + "/"}},
	} {
		r := b.do(http.MethodPost, "/logout", hdr)
		errorBody(t, r, http.StatusForbidden, service.CodeCrossOrigin)
		if len(r.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: a refused logout touched cookies", name)
		}
	}
	if h.fake.Count("revoke") != 0 {
		t.Error("a refused logout revoked tokens")
	}
	if _, ok := h.kv.TTL(kvstore.SessionKey(sid)); !ok {
		t.Error("a refused logout deleted the session")
	}
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Errorf("session broken by a refused logout: %d", r.StatusCode)
	}
	errorBody(t, b.get("/logout"), http.StatusMethodNotAllowed, service.CodeMethodNotAllowed)
}

func TestLogoutWhenGlobusFails(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	h.fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token/revoke", Status: 503, RetryAfter: "0", Times: -1})
	r := b.do(http.MethodPost, "/logout", http.Header{"Origin": {h.srv.URL}})
	errorBody(t, r, http.StatusBadGateway, string(app.KindGlobus))
	checkCookie(t, r, service.SessionCookie, -1)
	if _, ok := h.kv.TTL(kvstore.SessionKey(sid)); ok {
		t.Error("session kept in KV although the user logged out")
	}
	h.fake.ClearFaults()
}
