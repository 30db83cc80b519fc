package globustest

import (
	"net/http"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	s := NewT(t, Options{})
	const origin = "http://127.0.0.1:5555"
	for _, u := range []string{s.GroupsURL() + "/v2/groups/my_groups", s.AuthURL() + "/v2/oauth2/token", s.AuthURL() + "/_fake/counts"} {
		req, _ := http.NewRequest(http.MethodOptions, u, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		r := do(t, req)
		h := r.header
		if r.status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != origin ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") ||
			h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type, X-Globus-Client-Info" ||
			h.Get("Access-Control-Max-Age") == "" {
			t.Errorf("preflight %s: %d %v", u, r.status, h)
		}
	}
	// Error responses carry CORS headers too.
	req := mustGet(t, s.GroupsURL()+"/v2/groups/my_groups")
	req.Header.Set("Origin", origin)
	r := do(t, req)
	if r.status != http.StatusUnauthorized || r.header.Get("Access-Control-Allow-Origin") != origin ||
		r.header.Get("Access-Control-Expose-Headers") != "Retry-After" {
		t.Errorf("401 headers: %v", r.header)
	}
	r = do(t, mustGet(t, s.AuthURL()+"/nope"))
	if r.status != http.StatusNotFound || r.header.Get("Access-Control-Allow-Origin") != "*" ||
		r.header.Get("Content-Type") != "application/json" {
		t.Errorf("404: %d %v", r.status, r.header)
	}
	if s.Count("OPTIONS /v2/groups/my_groups") != 1 || s.Count("OPTIONS /_fake/counts") != 0 {
		t.Errorf("counts %v", s.Counts())
	}
}
