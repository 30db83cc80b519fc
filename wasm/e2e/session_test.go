//go:build !(js && wasm)

package e2e

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/globustest"
)

// TestReloadKeepsSession: tokens in localStorage survive a reload; no new login happens.
func TestReloadKeepsSession(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	before := p.groupsToken()
	p.reload()
	p.waitState("logged-in")
	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("after reload: rows\n got %q\nwant %q", got, want)
	}
	if n := fake.Count("grant:authorization_code"); n != 1 {
		t.Errorf("%d code exchanges, want 1", n)
	}
	if n := fake.Count("grant:refresh_token"); n != 0 {
		t.Errorf("%d refreshes of a fresh token", n)
	}
	if n := fake.Count("GET /v2/groups/my_groups"); n != 2 {
		t.Errorf("%d Groups calls, want 2 (one per page load)", n)
	}
	if after := p.groupsToken(); after != before {
		t.Error("the stored tokens changed on reload")
	}
}

// TestExpiringTokenRefreshesOnce: an access token within 60 s of expiry is renewed before the
// Groups call, exactly once, and the renewed tokens are written back.
func TestExpiringTokenRefreshesOnce(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{TokenLifetime: 30 * time.Second})
	p := openPage(t, pageSite(t, fake, nil))
	p.waitState("logged-out")
	p.click("#login-redirect")
	p.waitState("logged-in")
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refreshes, want exactly 1", n)
	}
	if n := fake.Count("GET /v2/groups/my_groups"); n != 1 {
		t.Errorf("%d Groups calls, want 1 (with the renewed token)", n)
	}
	tok := p.groupsToken()
	if !fake.TokenActive(tok.AccessToken) || !fake.TokenActive(tok.RefreshToken) {
		t.Error("the renewed tokens were not written back")
	}
	if issued := fake.IssuedTokens(); tok.AccessToken != issued[len(issued)-1] && tok.AccessToken != issued[len(issued)-2] {
		t.Error("the stored access token is not the renewed one")
	}
	if note := p.text("#refresh-note"); !strings.Contains(note, "renewed") {
		t.Errorf("the refresh event did not reach the page: note %q", note)
	}
	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
}

// TestUnauthorizedRefreshesAndRetries: Groups answers 401 for a token that looks valid (the
// fake expired it server-side); the page refreshes once, retries and shows the table.
func TestUnauthorizedRefreshesAndRetries(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{RotateRefreshTokens: true})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	old := p.groupsToken()
	fake.ExpireAccessTokens()
	fake.ResetCounts()
	p.click("#reload-groups")
	p.waitUntil(`document.getElementById("refresh-note").textContent.includes("renewed")`)
	p.waitState("logged-in")
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if n := fake.Count("GET /v2/groups/my_groups"); n != 2 {
		t.Errorf("%d Groups calls, want 2 (401, then the retry)", n)
	}
	tok := p.groupsToken()
	if tok.RefreshToken == old.RefreshToken || !fake.TokenActive(tok.RefreshToken) {
		t.Error("the rotated refresh token was not stored")
	}
	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
}

// TestRefusedRefreshTokenLogsOut: Globus answers invalid_grant to the refresh (the refresh
// token was revoked): the page removes the tokens and shows the logged-out view with a
// message.
func TestRefusedRefreshTokenLogsOut(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	ac := &auth.Client{ClientID: e2eClientID, BaseURL: fake.AuthURL(), Doer: http.DefaultClient.Do}
	if err := ac.Revoke(context.Background(), p.groupsToken().RefreshToken); err != nil {
		t.Fatal(err)
	}
	fake.ExpireAccessTokens()
	p.reload()
	p.waitState("logged-out")
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refresh attempts, want 1", n)
	}
	if notice := p.text("#notice"); !strings.Contains(notice, "session has ended") {
		t.Errorf("notice %q does not explain the logout", notice)
	}
	if local, _ := p.storageSnapshot(); len(local) != 0 {
		t.Errorf("tokens left in localStorage: %v", keysOf(local))
	}
}

// TestGroupsUnavailableOnceIsRetried: a 503 from Groups is retried (the Python SDK's policy)
// and the user sees only the table.
func TestGroupsUnavailableOnceIsRetried(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/groups/my_groups", Status: 503, Times: 1})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	if n := fake.Count("GET /v2/groups/my_groups"); n != 2 {
		t.Errorf("%d Groups calls, want 2 (503, then success)", n)
	}
	if got, want := p.rows(), expectedRows(t); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
	if !eval[bool](p, `document.getElementById("error").hidden`) {
		t.Errorf("an error is shown: %s", p.text("#error"))
	}
}

// TestGroupsErrorShowsRequestID: an error Globus does not retry is shown in words, with the
// HTTP status and Globus's request id; the session is kept.
func TestGroupsErrorShowsRequestID(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/groups/my_groups", Status: 403,
		Body: `{"code":"FORBIDDEN","detail":"Not for you <b>today</b>","request_id":"req-e2e-42"}`})
	p := openPage(t, pageSite(t, fake, nil))
	p.waitState("logged-out")
	p.click("#login-redirect")
	p.waitState("failed")
	if meta := p.text("#error-meta"); !strings.Contains(meta, "request id req-e2e-42") || !strings.Contains(meta, "HTTP status 403") {
		t.Errorf("error meta %q lacks the request id or status", meta)
	}
	if msg := p.text("#error-message"); !strings.Contains(msg, "refused the request (HTTP 403, FORBIDDEN)") {
		t.Errorf("error message %q", msg)
	}
	if d := p.text("#error-details"); !strings.Contains(d, "Not for you <b>today</b>") {
		t.Errorf("details %q do not show Globus's message as text", d)
	}
	if p.storedTokens(storageKey) == nil {
		t.Error("a Groups error removed the tokens")
	}
	p.click("#reload-groups")
	p.waitState("logged-in")
}

// TestTabsShareOneRefresh: two tabs share the tokens in localStorage and both find them
// rejected (401). With rotating refresh tokens, two refreshes would log one tab out; the
// Web Lock around the refresh makes the second tab adopt the first tab's renewed token.
func TestTabsShareOneRefresh(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{RotateRefreshTokens: true})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	q := p.otherTab()
	q.navigate(p.site.URL + "/")
	q.waitState("logged-in")
	fake.ExpireAccessTokens()
	fake.ResetCounts()
	// A slow token endpoint makes the two refreshes overlap unless they are serialised (the
	// delay only makes a missing lock show; with the lock the result does not depend on it).
	fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token", Delay: time.Second, Times: -1})
	p.click("#reload-groups")
	q.click("#reload-groups")
	for _, tab := range []*page{p, q} {
		tab.waitUntil(`document.body.dataset.state === "logged-in" && document.getElementById("groups-body").rows.length > 0`)
	}
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refreshes for two tabs, want 1", n)
	}
	if !fake.TokenActive(p.groupsToken().RefreshToken) {
		t.Error("the stored refresh token is not the live one")
	}
}
