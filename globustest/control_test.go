package globustest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCounters(t *testing.T) {
	s := NewT(t, Options{})
	tok := login(t, s, authReq{})
	refresh(t, s, str(tok["refresh_token"]))
	groups(t, s, str(tok["access_token"]), "")
	do(t, mustGet(t, s.AuthURL()+"/_fake/counts"))
	want := map[string]int{
		"GET /v2/oauth2/authorize": 1,
		"POST /v2/oauth2/token":    2,
		"grant:authorization_code": 1,
		"grant:refresh_token":      1,
		"GET /v2/groups/my_groups": 1,
	}
	got := s.Counts()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected keys: %v", got)
	}
	s.ResetCounts()
	if len(s.Counts()) != 0 || s.Count("GET /v2/groups/my_groups") != 0 {
		t.Errorf("after reset: %v", s.Counts())
	}
}

func postJSON(t *testing.T, u, body string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func TestControlEndpoints(t *testing.T) {
	s := NewT(t, Options{})
	c := s.AuthURL() + "/_fake/"
	redir := "http://127.0.0.1:7777/"
	if r := postJSON(t, c+"clients", `{"id":"11111111-2222-4333-8444-555555555555","redirect_uris":["`+redir+`"]}`); r.status != 200 {
		t.Fatalf("clients: %d %s", r.status, r.raw)
	}
	q := authorize(t, s, authReq{clientID: "11111111-2222-4333-8444-555555555555", redirectURI: redir})
	if q.Get("code") == "" {
		t.Fatalf("registered client: %v", q)
	}
	if r := postJSON(t, c+"clients", `{"id":"x","bogus":1}`); r.status != http.StatusBadRequest {
		t.Errorf("unknown field accepted: %d", r.status)
	}

	tok := login(t, s, authReq{})
	at := str(tok["access_token"])
	var issued []string
	json.Unmarshal(do(t, mustGet(t, c+"issued-tokens")).raw, &issued)
	if len(issued) != 2 || issued[0] != at {
		t.Errorf("issued-tokens %v", issued)
	}
	active := func() any {
		return do(t, mustGet(t, c+"token-active?token="+url.QueryEscape(at))).json["active"]
	}
	if active() != true {
		t.Error("token-active false for a fresh token")
	}
	postJSON(t, c+"expire-access-tokens", "")
	if active() != false {
		t.Error("token-active true after expire-access-tokens")
	}

	if r := postJSON(t, c+"faults", `{"path":"/v2/groups/my_groups","status":429,"retry_after":"2","delay_ms":1,"times":1}`); r.status != 200 {
		t.Fatalf("faults: %d %s", r.status, r.raw)
	}
	if r := groups(t, s, "x", ""); r.status != 429 || r.header.Get("Retry-After") != "2" {
		t.Errorf("injected over HTTP: %d %v", r.status, r.header)
	}
	postJSON(t, c+"deny-next-authorize", `{"error":"access_denied"}`)
	if q := authorize(t, s, authReq{}); q.Get("error") != "access_denied" {
		t.Errorf("deny over HTTP: %v", q)
	}
	var counts map[string]int
	json.Unmarshal(do(t, mustGet(t, c+"counts")).raw, &counts)
	if counts["GET /v2/groups/my_groups"] != 1 {
		t.Errorf("counts over HTTP %v", counts)
	}
	for k := range counts {
		if strings.Contains(k, "/_fake/") {
			t.Errorf("control request counted: %s", k)
		}
	}
	postJSON(t, c+"reset-counts", "")
	if len(s.Counts()) != 0 {
		t.Errorf("reset over HTTP: %v", s.Counts())
	}
}

func TestHelperPages(t *testing.T) {
	s := NewT(t, Options{})
	r := do(t, mustGet(t, s.AuthCodePageURL()+"?error=access_denied&error_description=no"))
	if !strings.Contains(string(r.raw), "access_denied") || strings.Contains(string(r.raw), "auth-code\"") {
		t.Errorf("error page: %s", r.raw)
	}
	if r := do(t, mustGet(t, s.AuthURL()+"/v2/web/logout")); r.status != 200 || !strings.Contains(string(r.raw), "logged out") {
		t.Errorf("logout page: %d %s", r.status, r.raw)
	}
	req, _ := http.NewRequest(http.MethodGet, s.AuthURL()+"/v2/oauth2/token", nil)
	if r := do(t, req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d", r.status)
	}
}
