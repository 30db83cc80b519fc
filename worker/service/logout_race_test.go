package service_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/worker/service"
)

// A logout that arrives while another request of the session is refreshing its tokens must
// not be undone by that refresh: before the logout took the refresh lease, the refresh wrote
// the session record back and the same cookie worked again.
func TestLogoutDuringRefreshStaysLoggedOut(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	h.fake.ExpireAccessTokens() // the next /groups gets a 401 and refreshes
	// Globus grants the refresh at once but its answer takes a second to arrive.
	h.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", AfterHandling: true, Delay: time.Second})
	issued := len(h.fake.IssuedTokens())
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", h.srv.URL+"/groups", nil)
		req.AddCookie(&http.Cookie{Name: service.SessionCookie, Value: sid})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	for deadline := time.Now().Add(20 * time.Second); len(h.fake.IssuedTokens()) == issued; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refresh was never granted")
		}
	}
	if r := b.do(http.MethodPost, "/logout", http.Header{"Origin": {h.srv.URL}}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /logout = %d %s", r.StatusCode, r.body)
	}
	if st := <-done; st != http.StatusOK && st != http.StatusUnauthorized {
		t.Fatalf("the /groups racing the logout = %d", st)
	}
	if _, ok := h.record(sid); ok {
		t.Fatal("the session record is back in KV after logout")
	}
	b.setCookie(service.SessionCookie, sid) // an old tab still sending the cookie
	if r := b.get("/groups"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /groups with the logged-out cookie = %d %s", r.StatusCode, r.body)
	}
	for i, tok := range h.fake.IssuedTokens() {
		if h.fake.TokenActive(tok) {
			t.Errorf("token %d is still active after logout", i)
		}
	}
	h.checkNoSecrets()
}
