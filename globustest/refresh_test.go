package globustest

import (
	"net/http"
	"net/url"
	"testing"
)

func TestRefreshWithoutRotation(t *testing.T) {
	s := NewT(t, Options{})
	tok := login(t, s, authReq{})
	at, rt := str(tok["access_token"]), str(tok["refresh_token"])
	r := refresh(t, s, rt)
	if r.status != http.StatusOK {
		t.Fatalf("refresh %d %s", r.status, r.raw)
	}
	nat := str(r.json["access_token"])
	if nat == at || str(r.json["refresh_token"]) != rt || r.json["resource_server"] != GroupsResourceServer ||
		r.json["scope"] != GroupsScope || r.json["expires_in"] != float64(172800) {
		t.Errorf("refresh response %s", r.raw)
	}
	if ot, ok := r.json["other_tokens"].([]any); !ok || len(ot) != 0 {
		t.Errorf("other_tokens %v", r.json["other_tokens"])
	}
	if !s.TokenActive(rt) || !s.TokenActive(at) || !s.TokenActive(nat) {
		t.Error("tokens should stay active without rotation")
	}
	if r := refresh(t, s, rt); r.status != http.StatusOK {
		t.Errorf("second refresh %d", r.status)
	}
	// A refresh token of another client is refused, as is an access token.
	other := "9e8d7c6b-0000-4000-8000-000000000002"
	s.RegisterClient(Client{ID: other, RedirectURIs: []string{"http://127.0.0.1:9/"}})
	wantOAuthError(t, post(t, s, "/v2/oauth2/token", url.Values{"client_id": {other},
		"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "", ""), http.StatusUnauthorized, "invalid_grant")
	wantOAuthError(t, refresh(t, s, at), http.StatusUnauthorized, "invalid_grant")
}

func TestRefreshWithRotation(t *testing.T) {
	s := NewT(t, Options{RotateRefreshTokens: true})
	rt := str(login(t, s, authReq{})["refresh_token"])
	r := refresh(t, s, rt)
	if r.status != http.StatusOK {
		t.Fatalf("refresh %d %s", r.status, r.raw)
	}
	nrt := str(r.json["refresh_token"])
	if nrt == "" || nrt == rt {
		t.Fatalf("rotation did not return a new refresh token: %s", r.raw)
	}
	if s.TokenActive(rt) || !s.TokenActive(nrt) {
		t.Error("old refresh token should be revoked, new one active")
	}
	wantOAuthError(t, refresh(t, s, rt), http.StatusUnauthorized, "invalid_grant")
	if r := refresh(t, s, nrt); r.status != http.StatusOK {
		t.Errorf("refresh with rotated token: %d", r.status)
	}
}

func TestExpireAccessTokensThenRefresh(t *testing.T) {
	s := NewT(t, Options{})
	tok := login(t, s, authReq{})
	at, rt := str(tok["access_token"]), str(tok["refresh_token"])
	s.ExpireAccessTokens()
	if s.TokenActive(at) || !s.TokenActive(rt) {
		t.Fatal("ExpireAccessTokens should expire access tokens only")
	}
	if r := groups(t, s, at, ""); r.status != http.StatusUnauthorized {
		t.Errorf("expired token on groups: %d", r.status)
	}
	nat := str(refresh(t, s, rt).json["access_token"])
	if r := groups(t, s, nat, ""); r.status != http.StatusOK {
		t.Errorf("refreshed token on groups: %d", r.status)
	}
}

func TestRevoke(t *testing.T) {
	s := NewT(t, Options{})
	tok := login(t, s, authReq{})
	at, rt := str(tok["access_token"]), str(tok["refresh_token"])
	rev := func(token string) reply {
		return post(t, s, "/v2/oauth2/token/revoke", url.Values{"client_id": {TutorialClientID}, "token": {token}}, "", "")
	}
	if r := rev(at); r.status != http.StatusOK || r.json["active"] != false {
		t.Fatalf("revoke: %d %s", r.status, r.raw)
	}
	if s.TokenActive(at) || groups(t, s, at, "").status != http.StatusUnauthorized {
		t.Error("revoked access token still works")
	}
	// Only the exact token is revoked: the refresh token still works.
	if !s.TokenActive(rt) || refresh(t, s, rt).status != http.StatusOK {
		t.Error("refresh token should survive revoking the access token")
	}
	if r := rev(rt); r.status != http.StatusOK {
		t.Fatalf("revoke refresh: %d", r.status)
	}
	wantOAuthError(t, refresh(t, s, rt), http.StatusUnauthorized, "invalid_grant")
	if r := rev("unknown-token"); r.status != http.StatusOK || r.json["active"] != false {
		t.Errorf("unknown token: %d %s", r.status, r.raw)
	}
	wantOAuthError(t, post(t, s, "/v2/oauth2/token/revoke", url.Values{"token": {"x"}}, "", ""),
		http.StatusUnauthorized, "invalid_client")
	if s.Count("revoke") != 4 {
		t.Errorf("revoke count %d", s.Count("revoke"))
	}
}
