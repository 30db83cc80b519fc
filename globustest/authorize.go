package globustest

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// authCode is the server-side record of an authorization code.
type authCode struct {
	clientID    string
	redirectURI string
	state       string // "_default" when the request had none
	scopes      []string
	challenge   string // "" when the (confidential) client sent no PKCE
	nonce       string
	offline     bool
	expires     time.Time
	used        bool
	lineage     string
}

// challengeRE is a S256 code challenge: 32 bytes, base64url, no padding.
var challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// singleParams must not be repeated in an authorize request (RFC 6749 §3.1).
var singleParams = []string{"response_type", "scope", "state", "code_challenge",
	"code_challenge_method", "access_type", "nonce", "prompt"}

// SetDenyNextAuthorize makes the next valid authorize request redirect with
// ?error=errCode (for example "access_denied"), as if the user declined.
func (s *Server) SetDenyNextAuthorize(errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyNext = errCode
}

// handleAuthorize plays the consent page: it validates the request and, as
// the test user, approves it at once.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(q[k]) > 1 {
			authorizePage(w, k+" given more than once")
			return
		}
	}
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	if clientID == "" {
		authorizePage(w, "missing client_id")
		return
	}
	c, ok := s.client(clientID)
	if !ok {
		authorizePage(w, "unknown client_id "+clientID)
		return
	}
	if redirectURI == "" {
		authorizePage(w, "missing redirect_uri")
		return
	}
	if !slices.Contains(c.RedirectURIs, redirectURI) {
		authorizePage(w, "redirect_uri does not match any registered for this client: "+redirectURI)
		return
	}
	fail := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}}
		if q.Has("state") {
			v.Set("state", q.Get("state"))
		}
		redirect(w, redirectURI, v)
	}
	for _, k := range singleParams {
		if len(q[k]) > 1 {
			fail("invalid_request", k+" given more than once")
			return
		}
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		fail("invalid_request", "response_type is required")
		return
	case rt != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		fail("invalid_scope", "scope is required")
		return
	}
	for _, sc := range scopes {
		if _, known := scopeRS[sc]; !known {
			fail("invalid_scope", "unknown scope: "+sc)
			return
		}
	}
	if len(byResourceServer(scopes)) == 0 {
		fail("invalid_scope", "no resource server scope requested")
		return
	}
	if msg := checkPKCE(c, q.Get("code_challenge"), q.Get("code_challenge_method")); msg != "" {
		fail("invalid_request", msg)
		return
	}
	access := q.Get("access_type")
	if access != "" && access != "online" && access != "offline" {
		fail("invalid_request", "access_type must be online or offline")
		return
	}
	state := "_default"
	if q.Has("state") {
		state = q.Get("state")
	}
	code := randomToken()
	s.mu.Lock()
	deny := s.denyNext
	s.denyNext = ""
	if deny == "" {
		s.codes[code] = &authCode{
			clientID:    c.ID,
			redirectURI: redirectURI,
			state:       state,
			scopes:      scopes,
			challenge:   q.Get("code_challenge"),
			nonce:       q.Get("nonce"),
			offline:     access == "offline" || slices.Contains(scopes, "offline_access"),
			expires:     s.now().Add(s.opts.CodeLifetime),
			lineage:     code,
		}
	}
	s.mu.Unlock()
	if deny != "" {
		fail(deny, "The user denied the request")
		return
	}
	v := url.Values{"code": {code}}
	if q.Has("state") {
		v.Set("state", q.Get("state"))
	}
	redirect(w, redirectURI, v)
}

// checkPKCE validates the PKCE parameters of an authorize request and
// returns a problem description, or "".
func checkPKCE(c Client, challenge, method string) string {
	if challenge == "" && method == "" {
		if c.Secret == "" {
			return "native clients must use PKCE: code_challenge is required"
		}
		return ""
	}
	switch {
	case method == "":
		return "code_challenge_method is required and must be S256"
	case method != "S256":
		return "unsupported code_challenge_method " + method + "; only S256 is allowed"
	case challenge == "":
		return "code_challenge is required with code_challenge_method"
	case !challengeRE.MatchString(challenge):
		return "code_challenge must be 43 characters of base64url (S256)"
	}
	return ""
}

// redirect answers 302 to target with extra query parameters appended,
// keeping target's own query.
func redirect(w http.ResponseWriter, target string, extra url.Values) {
	u, err := url.Parse(target)
	if err != nil {
		authorizePage(w, "bad redirect_uri")
		return
	}
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery == "" {
		u.RawQuery = extra.Encode()
	} else {
		u.RawQuery += "&" + extra.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

// authorizePage answers 400 with an HTML error page: Auth never redirects
// to an unverified redirect_uri.
func authorizePage(w http.ResponseWriter, msg string) {
	htmlPage(w, http.StatusBadRequest, "Globus Auth: error",
		`<h1>Error</h1>`+"\n"+`<p id="error">`+html.EscapeString(msg)+`</p>`)
}

// Authorize plays the user: it GETs authorizeURL without following
// redirects and returns the Location the fake redirects to
// (redirect_uri?code=...&state=... or ?error=...). A non-redirect answer
// (such as the 400 page for an unknown client or redirect_uri mismatch) is
// returned as an error containing the status and body.
func (s *Server) Authorize(ctx context.Context, authorizeURL string) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil, fmt.Errorf("globustest: authorize answered %d: %s", resp.StatusCode, body)
	}
	return resp.Location()
}
