package service_test

import (
	"context"
	"fmt"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/internal/workerload"
	"github.com/globus-edge/globus-edge/worker/service"
)

// Tests of KV-only mode across locations: two backends over two locations of one KV
// (kvstore.Cloud), each location reading through its own cache. Staleness 60 s is the worst
// Cloudflare documents; these tests finish well within it, so a location that read a key keeps
// its copy for the whole test unless it writes the key itself.

// Twenty requests of one session with an expired access token, half in each location, while
// Globus rotates refresh tokens. No request may fail because of KV's write rule (a refused
// lease or record write); the session must survive with a live refresh token everywhere.
func TestExpiredSessionOverTwoLocations(t *testing.T) {
	t.Parallel()
	for _, staleness := range []time.Duration{0, time.Minute} {
		t.Run(fmt.Sprintf("staleness=%v", staleness), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}, locations: []string{"a", "b"}, staleness: staleness})
			r := raceExpired(t, h)
			b, sid, statuses, slowest, issued := r.b, r.sid, r.statuses, r.slowest, r.issued
			grants := h.fake.Count("grant:refresh_token")
			refreshed := (len(h.fake.IssuedTokens()) - issued) / 2 // an access and a refresh token each
			sum, by := h.opsSince()
			t.Logf("answers %v; %d refresh grants (%d refused); slowest answer %v", statuses, grants, grants-refreshed, slowest.Round(10*time.Millisecond))
			t.Logf("KV: %d reads, %d writes, %d deletes, %d refused (%s)", sum.Reads, sum.Writes, sum.Deletes, sum.Refused, by)
			for answer := range statuses {
				if !strings.HasSuffix(answer, ": 200") {
					t.Errorf("a request failed: %s", answer)
				}
			}
			d := h.groupsToken(sid)
			if !h.fake.TokenActive(d.RefreshToken) {
				t.Fatal("the stored refresh token is not a live one")
			}
			for _, loc := range []string{"a", "b"} {
				if r := b.getAt(loc, "/groups"); r.StatusCode != 200 {
					t.Errorf("%s after the run: /groups = %d %s", loc, r.StatusCode, r.body)
				}
			}
		})
	}
}

// race is what raceExpired saw.
type race struct {
	b        *browser
	sid      string
	statuses map[string]int // "a: 200", or the location and what went wrong
	slowest  time.Duration
	issued   int // tokens the fake had issued before the race
}

// raceExpired logs a browser in over h's locations a and b, has each location read (and
// cache) the session record, expires the access token and sends 20 concurrent GET /groups,
// ten per location, with the counts of the fake, KV and the coordinators reset just before.
func raceExpired(t *testing.T, h *harness) race {
	t.Helper()
	r := race{b: h.browser(), statuses: map[string]int{}}
	r.sid = r.b.login()
	for _, loc := range []string{"a", "b"} {
		if resp := r.b.getAt(loc, "/groups"); resp.StatusCode != 200 {
			t.Fatalf("%s: /groups = %d %s", loc, resp.StatusCode, resp.body)
		}
	}
	h.fake.ExpireAccessTokens()
	r.issued = len(h.fake.IssuedTokens())
	h.fake.ResetCounts()
	h.cloud.ResetCounts()
	if h.co != nil {
		h.co.ResetCounts()
	}
	var mu sync.Mutex
	start := time.Now()
	parallel.Run(20, func(i int) error {
		loc := []string{"a", "b"}[i%2]
		err := getStatus(h.at[loc].URL, "/groups", r.sid, 200)
		mu.Lock()
		defer mu.Unlock()
		r.slowest = max(r.slowest, time.Since(start))
		if err != nil {
			r.statuses[loc+": "+err.Error()]++
		} else {
			r.statuses[loc+": 200"]++
		}
		return nil
	})
	return r
}

// offsetClock is the real clock moved on by a settable offset: KV's write rule still passes
// in real time, and a test can jump past the staleness of a cached read.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// A logout in location a, and the session's next request (an old tab, a copied cookie) in
// location b, whose copy of the record is stale. When Globus revoked the tokens, b refuses the
// session on that request (its refresh is refused, and no successor exists). When revoking failed, b's
// copy still works until it is as old as the staleness: that is KV-only mode's stale window.
func TestLogoutSeenAcrossLocations(t *testing.T) {
	t.Parallel()
	for _, revokeFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("revocation fails=%v", revokeFails), func(t *testing.T) {
			t.Parallel()
			clk := &offsetClock{}
			const staleness = time.Minute
			h := newHarness(t, options{locations: []string{"a", "b"}, staleness: staleness, now: clk.now})
			b := h.browser()
			sid := b.login()
			if r := b.getAt("b", "/groups"); r.StatusCode != 200 { // b reads (and caches) the record
				t.Fatalf("b: /groups = %d %s", r.StatusCode, r.body)
			}
			readAt := clk.now()
			if revokeFails {
				h.fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token/revoke", Status: 503, RetryAfter: "0", Times: -1})
			}
			r := b.do(http.MethodPost, "/logout", http.Header{"Origin": {h.srv.URL}})
			if want := map[bool]int{false: 204, true: 502}[revokeFails]; r.StatusCode != want {
				t.Fatalf("logout in a = %d %s, want %d", r.StatusCode, r.body, want)
			}
			h.fake.ClearFaults()
			if _, ok := h.record(sid); ok {
				t.Fatal("the record survived the logout")
			}
			old := h.browser()
			old.setCookie(service.SessionCookie, sid)
			start := time.Now()
			r = old.getAt("b", "/groups")
			if !revokeFails {
				errorBody(t, r, 401, string(app.KindLoginRequired))
				t.Logf("tokens revoked: b refused the logged-out session on its first request, answered after %v", time.Since(start).Round(10*time.Millisecond))
				return
			}
			if r.StatusCode != 200 {
				t.Fatalf("b right after the logout = %d %s: the double should serve b's stale copy", r.StatusCode, r.body)
			}
			// Step through the window: b answers from its copy until the copy is stale.
			window := time.Duration(0)
			for step := 10 * time.Second; ; clk.advance(step) {
				if r = old.getAt("b", "/groups"); r.StatusCode != 200 {
					break
				}
				window = clk.now().Sub(readAt)
				if window > 2*staleness {
					t.Fatalf("b still serves the logged-out session %v after it read the record", window)
				}
			}
			errorBody(t, r, 401, string(app.KindLoginRequired))
			t.Logf("revocation failed: b served the logged-out session for %v after its last read of the record (staleness %v)", window.Round(time.Second), staleness)
			if window < staleness-10*time.Second {
				t.Errorf("stale window %v, want about the staleness %v", window, staleness)
			}
		})
	}
}

// TestWorkerLoadOverTwoLocations is TestWorkerLoad with each session's requests spread over
// two locations whose reads may be stale, refresh tokens rotating: every answer must still be
// the expected one and no session lost. KV-only mode's bound: a session's refresh token
// rotates at most once within the staleness (a stale location finds one successor per
// refusal; production tokens are renewed every two days), so the run with a minute of
// staleness has one expiry, the one with seconds of staleness several (with expiries seconds
// apart under a minute of staleness, sessions are lost: the bound is real). Long form
// (-faults.long or GLOBUS_EDGE_FAULTS=long): 5,000 requests, three times the expiries of the
// one with seconds of staleness.
func TestWorkerLoadOverTwoLocations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		staleness            time.Duration
		expiries, longExpiry int
	}{{time.Minute, 1, 1}, {2 * time.Second, 3, 9}} {
		t.Run(fmt.Sprintf("staleness=%v", tc.staleness), func(t *testing.T) {
			t.Parallel()
			expiries := tc.expiries
			if faultsuite.Long() {
				expiries = tc.longExpiry
			}
			workerLoadOverTwoLocations(t, tc.staleness, expiries)
		})
	}
}

func workerLoadOverTwoLocations(t *testing.T, staleness time.Duration, expiries int) {
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}, locations: []string{"a", "b"}, staleness: staleness})
	cfg := workerload.Config{Base: h.srv.URL, Others: []string{h.at["b"].URL}, Fake: h.fake, Clients: 8, Sessions: 4, Requests: 400, Expiries: expiries, Bursts: 2}
	if faultsuite.Long() {
		cfg.Requests, cfg.Bursts = 5000, 20
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
	t.Logf("KV: %d reads, %d writes, %d deletes, %d refused (%s)", sum.Reads, sum.Writes, sum.Deletes, sum.Refused, by)
	if res.Failures != 0 || res.Lost != 0 {
		t.Errorf("%d unexpected answers, %d sessions lost: %q", res.Failures, res.Lost, res.Unexpected)
	}
}
