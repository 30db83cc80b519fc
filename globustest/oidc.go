package globustest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"slices"
	"strings"
)

// signer holds the per-server RS256 key for id_tokens.
type signer struct {
	key *rsa.PrivateKey
	kid string
}

// keys returns the server's signing key, generating it on first use.
func (s *Server) keys() *signer {
	s.keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("globustest: generating RSA key: " + err.Error())
		}
		s.signer = &signer{key: k, kid: newUUID()}
	})
	return s.signer
}

// idToken returns a signed RS256 OIDC id_token for the test user.
func (s *Server) idToken(clientID, nonce string, scopes []string) string {
	k := s.keys()
	now := s.now().Unix()
	claims := map[string]any{
		"iss":                            s.authURL,
		"sub":                            TestUser.IdentityID,
		"aud":                            clientID,
		"iat":                            now,
		"exp":                            now + int64(s.opts.TokenLifetime.Seconds()),
		"last_authentication":            now,
		"identity_provider":              testIdentityProvider,
		"identity_provider_display_name": "Globus ID",
		"organization":                   "Globus Test Organization",
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range userClaims(scopes) {
		claims[k] = v
	}
	head := map[string]string{"alg": "RS256", "typ": "JWT", "kid": k.kid}
	input := b64JSON(head) + "." + b64JSON(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, sum[:])
	if err != nil {
		panic("globustest: signing id_token: " + err.Error())
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// userClaims are the profile/email claims the granted scopes allow.
func userClaims(scopes []string) map[string]any {
	c := map[string]any{}
	if slices.Contains(scopes, "profile") {
		c["name"] = TestUser.Name
		c["preferred_username"] = TestUser.Username
	}
	if slices.Contains(scopes, "email") {
		c["email"] = TestUser.Email
	}
	return c
}

func b64JSON(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// handleDiscovery is GET /.well-known/openid-configuration.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	scopes := make([]string, 0, len(scopeRS))
	for sc := range scopeRS {
		scopes = append(scopes, sc)
	}
	slices.Sort(scopes)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.authURL,
		"authorization_endpoint":                s.authURL + "/v2/oauth2/authorize",
		"token_endpoint":                        s.authURL + "/v2/oauth2/token",
		"revocation_endpoint":                   s.authURL + "/v2/oauth2/token/revoke",
		"userinfo_endpoint":                     s.authURL + "/v2/oauth2/userinfo",
		"jwks_uri":                              s.authURL + "/jwk.json",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"scopes_supported":                      scopes,
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "none"},
	})
}

// handleJWKS is GET /jwk.json, the public key of id_tokens.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	k := s.keys()
	pub := k.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"alg": "RS256",
		"use": "sig",
		"kid": k.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// handleUserinfo is GET /v2/oauth2/userinfo; it needs an active
// auth.globus.org access token with the openid scope.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	t := s.tokens[value]
	ok := strings.EqualFold(scheme, "Bearer") && t != nil && t.kind == accessToken && s.activeLocked(t) &&
		t.rs == AuthResourceServer && slices.Contains(t.scopes, "openid")
	var scopes []string
	if ok {
		scopes = slices.Clone(t.scopes)
	}
	s.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, authAPIErrorBody(http.StatusUnauthorized,
			"UNAUTHORIZED", "Call must be authenticated"))
		return
	}
	info := map[string]any{
		"sub":               TestUser.IdentityID,
		"identity_provider": testIdentityProvider,
	}
	for k, v := range userClaims(scopes) {
		info[k] = v
	}
	writeJSON(w, http.StatusOK, info)
}
