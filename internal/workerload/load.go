// Package workerload drives the worker's service with a mixed load against the fake Globus:
// several sessions, concurrent clients, a server-side expiry, Groups 503 bursts, logouts and
// new logins mid-run. Every answer is checked against what that request should get. Used by
// the worker's end-to-end test (short) and the benchmarks (long).
package workerload

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/siteclient"
)

// Config is one run.
type Config struct {
	Base     string             // the service's origin
	Fake     *globustest.Server // the Globus it is configured with
	Clients  int                // concurrent clients (≥ 1)
	Sessions int                // logged-in sessions the clients share (≥ 1)
	Requests int                // requests in all, logins and logouts included
	Expiries int                // server-side expiries of every access token, spread over the run
	Bursts   int                // Groups 503 bursts (3 each, fewer than the core's retries); each must fire
	// Others are further servers of the same site (simulated KV locations, each its own
	// backend): each session's /groups and /healthz requests go to Base and these in turn;
	// logins and logouts go to Base.
	Others []string
}

// Result counts what happened.
type Result struct {
	Requests   int            // requests sent
	ByRoute    map[string]int // requests by route
	Unexpected []string       // answers other than the expected one (at most 20 kept)
	Failures   int            // all unexpected answers
	// Kinds counts the unexpected answers by the error code in their body ("storage_error",
	// "login_required", ...), "" for those without one (a transport error, another status).
	Kinds     map[string]int
	Refreshes int // refresh grants the fake saw
	Logins    int // logins completed (initial and mid-run)
	Logouts   int
	Lost      int // answers 401 to a logged-in session, and sessions that fail after the run
	Elapsed   time.Duration
}

// session is one browser's login, shared by the clients that use it. Requests hold mu for
// reading; a logout and the next login hold it for writing, so no request of that session is
// in flight meanwhile and every answer has one expected value.
type session struct {
	mu sync.RWMutex
	c  *siteclient.Client
}

// Run runs the load and checks every answer.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Clients < 1 || cfg.Sessions < 1 || cfg.Requests < 1 {
		return nil, fmt.Errorf("workerload: clients, sessions and requests must be ≥ 1")
	}
	res := &Result{ByRoute: map[string]int{}, Kinds: map[string]int{}}
	var mu sync.Mutex
	note := func(route string, ok bool, what string) {
		mu.Lock()
		defer mu.Unlock()
		res.Requests++
		res.ByRoute[route]++
		if !ok {
			res.Failures++
			res.Kinds[errorCode(what)]++
			if len(res.Unexpected) < 20 {
				res.Unexpected = append(res.Unexpected, what)
			}
		}
	}
	sessions := make([]*session, cfg.Sessions)
	for i := range sessions {
		s := &session{c: &siteclient.Client{Base: cfg.Base}}
		if err := s.c.Login(ctx, cfg.Fake); err != nil {
			return nil, fmt.Errorf("workerload: initial login %d: %w", i, err)
		}
		res.Logins++
		sessions[i] = s
	}
	cfg.Fake.ResetCounts()

	// Events at fixed request numbers, so a run is the same whatever the timing.
	events := map[int64]func(){}
	for i := 1; i <= cfg.Expiries; i++ {
		events[int64(cfg.Requests*i/(cfg.Expiries+1))] = cfg.Fake.ExpireAccessTokens
	}
	bursts := make([]*globustest.Injected, cfg.Bursts)
	for i := range bursts {
		at := int64(cfg.Requests*(i+1)/(cfg.Bursts+1)) + 7
		events[at] = func() {
			bursts[i] = cfg.Fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: http.StatusServiceUnavailable, RetryAfter: "0", Times: 3})
		}
	}

	// Events run between requests: quiet is held for reading by every request and for writing
	// by an event, so none is in flight. A token Globus expires while a request is between its
	// refresh and its retry would be refused twice, which real Globus, with tokens that live
	// hours, does not do; and 503 bursts piling up on one request could outlast its retries,
	// which is a fault case (the fault suites), not load.
	bases := append([]string{cfg.Base}, cfg.Others...)
	var quiet sync.RWMutex
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < cfg.Clients; w++ {
		wg.Go(func() {
			for {
				n := next.Add(1)
				if n > int64(cfg.Requests) || ctx.Err() != nil {
					return
				}
				if ev := events[n]; ev != nil {
					quiet.Lock()
					ev()
					quiet.Unlock()
				}
				quiet.RLock()
				s := sessions[int(n)%len(sessions)]
				at := bases[int(n)/len(sessions)%len(bases)]
				switch {
				case n%97 == 0: // log out and in again
					s.mu.Lock()
					err := s.c.Logout()
					note("logout", err == nil, fmt.Sprintf("#%d logout: %v", n, err))
					if err == nil {
						mu.Lock()
						res.Logouts++
						mu.Unlock()
					}
					err = s.c.Login(ctx, cfg.Fake)
					note("login", err == nil, fmt.Sprintf("#%d login: %v", n, err))
					if err == nil {
						mu.Lock()
						res.Logins++
						mu.Unlock()
					}
					s.mu.Unlock()
				case n%5 == 0:
					r, err := s.c.Get(at + "/healthz")
					note("healthz", err == nil && r.StatusCode == 200, answer(n, "/healthz", r, err))
				default:
					path := "/groups"
					if n%3 == 0 {
						path = "/groups?format=csv"
					}
					s.mu.RLock()
					r, err := s.c.Get(at + path)
					s.mu.RUnlock()
					ok := err == nil && r.StatusCode == 200
					if err == nil && r.StatusCode == http.StatusUnauthorized {
						mu.Lock()
						res.Lost++
						mu.Unlock()
					}
					note("groups", ok, answer(n, path, r, err))
				}
				quiet.RUnlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	// A burst counts only if it fired: the Groups calls after it met all three 503s.
	for i, b := range bursts {
		if b == nil || b.Used() != 3 {
			res.Failures++
			res.Unexpected = append(res.Unexpected, fmt.Sprintf("burst %d was not used up: %v", i+1, b))
		}
	}
	res.Refreshes = cfg.Fake.Count("grant:refresh_token")
	// Every session must still work: its stored tokens survived the run.
	for i, s := range sessions {
		r, err := s.c.Get("/groups")
		if err != nil || r.StatusCode != 200 {
			res.Lost++
			note("groups", false, fmt.Sprintf("session %d after the run: %s", i, answer(0, "/groups", r, err)))
		}
	}
	return res, ctx.Err()
}

// errorCodeRE finds the service's error code in an answer's body.
var errorCodeRE = regexp.MustCompile(`"error":\s*"([a-z_]+)"`)

// errorCode is the error code an unexpected answer carries, or "".
func errorCode(what string) string {
	if m := errorCodeRE.FindStringSubmatch(what); m != nil {
		return m[1]
	}
	return ""
}

func answer(n int64, path string, r *siteclient.Response, err error) string {
	if err != nil {
		return fmt.Sprintf("#%d %s: %v", n, path, err)
	}
	body := r.Body
	if len(body) > 200 {
		body = body[:200]
	}
	return fmt.Sprintf("#%d %s: %d %s", n, path, r.StatusCode, body)
}
