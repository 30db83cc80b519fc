package globustest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
)

// verifierRE is a PKCE code verifier (RFC 7636 §4.1).
var verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// S256Challenge returns the PKCE S256 challenge of verifier:
// base64url(SHA-256(verifier)) without padding.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// handleToken is POST /v2/oauth2/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	form, ok := readForm(w, r)
	if !ok {
		return
	}
	c, ok := s.authenticateClient(w, r, form)
	if !ok {
		return
	}
	switch g := form.Get("grant_type"); g {
	case "authorization_code":
		s.grantCode(w, c, form)
	case "refresh_token":
		s.grantRefresh(w, c, form)
	case "":
		oauthError(w, "invalid_request", "grant_type is required")
	default:
		oauthError(w, "unsupported_grant_type", "unsupported grant_type "+g)
	}
}

// readForm reads a form-encoded body, refusing other content types and
// repeated parameters (RFC 6749 §3.2) with invalid_request.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if !isForm(r) {
		oauthError(w, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		oauthError(w, "invalid_request", "unreadable or oversized body")
		return nil, false
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		oauthError(w, "invalid_request", "malformed form body")
		return nil, false
	}
	for k, v := range form {
		if len(v) > 1 {
			oauthError(w, "invalid_request", k+" given more than once")
			return nil, false
		}
	}
	return form, true
}

// grantCode exchanges an authorization code.
func (s *Server) grantCode(w http.ResponseWriter, c Client, form url.Values) {
	code := form.Get("code")
	if code == "" {
		oauthError(w, "invalid_request", "code is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ac, ok := s.codes[code]
	switch {
	case !ok:
		oauthError(w, "invalid_grant", "invalid authorization code")
		return
	case ac.used:
		// RFC 6749 §4.1.2: a code used twice revokes what it granted.
		s.revokeLineageLocked(ac.lineage)
		oauthError(w, "invalid_grant", "authorization code already used; tokens issued from it are revoked")
		return
	case !s.now().Before(ac.expires):
		oauthError(w, "invalid_grant", "authorization code expired")
		return
	case ac.clientID != c.ID:
		oauthError(w, "invalid_grant", "authorization code was issued to another client")
		return
	case form.Get("redirect_uri") != ac.redirectURI:
		oauthError(w, "invalid_grant", "redirect_uri does not match the authorize request")
		return
	}
	if msg := checkVerifier(ac.challenge, form); msg != "" {
		oauthError(w, "invalid_grant", msg)
		return
	}
	ac.used = true
	groups := byResourceServer(ac.scopes)
	top := s.entryLocked(c.ID, groups[0], ac.offline, ac.lineage, ac.nonce)
	others := []map[string]any{}
	for _, g := range groups[1:] {
		others = append(others, s.entryLocked(c.ID, g, ac.offline, ac.lineage, ac.nonce))
	}
	top["state"] = ac.state
	top["other_tokens"] = others
	if slices.Contains(ac.scopes, "openid") {
		top["id_token"] = s.idToken(c.ID, ac.nonce, ac.scopes)
	}
	writeJSON(w, http.StatusOK, top)
}

// checkVerifier checks code_verifier against the code's challenge and
// returns a problem description, or "".
func checkVerifier(challenge string, form url.Values) string {
	v, sent := form.Get("code_verifier"), form.Has("code_verifier")
	switch {
	case challenge == "" && sent:
		return "code_verifier given but the authorize request had no code_challenge"
	case challenge == "":
		return ""
	case !sent:
		return "code_verifier is required"
	case !verifierRE.MatchString(v):
		return "code_verifier must be 43-128 characters of [A-Za-z0-9._~-]"
	case subtle.ConstantTimeCompare([]byte(S256Challenge(v)), []byte(challenge)) != 1:
		return "code_verifier does not match code_challenge"
	}
	return ""
}

// grantRefresh issues a new access token from a refresh token.
func (s *Server) grantRefresh(w http.ResponseWriter, c Client, form url.Values) {
	value := form.Get("refresh_token")
	if value == "" {
		oauthError(w, "invalid_request", "refresh_token is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.tokens[value]
	if rt == nil || rt.kind != refreshToken || !s.activeLocked(rt) {
		oauthError(w, "invalid_grant", "invalid refresh token")
		return
	}
	if rt.clientID != c.ID {
		oauthError(w, "invalid_grant", "refresh token was issued to another client")
		return
	}
	at := s.issueLocked(accessToken, c.ID, rt.rs, rt.scopes, rt.lineage, rt.nonce)
	e := s.accessEntry(at)
	e["refresh_token"] = rt.value
	if s.opts.RotateRefreshTokens {
		nt := s.issueLocked(refreshToken, c.ID, rt.rs, rt.scopes, rt.lineage, rt.nonce)
		rt.revoked = true
		e["refresh_token"] = nt.value
	}
	e["state"] = "_default"
	e["other_tokens"] = []map[string]any{}
	if rt.rs == AuthResourceServer && slices.Contains(rt.scopes, "openid") {
		e["id_token"] = s.idToken(c.ID, rt.nonce, rt.scopes)
	}
	writeJSON(w, http.StatusOK, e)
}
