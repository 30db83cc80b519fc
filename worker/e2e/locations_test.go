//go:build !(js && wasm)

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/internal/workerload"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// Tests of many locations in workerd: the test build as two workers (two isolates) of one
// Miniflare, each reading the documented KV double through its own cache (serve.mjs
// --locations a,b; a minute stale, Cloudflare's documented worst), in Durable Object mode (one
// SessionCoordinator per session, shared by both) and in KV-only mode. Every request of a
// test finishes well within the minute, so a location that read a key keeps its copy unless it
// writes the key itself or a test moves the double's clock on.

// staleness is how long a location's KV reads stay stale in these tests.
const staleness = time.Minute

// modes are the two ways the worker runs: with the SESSIONS binding and without.
var modes = []struct {
	name        string
	coordinated bool
}{{"durable object", true}, {"kv-only", false}}

// locRig is the fake Globus and the test build in locations a and b.
type locRig struct {
	fake *globustest.Server
	w    *worker
}

func newLocRig(t *testing.T, coordinated bool, opts globustest.Options) *locRig {
	t.Helper()
	fake := globustest.NewT(t, opts)
	places := []string{"a,b", "--staleness-ms", fmt.Sprint(staleness.Milliseconds())}
	if coordinated {
		places = append(places, "--coordinator")
	}
	w := startBuild(t, buildWorker(t, "-test"), map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   fake.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": fake.GroupsURL(),
		"GLOBUS_SDK_HTTP_TIMEOUT":       "20",
		"GLOBUS_CLIENT_ID":              clientID,
		"TOKEN_ENCRYPTION_KEY":          newKey(),
	}, places...)
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{w.URL + "/callback"}})
	return &locRig{fake: fake, w: w}
}

// prefixOps are the double's KV operations of one key prefix.
type prefixOps struct{ Reads, Writes, Deletes, Refused int }

// ops returns the double's KV operations since the last call, by key prefix, summed.
func (w *worker) ops(t testing.TB) (prefixOps, string) {
	t.Helper()
	r, err := http.Get(w.kvURL + "/?ops&reset=1")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var by map[string]prefixOps
	if err := json.NewDecoder(r.Body).Decode(&by); err != nil {
		t.Fatalf("KV operations: %v", err)
	}
	var sum prefixOps
	var parts []string
	for p, n := range by {
		sum.Reads, sum.Writes, sum.Deletes, sum.Refused = sum.Reads+n.Reads, sum.Writes+n.Writes, sum.Deletes+n.Deletes, sum.Refused+n.Refused
		parts = append(parts, fmt.Sprintf("%s %dr/%dw/%dd/%d×429", p, n.Reads, n.Writes, n.Deletes, n.Refused))
	}
	sort.Strings(parts)
	return sum, strings.Join(parts, ", ")
}

// advance moves the double's clock on by d: its caches' staleness, not the worker's clock.
func (w *worker) advance(t testing.TB, d time.Duration) {
	t.Helper()
	r, err := http.Post(fmt.Sprintf("%s/?advance=%d", w.kvURL, d.Milliseconds()), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
}

// groupsAt sends GET /groups with the session cookie sid to the worker in location loc.
func (p *locRig) groupsAt(t testing.TB, loc, sid string) *response {
	t.Helper()
	c := newClient(t, p.w.at[loc])
	c.SetCookie(service.SessionCookie, &http.Cookie{Name: service.SessionCookie, Value: sid})
	return c.get("/groups")
}

// Twenty requests of one session with an expired access token, ten in each location, refresh
// tokens rotating. Durable Object mode: exactly one refresh and every answer 200. KV-only mode:
// no request fails on KV's write rule (though KV refuses the racing lease writes); its
// refreshes (up to one per location, one of them refused) and its 503 busy answers (a stale
// location's requests waiting out the other's lease hold the isolate's instances) are reported.
func TestWorkerdExpiredSessionOverTwoLocations(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := newLocRig(t, m.coordinated, globustest.Options{RotateRefreshTokens: true})
			c := loggedIn(t, p.w.URL, p.fake)
			sid := c.Cookie(service.SessionCookie).Value
			for _, loc := range []string{"a", "b"} { // each location reads (and caches) the record
				if r := p.groupsAt(t, loc, sid); r.StatusCode != 200 {
					t.Fatalf("%s: /groups = %d %s", loc, r.StatusCode, r.body)
				}
			}
			p.fake.ExpireAccessTokens()
			p.fake.ResetCounts()
			p.w.ops(t)
			var mu sync.Mutex
			answers := map[string]int{}
			var wg sync.WaitGroup
			start := time.Now()
			var slowest time.Duration
			busy := 0
			for i := range 20 {
				wg.Go(func() {
					loc := []string{"a", "b"}[i%2]
					r := p.groupsAt(t, loc, sid)
					mu.Lock()
					defer mu.Unlock()
					slowest = max(slowest, time.Since(start))
					answer := fmt.Sprintf("%s: %d", loc, r.StatusCode)
					switch {
					case r.StatusCode == 503 && strings.Contains(r.body, `"error":"busy"`) && r.Header.Get("Retry-After") != "":
						answer += " busy"
						busy++
					case r.StatusCode != 200:
						answer += " " + r.body
					}
					answers[answer]++
				})
			}
			wg.Wait()
			grants := p.fake.Count("grant:refresh_token")
			sum, by := p.w.ops(t)
			t.Logf("%s: answers %v (%d busy); %d refresh grants; slowest answer %v; KV %d reads, %d writes, %d deletes, %d refused (%s)",
				m.name, answers, busy, grants, slowest.Round(10*time.Millisecond), sum.Reads, sum.Writes, sum.Deletes, sum.Refused, by)
			if m.coordinated && (answers["a: 200"] != 10 || answers["b: 200"] != 10) {
				t.Errorf("answers %v, want 10 × 200 in each location", answers)
			}
			if !m.coordinated && answers["a: 200"]+answers["b: 200"]+busy != 20 {
				// A stale location's requests may wait out the other location's lease (10 s)
				// on Go instances that serve nothing meanwhile; the isolate's further
				// requests then wait longer than the pool's instance wait: 503 busy, with
				// Retry-After. Nothing else is allowed.
				t.Errorf("answers %v, want 200 (or 503 busy) for each of 20", answers)
			}
			if m.coordinated && grants != 1 {
				t.Errorf("%d refreshes, want exactly 1", grants)
			}
			if !m.coordinated && (grants < 1 || grants > 2) {
				t.Errorf("%d refreshes, want 1 or 2 (at most one per location)", grants)
			}
			for _, loc := range []string{"a", "b"} {
				if r := p.groupsAt(t, loc, sid); r.StatusCode != 200 {
					t.Errorf("%s after the run: /groups = %d %s", loc, r.StatusCode, r.body)
				}
			}
			assertNoCrossRequest(t, p.w)
		})
	}
}

// A logout in location a, and the session's next request (a copied cookie, an old tab) in
// location b, whose KV copy of the record is fresh in its cache; Globus fails to revoke the
// tokens, so nothing but the worker can refuse the session. Durable Object mode: b refuses it
// on that request. KV-only mode: b serves it from its stale copy until the copy is as old as
// the staleness (the double's clock is moved on 10 s at a time), and the window is reported.
func TestWorkerdLogoutAcrossLocations(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := newLocRig(t, m.coordinated, globustest.Options{})
			c := loggedIn(t, p.w.URL, p.fake)
			sid := c.Cookie(service.SessionCookie).Value
			if r := p.groupsAt(t, "b", sid); r.StatusCode != 200 { // b reads (and caches) the record
				t.Fatalf("b: /groups = %d %s", r.StatusCode, r.body)
			}
			p.fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token/revoke", Status: 503, RetryAfter: "0", Times: -1})
			if r := c.do(http.MethodPost, "/logout", http.Header{"Origin": {p.w.URL}}); r.StatusCode != 502 {
				t.Fatalf("logout in a = %d %s, want 502 (revocation failed, session ended)", r.StatusCode, r.body)
			}
			p.fake.ClearFaults()
			if _, ok := p.w.kv(t)[kvstore.SessionKey(sid)]; ok {
				t.Fatal("the record survived the logout")
			}
			r := p.groupsAt(t, "b", sid)
			if m.coordinated {
				if r.StatusCode != 401 || !strings.Contains(r.body, `"login_required"`) {
					t.Errorf("b right after the logout in a = %d %s, want 401 login_required", r.StatusCode, r.body)
				}
				return
			}
			if r.StatusCode != 200 {
				t.Fatalf("b right after the logout = %d %s: the double should serve b's stale copy", r.StatusCode, r.body)
			}
			window := time.Duration(0)
			for r.StatusCode == 200 {
				window += 10 * time.Second
				if window > 2*staleness {
					t.Fatalf("b still serves the logged-out session %v after the logout", window)
				}
				p.w.advance(t, 10*time.Second)
				r = p.groupsAt(t, "b", sid)
			}
			if r.StatusCode != 401 || !strings.Contains(r.body, `"login_required"`) {
				t.Errorf("b after its copy went stale = %d %s, want 401 login_required", r.StatusCode, r.body)
			}
			t.Logf("kv-only: b served the logged-out session for %v of the double's clock after the logout (staleness %v)", window, staleness)
			if window < staleness-10*time.Second {
				t.Errorf("stale window %v, want about the staleness %v", window, staleness)
			}
		})
	}
}

// TestWorkerdLoadOverTwoLocations is TestWorkerUnderLoad over two locations a minute stale:
// 8 clients sharing 4 sessions, each session's requests alternating between the locations,
// expiries, logouts and new logins, Groups 503 bursts, refresh tokens rotating. Durable Object
// mode: no unexpected answer, no session lost, at most one refresh per session and expiry.
// KV-only mode, the same run: its failures and lost sessions are reported (its bound — one
// rotation per session within the staleness — does not hold with expiries this close), and none
// may come from KV's write rule (a storage_error answer). Short form 400 requests with 3
// expiries; long form (-faults.long or GLOBUS_EDGE_FAULTS=long) 5,000 with 10.
func TestWorkerdLoadOverTwoLocations(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := newLocRig(t, m.coordinated, globustest.Options{RotateRefreshTokens: true})
			cfg := workerload.Config{Base: p.w.URL, Others: []string{p.w.at["b"]}, Fake: p.fake, Clients: 8, Sessions: 4, Requests: 400, Expiries: 3, Bursts: 2}
			if faultsuite.Long() {
				cfg.Requests, cfg.Expiries, cfg.Bursts = 5000, 10, 10
			}
			p.w.ops(t)
			res, err := workerload.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			sum, by := p.w.ops(t)
			t.Logf("%s: %d requests %v in %v: %d unexpected %v, %d sessions lost, %d refreshes for %d sessions × %d expiries; KV %d reads, %d writes, %d deletes, %d refused (%s)",
				m.name, res.Requests, res.ByRoute, res.Elapsed.Round(time.Millisecond), res.Failures, res.Kinds, res.Lost, res.Refreshes, cfg.Sessions, cfg.Expiries,
				sum.Reads, sum.Writes, sum.Deletes, sum.Refused, by)
			if n := res.Kinds["storage_error"]; n != 0 {
				t.Errorf("%d requests failed with storage_error (KV's write rule): %q", n, res.Unexpected)
			}
			if m.coordinated {
				if res.Failures != 0 || res.Lost != 0 {
					t.Errorf("%d unexpected answers, %d sessions lost: %q", res.Failures, res.Lost, res.Unexpected)
				}
				if res.Refreshes == 0 || res.Refreshes > cfg.Sessions*cfg.Expiries {
					t.Errorf("%d refreshes, want 1..%d (sessions × expiries)", res.Refreshes, cfg.Sessions*cfg.Expiries)
				}
				if res.Requests != cfg.Requests+res.ByRoute["logout"] {
					t.Errorf("%d requests checked, want %d", res.Requests, cfg.Requests+res.ByRoute["logout"])
				}
			}
			assertNoCrossRequest(t, p.w)
		})
	}
}

// assertNoCrossRequest fails when workerd logged a promise settled across requests so far.
func assertNoCrossRequest(t *testing.T, w *worker) {
	t.Helper()
	if strings.Contains(w.out.String(), crossRequest) {
		t.Errorf("workerd logged %q:\n%s", crossRequest, w.out)
	}
}
