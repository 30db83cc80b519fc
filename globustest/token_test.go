package globustest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPKCEExchangeRFC7636Vector(t *testing.T) {
	s := NewT(t, Options{})
	r := exchange(t, s, code(t, s, authReq{challenge: rfcChallenge}))
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	tok := r.json
	if tok["resource_server"] != GroupsResourceServer || tok["scope"] != GroupsScope ||
		tok["token_type"] != "Bearer" || tok["expires_in"] != float64(172800) || tok["state"] != "_default" {
		t.Errorf("token response %s", r.raw)
	}
	if ot, ok := tok["other_tokens"].([]any); !ok || len(ot) != 0 {
		t.Errorf("other_tokens %v", tok["other_tokens"])
	}
	at, rt := str(tok["access_token"]), str(tok["refresh_token"])
	if len(at) < 32 || len(rt) < 32 || at == rt {
		t.Errorf("tokens %q %q", at, rt)
	}
	if _, has := tok["id_token"]; has {
		t.Error("id_token without openid")
	}
	if !s.TokenActive(at) || !s.TokenActive(rt) {
		t.Error("fresh tokens inactive")
	}
	if got := s.IssuedTokens(); len(got) != 2 || got[0] != at || got[1] != rt {
		t.Errorf("IssuedTokens %v", got)
	}
}

func TestOnlineAccessHasNoRefreshToken(t *testing.T) {
	s := NewT(t, Options{})
	tok := login(t, s, authReq{accessType: "online"})
	if _, has := tok["refresh_token"]; has {
		t.Errorf("refresh_token with access_type=online: %v", tok)
	}
	tok = login(t, s, authReq{accessType: "online", scope: GroupsScope + " offline_access"})
	if str(tok["refresh_token"]) == "" || tok["scope"] != GroupsScope {
		t.Errorf("offline_access scope: %v", tok)
	}
}

func TestExchangeRefusals(t *testing.T) {
	s := NewT(t, Options{})
	base := func(c string) url.Values {
		return url.Values{"client_id": {TutorialClientID}, "grant_type": {"authorization_code"}, "code": {c},
			"code_verifier": {rfcVerifier}, "redirect_uri": {s.AuthCodePageURL()}}
	}
	wrongVerifier := strings.Repeat("a", 43)
	for name, edit := range map[string]func(url.Values){
		"wrong verifier":     func(v url.Values) { v.Set("code_verifier", wrongVerifier) },
		"malformed verifier": func(v url.Values) { v.Set("code_verifier", "short") },
		"missing verifier":   func(v url.Values) { v.Del("code_verifier") },
		"wrong redirect":     func(v url.Values) { v.Set("redirect_uri", s.AuthCodePageURL()+"?x=1") },
		"missing redirect":   func(v url.Values) { v.Del("redirect_uri") },
		"unknown code":       func(v url.Values) { v.Set("code", "nope") },
	} {
		v := base(code(t, s, authReq{}))
		edit(v)
		r := post(t, s, "/v2/oauth2/token", v, "", "")
		if r.status != http.StatusUnauthorized || r.json["error"] != "invalid_grant" {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	// Wrong client: a code of the tutorial client used by another native client.
	other := "9e8d7c6b-0000-4000-8000-000000000001"
	s.RegisterClient(Client{ID: other, RedirectURIs: []string{s.AuthCodePageURL()}})
	v := base(code(t, s, authReq{}))
	v.Set("client_id", other)
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", v, "", ""), http.StatusUnauthorized, "invalid_grant")

	// Not form-encoded.
	req, _ := http.NewRequest(http.MethodPost, s.AuthURL()+"/v2/oauth2/token", strings.NewReader(`{"grant_type":"authorization_code"}`))
	req.Header.Set("Content-Type", "application/json")
	wantOAuthError(t, do(t, req), http.StatusBadRequest, "invalid_request")
	// Unknown grant, repeated parameter.
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", url.Values{"client_id": {TutorialClientID},
		"grant_type": {"client_credentials"}}, "", ""), http.StatusBadRequest, "unsupported_grant_type")
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", url.Values{"client_id": {TutorialClientID},
		"grant_type": {"authorization_code"}, "code": {"a", "b"}}, "", ""), http.StatusBadRequest, "invalid_request")
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", url.Values{"grant_type": {"authorization_code"}}, "", ""),
		http.StatusUnauthorized, "invalid_client")
}

func TestReplayedCodeRevokesTokens(t *testing.T) {
	s := NewT(t, Options{})
	c := code(t, s, authReq{})
	first := exchange(t, s, c)
	if first.status != http.StatusOK {
		t.Fatalf("first exchange %d %s", first.status, first.raw)
	}
	at, rt := str(first.json["access_token"]), str(first.json["refresh_token"])
	if groups(t, s, at, "").status != http.StatusOK {
		t.Fatal("first access token does not work")
	}
	wantOAuthError(t, exchange(t, s, c), http.StatusUnauthorized, "invalid_grant")
	if s.TokenActive(at) || s.TokenActive(rt) {
		t.Error("replay did not revoke the first tokens")
	}
	if r := groups(t, s, at, ""); r.status != http.StatusUnauthorized {
		t.Errorf("revoked token on groups: %d", r.status)
	}
	wantOAuthError(t, refresh(t, s, rt), http.StatusUnauthorized, "invalid_grant")
}

func TestNativeClientAuthorizationHeaderRefused(t *testing.T) {
	s := NewT(t, Options{})
	v := url.Values{"client_id": {TutorialClientID}, "grant_type": {"authorization_code"}, "code": {code(t, s, authReq{})},
		"code_verifier": {rfcVerifier}, "redirect_uri": {s.AuthCodePageURL()}}
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", v, TutorialClientID, ""), http.StatusUnauthorized, "invalid_client")
	req, _ := http.NewRequest(http.MethodPost, s.AuthURL()+"/v2/oauth2/token", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer something")
	wantOAuthError(t, do(t, req), http.StatusUnauthorized, "invalid_client")
	// The code was not consumed by the refused attempts.
	if r := post(t, s, "/v2/oauth2/token", v, "", ""); r.status != http.StatusOK {
		t.Errorf("exchange after refusals: %d %s", r.status, r.raw)
	}
}

func TestConfidentialClientBasicAuth(t *testing.T) {
	s := NewT(t, Options{})
	const id, secret = "c0nf1d3n-0000-4000-8000-000000000001", "s3cr3t+/="
	redir := "http://127.0.0.1:9/callback"
	s.RegisterClient(Client{ID: id, Secret: secret, RedirectURIs: []string{redir}})
	a := authReq{clientID: id, redirectURI: redir, omit: []string{"code_challenge", "code_challenge_method"}}
	form := func() url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code(t, s, a)}, "redirect_uri": {redir}}
	}
	f := form()
	f.Set("client_id", id)
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", f, "", ""), http.StatusUnauthorized, "invalid_client")
	r := post(t, s, "/v2/oauth2/token", f, id, "wrong")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("no WWW-Authenticate on Basic failure")
	}
	if r := post(t, s, "/v2/oauth2/token", f, id, secret); r.status != http.StatusOK {
		t.Fatalf("basic auth exchange: %d %s", r.status, r.raw)
	}
	// Form-escaped credentials (golang.org/x/oauth2 style) work too.
	if r := post(t, s, "/v2/oauth2/token", form(), url.QueryEscape(id), url.QueryEscape(secret)); r.status != http.StatusOK {
		t.Fatalf("escaped basic auth exchange: %d %s", r.status, r.raw)
	}
	// PKCE, once sent by a confidential client, is enforced.
	a.omit = nil
	f = form()
	f.Set("code_verifier", strings.Repeat("b", 43))
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", f, id, secret), http.StatusUnauthorized, "invalid_grant")
	// client_secret in the body is refused.
	f = form()
	f.Set("client_id", id)
	f.Set("client_secret", secret)
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", f, "", ""), http.StatusUnauthorized, "invalid_client")
}

func TestOtherTokensAndIDToken(t *testing.T) {
	s := NewT(t, Options{})
	scope := GroupsScope + " " + TransferScope + " openid email offline_access " + GroupsAllScope
	tok := login(t, s, authReq{scope: scope, accessType: "online"})
	if tok["resource_server"] != GroupsResourceServer || tok["scope"] != GroupsScope+" "+GroupsAllScope {
		t.Errorf("top level: %v", tok)
	}
	ot, _ := tok["other_tokens"].([]any)
	if len(ot) != 2 {
		t.Fatalf("other_tokens: %v", tok["other_tokens"])
	}
	tr, au := ot[0].(map[string]any), ot[1].(map[string]any)
	if tr["resource_server"] != TransferResourceServer || tr["scope"] != TransferScope || str(tr["refresh_token"]) == "" ||
		tr["token_type"] != "Bearer" || tr["expires_in"] != float64(172800) {
		t.Errorf("transfer entry: %v", tr)
	}
	if au["resource_server"] != AuthResourceServer || au["scope"] != "openid email" {
		t.Errorf("auth entry: %v", au)
	}
	// The transfer token is refused by Groups with 403.
	r := groups(t, s, str(tr["access_token"]), "")
	if r.status != http.StatusForbidden || r.json["code"] != "FORBIDDEN" {
		t.Errorf("transfer token on groups: %d %s", r.status, r.raw)
	}
	if ps, _ := r.json["provided_scopes"].([]any); len(ps) != 1 || ps[0] != TransferScope {
		t.Errorf("provided_scopes %v", r.json["provided_scopes"])
	}
	checkIDToken(t, s, str(tok["id_token"]))
}

// checkIDToken verifies the RS256 signature with the published JWKS.
func checkIDToken(t *testing.T, s *Server, idt string) {
	t.Helper()
	parts := strings.Split(idt, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q", idt)
	}
	conf := do(t, mustGet(t, s.AuthURL()+"/.well-known/openid-configuration"))
	jwks := do(t, mustGet(t, str(conf.json["jwks_uri"])))
	key := jwks.json["keys"].([]any)[0].(map[string]any)
	n, _ := base64.RawURLEncoding.DecodeString(str(key["n"]))
	e, _ := base64.RawURLEncoding.DecodeString(str(key["e"]))
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("id_token signature: %v", err)
	}
	var claims map[string]any
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(payload, &claims)
	if claims["sub"] != TestUser.IdentityID || claims["aud"] != TutorialClientID || claims["iss"] != s.AuthURL() ||
		claims["email"] != TestUser.Email || conf.json["issuer"] != s.AuthURL() {
		t.Errorf("claims %v", claims)
	}
}
