package service_test

import (
	"context"
	"fmt"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/internal/workerload"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// Tests of Durable Object mode natively: the backends of two KV locations (kvstore.Cloud, each
// reading through its own cache, a minute stale at worst) coordinated by the Durable Object's
// double (kvstore.MemoryCoordinators). worker/e2e runs the same cases in workerd.

// Twenty requests of one session with an expired access token, half in each location, refresh
// tokens rotating: exactly one refresh, every request answered 200, whatever the staleness.
func TestCoordinatedSingleRefreshOverTwoLocations(t *testing.T) {
	t.Parallel()
	for _, staleness := range []time.Duration{0, time.Minute} {
		t.Run(fmt.Sprintf("staleness=%v", staleness), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}, locations: []string{"a", "b"}, staleness: staleness, coordinated: true})
			r := raceExpired(t, h)
			sid, statuses := r.sid, r.statuses
			sum, by := h.opsSince()
			t.Logf("answers %v; KV: %d reads, %d writes (%s); Durable Object calls %v", statuses, sum.Reads, sum.Writes, by, h.co.Counts())
			if statuses["a: 200"] != 10 || statuses["b: 200"] != 10 {
				t.Errorf("answers %v, want 10 × 200 in each location", statuses)
			}
			if n := h.fake.Count("grant:refresh_token"); n != 1 {
				t.Errorf("%d refreshes, want exactly 1", n)
			}
			if sum.Writes != 1 { // (refused when within a second of the login's, then retried)
				t.Errorf("KV: %d writes, want the record's 1", sum.Writes)
			}
			if d := h.groupsToken(sid); !h.fake.TokenActive(d.RefreshToken) {
				t.Error("the stored refresh token is not a live one")
			}
		})
	}
}

// A logout in location a refuses the session's next request in location b at once, even when
// b's KV copy of the record is fresh in its cache and Globus did not revoke the tokens (so
// nothing but the coordinator's tombstone can refuse it).
func TestCoordinatedLogoutEverywhereAtOnce(t *testing.T) {
	t.Parallel()
	for _, revokeFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("revocation fails=%v", revokeFails), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{locations: []string{"a", "b"}, staleness: time.Minute, coordinated: true})
			b := h.browser()
			sid := b.login()
			h.cloud.Location("b").Get(context.Background(), kvstore.SessionKey(sid)) // b's KV caches the record
			if r := b.getAt("b", "/groups"); r.StatusCode != 200 {
				t.Fatalf("b: /groups = %d %s", r.StatusCode, r.body)
			}
			if revokeFails {
				h.fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token/revoke", Status: 503, RetryAfter: "0", Times: -1})
			}
			r := b.do(http.MethodPost, "/logout", http.Header{"Origin": {h.srv.URL}})
			if want := map[bool]int{false: 204, true: 502}[revokeFails]; r.StatusCode != want {
				t.Fatalf("logout in a = %d %s, want %d", r.StatusCode, r.body, want)
			}
			h.fake.ClearFaults()
			if _, ok, _ := h.cloud.Location("b").Get(context.Background(), kvstore.SessionKey(sid)); !ok {
				t.Fatal("b's KV no longer serves the record: the double must be stale here")
			}
			old := h.browser()
			old.setCookie(service.SessionCookie, sid)
			h.fake.ResetCounts()
			errorBody(t, old.getAt("b", "/groups"), 401, string(app.KindLoginRequired))
			if n := h.fake.Count("GET /v2/groups/my_groups"); n != 0 {
				t.Errorf("b called Groups %d times for a logged-out session", n)
			}
		})
	}
}

// TestCoordinatedWorkerLoadOverTwoLocations is TestWorkerLoadOverTwoLocations in Durable
// Object mode, where KV-only mode's bound (one rotation per staleness) does not apply: a minute
// of staleness and expiries a few hundred requests apart; no unexpected answer, no session
// lost, at most one refresh per session and expiry. Long form: 5,000 requests.
func TestCoordinatedWorkerLoadOverTwoLocations(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}, locations: []string{"a", "b"}, staleness: time.Minute, coordinated: true})
	cfg := workerload.Config{Base: h.srv.URL, Others: []string{h.at["b"].URL}, Fake: h.fake, Clients: 8, Sessions: 4, Requests: 400, Expiries: 3, Bursts: 2}
	if faultsuite.Long() {
		cfg.Requests, cfg.Expiries, cfg.Bursts = 5000, 10, 20
	}
	h.cloud.ResetCounts()
	res, err := workerload.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, by := h.opsSince()
	routes := make([]string, 0, len(res.ByRoute))
	for r, n := range res.ByRoute {
		routes = append(routes, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(routes)
	t.Logf("%d requests (%s) in %v: %d unexpected, %d sessions lost, %d refresh grants for %d sessions × %d expiries",
		res.Requests, strings.Join(routes, ", "), res.Elapsed.Round(time.Millisecond), res.Failures, res.Lost, res.Refreshes, cfg.Sessions, cfg.Expiries)
	t.Logf("KV: %d reads, %d writes, %d deletes, %d refused (%s); Durable Object calls %v", sum.Reads, sum.Writes, sum.Deletes, sum.Refused, by, h.co.Counts())
	if res.Failures != 0 || res.Lost != 0 {
		t.Errorf("%d unexpected answers, %d sessions lost: %q", res.Failures, res.Lost, res.Unexpected)
	}
	if res.Refreshes == 0 || res.Refreshes > cfg.Sessions*cfg.Expiries {
		t.Errorf("%d refreshes, want 1..%d (sessions × expiries)", res.Refreshes, cfg.Sessions*cfg.Expiries)
	}
}
