package globustest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaultTimesTwoThenSuccess(t *testing.T) {
	s := NewT(t, Options{})
	at := str(login(t, s, authReq{})["access_token"])
	s.Inject(Fault{Path: "/v2/groups/my_groups", Status: 503, RetryAfter: "1", Times: 2})
	for i := range 2 {
		r := groups(t, s, at, "")
		if r.status != 503 || r.header.Get("Retry-After") != "1" || r.json["code"] != "SERVICE_UNAVAILABLE" ||
			str(r.json["detail"]) == "" || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("attempt %d: %d %v %s", i, r.status, r.header, r.raw)
		}
	}
	if r := groups(t, s, at, ""); r.status != http.StatusOK {
		t.Errorf("after the fault: %d", r.status)
	}
	if n := s.Count("GET /v2/groups/my_groups"); n != 3 {
		t.Errorf("faulted requests must count: %d", n)
	}
}

func TestFaultAuthBodyAndCustomBody(t *testing.T) {
	s := NewT(t, Options{})
	s.Inject(Fault{Method: "POST", Path: "/v2/oauth2/token", Status: 500})
	r := exchange(t, s, code(t, s, authReq{}))
	errs, _ := r.json["errors"].([]any)
	if r.status != 500 || len(errs) != 1 || str(errs[0].(map[string]any)["id"]) == "" ||
		errs[0].(map[string]any)["status"] != "500" || str(r.json["error"]) == "" {
		t.Fatalf("auth fault: %d %s", r.status, r.raw)
	}
	if s.Count("grant:authorization_code") != 1 {
		t.Errorf("grant counter %v", s.Counts())
	}
	s.Inject(Fault{Path: "/v2/groups/my_groups", Body: "{not json", ContentType: "text/plain"})
	r = groups(t, s, "x", "")
	if r.status != 200 || string(r.raw) != "{not json" || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("custom body: %d %q %v", r.status, r.raw, r.header)
	}
	// Method mismatch: no fault. Optional: it must not fire, which Used checks.
	other := s.Inject(Fault{Method: "POST", Path: "/v2/groups/my_groups", Status: 500, Optional: true})
	if r := groups(t, s, "x", ""); r.status != http.StatusUnauthorized || other.Used() != 0 {
		t.Errorf("fault for another method applied: %d, used %d", r.status, other.Used())
	}
}

func TestFaultDelay(t *testing.T) {
	s := NewT(t, Options{})
	at := str(login(t, s, authReq{})["access_token"])
	s.Inject(Fault{Path: "/v2/groups/my_groups", Delay: 150 * time.Millisecond})
	start := time.Now()
	if r := groups(t, s, at, ""); r.status != http.StatusOK || time.Since(start) < 150*time.Millisecond {
		t.Errorf("delay-only fault: %d after %v", r.status, time.Since(start))
	}
	s.Inject(Fault{Path: "/v2/groups/my_groups", Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.GroupsURL()+"/v2/groups/my_groups", nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want deadline exceeded, got %v", err)
	}
}

func TestFaultSkipsPreflight(t *testing.T) {
	s := NewT(t, Options{})
	s.Inject(Fault{Path: "/v2/oauth2/token", Status: 429})
	req, _ := http.NewRequest(http.MethodOptions, s.AuthURL()+"/v2/oauth2/token", nil)
	req.Header.Set("Origin", "http://127.0.0.1:1234")
	if r := do(t, req); r.status != http.StatusNoContent {
		t.Errorf("preflight faulted: %d", r.status)
	}
	r := post(t, s, "/v2/oauth2/token", url.Values{}, "", "")
	if r.status != 429 || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("token fault: %d %v", r.status, r.header)
	}
}

// A lost answer: the fake handles the exchange (the code is spent, tokens are issued) and
// then cuts the connection, so a retry meets invalid_grant as it would at the real service.
func TestFaultAfterHandlingDropsTheAnswer(t *testing.T) {
	s := NewT(t, Options{})
	c := code(t, s, authReq{})
	s.Inject(Fault{Path: "/v2/oauth2/token", AfterHandling: true, Drop: true})
	form := url.Values{
		"client_id": {TutorialClientID}, "grant_type": {"authorization_code"}, "code": {c},
		"code_verifier": {rfcVerifier}, "redirect_uri": {s.AuthCodePageURL()},
	}
	resp, err := http.PostForm(s.AuthURL()+"/v2/oauth2/token", form)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got an answer %d, want a broken connection", resp.StatusCode)
	}
	issued := s.IssuedTokens()
	if len(issued) == 0 {
		t.Fatal("the exchange was not handled before the answer was dropped")
	}
	wantOAuthError(t, exchange(t, s, c), 401, "invalid_grant")
	for _, tok := range issued {
		if s.TokenActive(tok) {
			t.Error("replaying the spent code left its tokens active")
		}
	}
}

func TestFaultTruncateAndLateAnswer(t *testing.T) {
	s := NewT(t, Options{RotateRefreshTokens: true})
	rt := str(login(t, s, authReq{})["refresh_token"])
	s.Inject(Fault{Path: "/v2/oauth2/token", AfterHandling: true, Truncate: true})
	resp, err := http.PostForm(s.AuthURL()+"/v2/oauth2/token", url.Values{
		"client_id": {TutorialClientID}, "grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 200 {
		t.Fatalf("truncated answer: %d %v", resp.StatusCode, err)
	}
	if s.TokenActive(rt) {
		t.Fatal("the refresh was not handled (the old refresh token still works)")
	}
	// A late answer: the client gives up first; the server has rotated anyway.
	s.Inject(Fault{Path: "/v2/groups/my_groups", Status: 500, Truncate: true})
	req, _ := http.NewRequest("GET", s.GroupsURL()+"/v2/groups/my_groups", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 500 {
			t.Fatalf("truncated fault body: %d %v", resp.StatusCode, err)
		}
	}
	s.Inject(Fault{Path: "/v2/oauth2/token", AfterHandling: true, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	before := len(s.IssuedTokens())
	req, _ = http.NewRequestWithContext(ctx, "POST", s.AuthURL()+"/v2/oauth2/token", strings.NewReader(url.Values{
		"client_id": {TutorialClientID}, "grant_type": {"authorization_code"}, "code": {code(t, s, authReq{})},
		"code_verifier": {rfcVerifier}, "redirect_uri": {s.AuthCodePageURL()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a late answer arrived")
	}
	if len(s.IssuedTokens()) == before {
		t.Fatal("the delayed exchange was not handled")
	}
}
