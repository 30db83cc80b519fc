package globustest

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestS256ChallengeRFC7636Vector(t *testing.T) {
	if got := S256Challenge(rfcVerifier); got != rfcChallenge {
		t.Fatalf("S256Challenge = %q, want %q", got, rfcChallenge)
	}
}

func TestAuthorizeRedirectsWithCodeAndState(t *testing.T) {
	s := NewT(t, Options{})
	loc, err := s.Authorize(context.Background(), s.authorizeURL(authReq{state: "xyz"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != s.AuthCodePageURL() {
		t.Errorf("redirected to %s", got)
	}
	if q := loc.Query(); q.Get("state") != "xyz" || len(q.Get("code")) < 32 {
		t.Errorf("query %v", q)
	}
	// state omitted → no state in the redirect.
	q := authorize(t, s, authReq{omit: []string{"state"}})
	if q.Has("state") || q.Get("code") == "" {
		t.Errorf("query without state: %v", q)
	}
	// The auth-code page shows the code, escaped.
	r := do(t, mustGet(t, s.AuthCodePageURL()+"?code=a%3Cb"))
	if r.status != 200 || !strings.Contains(string(r.raw), `<code id="auth-code">a&lt;b</code>`) {
		t.Errorf("auth-code page: %d %s", r.status, r.raw)
	}
}

func TestAuthorizeKeepsRedirectQuery(t *testing.T) {
	s := NewT(t, Options{})
	const id = "7a1b2c3d-0000-4000-8000-00000000abcd"
	redir := "http://127.0.0.1:9/cb?app=1"
	s.RegisterClient(Client{ID: id, RedirectURIs: []string{redir}})
	loc, err := s.Authorize(context.Background(), s.authorizeURL(authReq{clientID: id, redirectURI: redir, state: "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), redir+"&code=") || loc.Query().Get("app") != "1" {
		t.Errorf("location %s", loc)
	}
}

func TestAuthorizeRefusesBadClientOrRedirectWithPage(t *testing.T) {
	s := NewT(t, Options{})
	for name, a := range map[string]authReq{
		"unknown client":    {clientID: "00000000-0000-4000-8000-000000000000"},
		"redirect mismatch": {redirectURI: s.AuthCodePageURL() + "/"},
		"other host":        {redirectURI: "http://127.0.0.1:1/v2/web/auth-code"},
		"missing redirect":  {omit: []string{"redirect_uri"}},
		"missing client":    {omit: []string{"client_id"}},
	} {
		_, err := s.Authorize(context.Background(), s.authorizeURL(a))
		if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "<html") {
			t.Errorf("%s: want a 400 HTML page, got %v", name, err)
		}
	}
}

func TestAuthorizeRedirectsErrors(t *testing.T) {
	s := NewT(t, Options{})
	cases := map[string]struct {
		a    authReq
		want string
	}{
		"missing challenge": {authReq{omit: []string{"code_challenge", "code_challenge_method"}}, "invalid_request"},
		"plain method":      {authReq{method: "plain", challenge: rfcVerifier}, "invalid_request"},
		"missing method":    {authReq{omit: []string{"code_challenge_method"}}, "invalid_request"},
		"short challenge":   {authReq{challenge: "abc"}, "invalid_request"},
		"unknown scope":     {authReq{scope: GroupsScope + " urn:bogus"}, "invalid_scope"},
		"missing scope":     {authReq{omit: []string{"scope"}}, "invalid_scope"},
		"only offline":      {authReq{scope: "offline_access"}, "invalid_scope"},
		"bad access_type":   {authReq{accessType: "forever"}, "invalid_request"},
		"no response_type":  {authReq{omit: []string{"response_type"}}, "invalid_request"},
	}
	for name, c := range cases {
		c.a.state = "st-" + name
		q := authorize(t, s, c.a)
		if q.Get("error") != c.want || q.Get("error_description") == "" || q.Get("state") != c.a.state || q.Has("code") {
			t.Errorf("%s: redirect query %v", name, q)
		}
	}
	u := strings.Replace(s.authorizeURL(authReq{}), "response_type=code", "response_type=token", 1)
	loc, err := s.Authorize(context.Background(), u)
	if err != nil || loc.Query().Get("error") != "unsupported_response_type" {
		t.Errorf("response_type=token: %v %v", loc, err)
	}
}

func TestDenyNextAuthorize(t *testing.T) {
	s := NewT(t, Options{})
	s.SetDenyNextAuthorize("access_denied")
	if q := authorize(t, s, authReq{state: "s1"}); q.Get("error") != "access_denied" || q.Get("state") != "s1" {
		t.Errorf("denied: %v", q)
	}
	if q := authorize(t, s, authReq{}); q.Get("code") == "" {
		t.Errorf("after deny: %v", q)
	}
}

func TestCodeExpires(t *testing.T) {
	var offset atomic.Int64
	start := time.Unix(1_700_000_000, 0)
	s := NewT(t, Options{Now: func() time.Time { return start.Add(time.Duration(offset.Load())) }})
	c := code(t, s, authReq{})
	offset.Store(int64(11 * time.Minute))
	wantOAuthError(t, exchange(t, s, c), http.StatusUnauthorized, "invalid_grant")
}

func mustGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
