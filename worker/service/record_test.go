package service_test

import (
	"context"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// clock is a settable time for session ages.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// TestSessionMaxAge: a session ends SessionMaxAge after its login, however often it was
// refreshed meanwhile. A refresh keeps the issue time and writes the record with a TTL cut to
// what is left of the maximum; past it, the session is refused without a Globus call, even
// when the record is still in KV (as in a store that ignores TTLs, which the harness's KV does
// here: it runs on the real clock, the service on the test's).
func TestSessionMaxAge(t *testing.T) {
	const maxAge = 3 * 24 * time.Hour
	h := newHarness(t, options{})
	clk := &clock{now: time.Now()}
	hd := h.handler(h.keys)
	g := config.Config{Environment: "test", AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), Timeout: 10 * time.Second, ClientID: testClientID}
	hd2, err := service.New(service.Config{Globus: g, Keys: h.keys, SessionMaxAge: maxAge}, http.DefaultClient.Do, h.kv)
	if err != nil {
		t.Fatal(err)
	}
	hd2.Logf, hd2.Now = hd.Logf, clk.Now
	h.swap(hd2)

	b := h.browser()
	r := b.callback(b.startLogin("/login"))
	sid := checkCookie(t, r, service.SessionCookie, maxAge).Value
	key := kvstore.SessionKey(sid)
	issued := func() time.Time {
		v, _, _ := h.kv.Get(context.Background(), key)
		_, at, err := service.OpenSessionRecord(h.keys, key, v)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	loginAt := issued()
	if d := clk.Now().Sub(loginAt); d < 0 || d > time.Second {
		t.Fatalf("record issued at %v, %v from the login", loginAt, d)
	}

	clk.Add(2 * 24 * time.Hour)
	h.fake.ExpireAccessTokens() // Groups answers 401: the session refreshes and writes KV
	h.fake.ResetCounts()
	if r := b.get("/groups"); r.StatusCode != 200 || h.fake.Count("grant:refresh_token") != 1 {
		t.Fatalf("/groups on day 2 = %d %s after %d refreshes; want 200 after one", r.StatusCode, r.body, h.fake.Count("grant:refresh_token"))
	}
	if !issued().Equal(loginAt) {
		t.Errorf("the refresh moved the issue time from %v to %v", loginAt, issued())
	}
	if ttl, _ := h.kv.TTL(key); ttl <= 23*time.Hour || ttl > 24*time.Hour {
		t.Errorf("after a refresh on day 2 the record's TTL is %v; want what is left of 3 days (1 day)", ttl)
	}

	clk.Add(24*time.Hour + time.Second)
	h.fake.ResetCounts()
	r = b.get("/groups")
	errorBody(t, r, http.StatusUnauthorized, string(app.KindLoginRequired))
	if n := h.fake.Count("grant:refresh_token") + h.fake.Count("GET /v2/groups/my_groups"); n != 0 {
		t.Errorf("a session past its maximum age made %d Globus calls", n)
	}
	if _, ok, _ := h.kv.Get(context.Background(), key); !ok {
		t.Fatal("the record left KV: the test no longer shows the issue time doing the refusing")
	}
}

func TestSessionMaxAgeSetting(t *testing.T) {
	e := goodEnv()
	c, err := service.ConfigFromEnv(env(e))
	if err != nil || c.SessionMaxAge != 0 {
		t.Fatalf("unset: %v, %v (zero means the default)", c.SessionMaxAge, err)
	}
	e[service.EnvSessionMaxAge] = "86400"
	if c, err = service.ConfigFromEnv(env(e)); err != nil || c.SessionMaxAge != 24*time.Hour {
		t.Fatalf("86400: %v, %v", c.SessionMaxAge, err)
	}
	for _, bad := range []string{"59", "1d", "-5", "34560001", "1e9"} {
		e[service.EnvSessionMaxAge] = bad
		if _, err := service.ConfigFromEnv(env(e)); err == nil || !strings.Contains(err.Error(), service.EnvSessionMaxAge) {
			t.Errorf("%q: %v, want an error naming %s", bad, err, service.EnvSessionMaxAge)
		}
	}
}

// TestRequestShapeRefusals: no route takes a body (413 before any KV or Globus call), and a
// URL net/url refuses is a 400 with the service's error shape (worker/e2e checks the rest in
// workerd: the instance keeps serving and no log line has the query).
func TestRequestShapeRefusals(t *testing.T) {
	h, err := service.NewFromEnv(env(goodEnv()), refusingDoer(t), refusingKV{t})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/logout", strings.NewReader("x=1"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	errorBody(t, &resp{Response: w.Result(), body: w.Body.String()}, http.StatusRequestEntityTooLarge, service.CodeBodyTooLarge)
	req = httptest.NewRequest("GET", "/healthz", strings.NewReader("x"))
	req.ContentLength = -1 // chunked
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	errorBody(t, &resp{Response: w.Result(), body: w.Body.String()}, http.StatusRequestEntityTooLarge, service.CodeBodyTooLarge)

	w = httptest.NewRecorder()
	service.BadURL(w, &http.Request{Method: "GET", URL: &url.URL{Path: "/%zz"}, Header: http.Header{}})
	e := errorBody(t, &resp{Response: w.Result(), body: w.Body.String()}, http.StatusBadRequest, service.CodeBadRequest)
	if w.Header().Get("X-Request-Id") != e.RequestID || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("BadURL's headers %v are not the service's", w.Header())
	}
}
