package globustest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// RFC 7636 appendix B vector.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

// authReq describes an authorize request; zero fields get tutorial defaults.
type authReq struct {
	clientID, redirectURI, scope, state, challenge, method, accessType string
	omit                                                               []string // parameters to leave out
}

func (s *Server) authorizeURL(a authReq) string {
	v := url.Values{}
	set := func(k, val, def string) {
		if val == "" {
			val = def
		}
		v.Set(k, val)
	}
	set("client_id", a.clientID, TutorialClientID)
	set("redirect_uri", a.redirectURI, s.AuthCodePageURL())
	set("scope", a.scope, GroupsScope)
	set("state", a.state, "_default")
	set("response_type", "code", "")
	set("code_challenge", a.challenge, rfcChallenge)
	set("code_challenge_method", a.method, "S256")
	set("access_type", a.accessType, "offline")
	for _, k := range a.omit {
		v.Del(k)
	}
	return s.AuthURL() + "/v2/oauth2/authorize?" + v.Encode()
}

// authorize runs an authorize request and returns the redirect's query.
func authorize(t *testing.T, s *Server, a authReq) url.Values {
	t.Helper()
	loc, err := s.Authorize(context.Background(), s.authorizeURL(a))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	return loc.Query()
}

// code runs a successful authorize request and returns the code.
func code(t *testing.T, s *Server, a authReq) string {
	t.Helper()
	q := authorize(t, s, a)
	if q.Get("code") == "" {
		t.Fatalf("no code in redirect: %v", q)
	}
	return q.Get("code")
}

type reply struct {
	status int
	header http.Header
	json   map[string]any
	raw    []byte
}

// do sends a request and decodes a JSON object body if there is one.
func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: b}
	_ = json.Unmarshal(b, &r.json)
	return r
}

// post sends a form to an Auth path; user/pass non-empty add HTTP Basic.
func post(t *testing.T, s *Server, path string, form url.Values, user, pass string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.AuthURL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return do(t, req)
}

// exchange trades a tutorial-client code with the RFC verifier.
func exchange(t *testing.T, s *Server, code string) reply {
	t.Helper()
	return post(t, s, "/v2/oauth2/token", url.Values{
		"client_id": {TutorialClientID}, "grant_type": {"authorization_code"}, "code": {code},
		"code_verifier": {rfcVerifier}, "redirect_uri": {s.AuthCodePageURL()},
	}, "", "")
}

// login runs authorize + exchange for the tutorial client and returns the
// token response.
func login(t *testing.T, s *Server, a authReq) map[string]any {
	t.Helper()
	r := exchange(t, s, code(t, s, a))
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.raw)
	}
	return r.json
}

func refresh(t *testing.T, s *Server, rt string) reply {
	t.Helper()
	return post(t, s, "/v2/oauth2/token", url.Values{
		"client_id": {TutorialClientID}, "grant_type": {"refresh_token"}, "refresh_token": {rt},
	}, "", "")
}

// groups calls my_groups with a bearer token ("" → no header).
func groups(t *testing.T, s *Server, token, rawQuery string) reply {
	t.Helper()
	u := s.GroupsURL() + "/v2/groups/my_groups"
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func wantOAuthError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.json["error"] != code {
		t.Fatalf("want %d %s, got %d %s", status, code, r.status, r.raw)
	}
	if r.json["error_description"] == "" || r.json["error_description"] == nil {
		t.Errorf("no error_description: %s", r.raw)
	}
}

func str(v any) string { s, _ := v.(string); return s }
