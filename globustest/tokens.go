package globustest

import (
	"slices"
	"strings"
	"time"
)

type tokenKind int

const (
	accessToken tokenKind = iota
	refreshToken
)

// token is the server-side record of an issued access or refresh token.
type token struct {
	value    string
	kind     tokenKind
	clientID string
	rs       string
	scopes   []string
	expires  time.Time // access tokens only
	expired  bool      // forced by ExpireAccessTokens
	revoked  bool
	lineage  string // the authorization code grant it descends from
	nonce    string // OIDC nonce of that grant, for id_tokens on refresh
}

// issueLocked records and returns a new token. s.mu must be held.
func (s *Server) issueLocked(kind tokenKind, clientID, rs string, scopes []string, lineage, nonce string) *token {
	t := &token{
		value:    randomToken(),
		kind:     kind,
		clientID: clientID,
		rs:       rs,
		scopes:   slices.Clone(scopes),
		lineage:  lineage,
		nonce:    nonce,
	}
	if kind == accessToken {
		t.expires = s.now().Add(s.opts.TokenLifetime)
	}
	s.tokens[t.value] = t
	s.issued = append(s.issued, t.value)
	return t
}

// activeLocked reports whether t is usable now. s.mu must be held.
func (s *Server) activeLocked(t *token) bool {
	if t == nil || t.revoked {
		return false
	}
	if t.kind == accessToken && (t.expired || !s.now().Before(t.expires)) {
		return false
	}
	return true
}

// revokeLineageLocked revokes every token descending from one
// authorization code. s.mu must be held.
func (s *Server) revokeLineageLocked(lineage string) {
	for _, t := range s.tokens {
		if t.lineage == lineage {
			t.revoked = true
		}
	}
}

// entryLocked issues an access token (and, if offline, a refresh token)
// for one resource server and returns the token response entry.
func (s *Server) entryLocked(clientID string, g rsScopes, offline bool, lineage, nonce string) map[string]any {
	at := s.issueLocked(accessToken, clientID, g.rs, g.scopes, lineage, nonce)
	e := s.accessEntry(at)
	if offline {
		rt := s.issueLocked(refreshToken, clientID, g.rs, g.scopes, lineage, nonce)
		e["refresh_token"] = rt.value
	}
	return e
}

// accessEntry is the token-response object of one access token.
func (s *Server) accessEntry(at *token) map[string]any {
	return map[string]any{
		"access_token":    at.value,
		"expires_in":      int64(s.opts.TokenLifetime / time.Second),
		"resource_server": at.rs,
		"scope":           strings.Join(at.scopes, " "),
		"token_type":      "Bearer",
	}
}

// ExpireAccessTokens makes every access token issued so far expired
// server-side (the tokens still look unexpired to clients). Refresh tokens
// are unaffected.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.kind == accessToken {
			t.expired = true
		}
	}
}

// TokenActive reports whether token (access or refresh) was issued by this
// fake and is neither revoked nor expired.
func (s *Server) TokenActive(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activeLocked(s.tokens[token])
}

// IssuedTokens returns every access and refresh token ever issued, in
// issue order, for checks such as "no plaintext token in storage".
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}
