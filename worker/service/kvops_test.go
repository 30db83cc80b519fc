package service_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// opsSince returns the KV operations since the last ResetCounts, summed and by prefix, and
// resets the counts.
func (h *harness) opsSince() (kvstore.Counts, string) {
	var sum kvstore.Counts
	var parts []string
	for p, n := range h.cloud.Counts() {
		sum.Reads += n.Reads
		sum.Writes += n.Writes
		sum.Deletes += n.Deletes
		sum.Refused += n.Refused
		parts = append(parts, fmt.Sprintf("%s %dr/%dw/%dd/%d×429", p, n.Reads, n.Writes, n.Deletes, n.Refused))
	}
	sort.Strings(parts)
	h.cloud.ResetCounts()
	return sum, strings.Join(parts, ", ")
}

// TestKVOperationsPerRoute counts what each route costs in KV (Cloudflare's Free plan: 1,000
// writes and 1,000 deletes a day, 100,000 reads) and, in Durable Object mode, in requests to the
// session's object, a user's steps a few seconds apart. The write and object counts are
// pinned: a route that starts writing or calling more fails here.
func TestKVOperationsPerRoute(t *testing.T) {
	t.Parallel()
	for _, coordinated := range []bool{false, true} {
		for _, rotate := range []bool{false, true} {
			t.Run(fmt.Sprintf("durable object=%v/rotation=%v", coordinated, rotate), func(t *testing.T) {
				t.Parallel()
				kvOperationsPerRoute(t, coordinated, rotate)
			})
		}
	}
}

// routeCost is what one step may cost: KV writes and deletes, and Durable Object requests.
type routeCost struct{ writes, deletes, object int }

func kvOperationsPerRoute(t *testing.T, coordinated, rotate bool) {
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: rotate}, coordinated: coordinated})
	b := h.browser()
	// KV-only: a refresh writes the lease and the record, and with rotation the successor a
	// location reading the old record needs; a logout writes the lease and deletes the record.
	// Durable Object mode: the record only (the object holds the lock, versions and the newest
	// record); object requests: a read per request, and for a refresh a read (the authorizer's
	// second look before locking), the lock, the write and the unlock.
	login, steady, refresh, logout, forged := routeCost{1, 0, 0}, routeCost{}, routeCost{2, 0, 0}, routeCost{1, 1, 0}, routeCost{}
	if rotate {
		refresh.writes = 3
	}
	if coordinated {
		login, steady, refresh, logout, forged = routeCost{1, 0, 2}, routeCost{0, 0, 1}, routeCost{1, 0, 5}, routeCost{0, 1, 4}, routeCost{0, 0, 1}
	}
	origin := http.Header{"Origin": {h.srv.URL}}
	steps := []struct {
		name   string
		run    func() *resp
		status int
		cost   routeCost
	}{
		{"anonymous /login", func() *resp { return b.get("/login") }, 302, routeCost{}},
		{"anonymous logout", func() *resp { return h.browser().do("POST", "/logout", origin) }, 204, routeCost{}},
		{"forged-session logout", func() *resp {
			f := h.browser()
			f.setCookie(service.SessionCookie, strings.Repeat("A", 43))
			return f.do("POST", "/logout", origin)
		}, 204, forged},
		{"login (/callback)", func() *resp { return b.callback(b.startLogin("/login")) }, 302, login},
		{"steady /groups", func() *resp { return b.get("/groups") }, 200, steady},
		{"steady /groups?format=csv", func() *resp { return b.get("/groups?format=csv") }, 200, steady},
		{"refresh (/groups after expiry)", func() *resp { h.fake.ExpireAccessTokens(); return b.get("/groups") }, 200, refresh},
		{"logout", func() *resp { return b.do("POST", "/logout", origin) }, 204, logout},
	}
	h.cloud.ResetCounts()
	for _, s := range steps {
		time.Sleep(kvstore.WriteInterval) // a user's steps are seconds apart
		h.cloud.ResetCounts()
		object := 0
		if h.co != nil {
			h.co.ResetCounts()
		}
		if r := s.run(); r.StatusCode != s.status {
			t.Fatalf("%s = %d %s", s.name, r.StatusCode, r.body)
		}
		sum, by := h.opsSince()
		calls := ""
		if h.co != nil {
			for _, n := range h.co.Counts() {
				object += n
			}
			calls = fmt.Sprintf("; object %v", h.co.Counts())
		}
		t.Logf("%-31s %2d reads, %d writes, %d deletes, %d object requests (%s%s)", s.name, sum.Reads, sum.Writes, sum.Deletes, object, by, calls)
		if got := (routeCost{sum.Writes, sum.Deletes, object}); got != s.cost || sum.Refused != 0 {
			t.Errorf("%s: %d writes, %d deletes, %d object requests, %d refused; want %d, %d, %d, 0", s.name, sum.Writes, sum.Deletes, object, sum.Refused, s.cost.writes, s.cost.deletes, s.cost.object)
		}
	}
}

// TestRoutesKeepTheWriteRule runs the routes back to back, as fast as a script can, so that
// writes to one key land within a second of each other: a refresh right after the login, a
// logout right after a refresh or a login, a new login ending the previous session, a logout
// racing concurrent refreshes. KV refuses those writes (429, counted); no request may fail
// because of it.
func TestRoutesKeepTheWriteRule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}})
	origin := http.Header{"Origin": {h.srv.URL}}
	var fails []string
	want := func(what string, r *resp, status int) {
		if r.StatusCode != status {
			fails = append(fails, fmt.Sprintf("%s = %d %s", what, r.StatusCode, r.body))
		}
	}
	h.cloud.ResetCounts()
	for i := range 2 {
		b := h.browser()
		b.login()
		h.fake.ExpireAccessTokens()
		want("refresh right after the login", b.get("/groups"), 200)
		want("logout right after the refresh", b.do("POST", "/logout", origin), 204)
		b.login()
		want("logout right after the login", b.do("POST", "/logout", origin), 204)
		b.login()
		want("a new login ending the previous session", b.callback(b.startLogin("/login")), 302)
		sid := b.cookie(service.SessionCookie).Value
		h.fake.ExpireAccessTokens()
		err := parallel.Run(6, func(j int) error {
			if j == 5 {
				return nil
			}
			return getStatus(h.srv.URL, "/groups", sid, 200)
		})
		if err != nil {
			fails = append(fails, fmt.Sprintf("round %d: concurrent refreshes: %v", i, err))
		}
		want("logout right after the concurrent refresh", b.do("POST", "/logout", origin), 204)
		if r := b.get("/groups"); r.StatusCode != 401 {
			fails = append(fails, fmt.Sprintf("round %d: after logout /groups = %d", i, r.StatusCode))
		}
	}
	sum, by := h.opsSince()
	t.Logf("KV: %d reads, %d writes, %d deletes, %d refused and retried or waited for (%s)", sum.Reads, sum.Writes, sum.Deletes, sum.Refused, by)
	if sum.Refused == 0 {
		t.Error("KV refused no write: the test did not exercise the write rule")
	}
	for _, f := range fails {
		t.Error(f)
	}
}
