package service_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/worker/service"
)

// loadRun is the state of one load run: the live sessions and the counts.
type loadRun struct {
	h        *harness
	mu       sync.Mutex
	live     []string        // session ids in use
	ended    map[string]bool // logged out: a request of theirs may meet 401
	requests atomic.Int64
	bad      atomic.Int64 // responses other than the expected ones
	firstBad atomic.Value
}

// TestWorkerLoad runs the service under concurrency 8 with mixed requests (/groups, /healthz,
// logins, logouts) while Globus answers bursts of 503s and expires every access token now and
// then, with rotating refresh tokens. It counts responses other than the expected ones (0),
// sessions lost (0: every live session still works afterwards) and refreshes against sessions
// × expiries. Short form 800 requests; -faults.long or GLOBUS_EDGE_FAULTS=long: 5,000.
func TestWorkerLoad(t *testing.T) {
	total := 800
	if *longFaults || os.Getenv("GLOBUS_EDGE_FAULTS") == "long" {
		total = 5000
	}
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}})
	h.swap(faultHandler(t, h, h.kv, h.keys, 0)) // no log lines kept: thousands of requests
	run := &loadRun{h: h, ended: map[string]bool{}}
	for range 8 {
		sid, err := run.login()
		if err != nil {
			t.Fatal(err)
		}
		run.live = append(run.live, sid)
	}
	sessions, expiries := int64(8), int64(0)
	var next atomic.Int64
	// Expiries and 503 bursts happen between requests (the write lock waits for those in
	// flight): a token Globus expires while a request is between its refresh and its retry would
	// be refused twice, which real Globus, with tokens that live hours, does not do; and bursts
	// piling up on one request could outlast its retries, which is a fault case, not load.
	var quiet sync.RWMutex
	err := parallel.Run(8, func(int) error {
		for {
			i := next.Add(1)
			if i > int64(total) {
				return nil
			}
			switch {
			case i%250 == 0: // every access token expires at Globus: each session refreshes
				quiet.Lock()
				h.fake.ExpireAccessTokens()
				quiet.Unlock()
				atomic.AddInt64(&expiries, 1)
			case i%40 == 0: // a burst of 503s, shorter than the retries
				quiet.Lock()
				h.fake.ClearFaults()
				h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 503, RetryAfter: "0", Times: 3})
				h.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", Status: 503, RetryAfter: "0", Times: 2})
				quiet.Unlock()
			}
			quiet.RLock()
			switch r := rand.IntN(100); {
			case r < 70:
				run.groups()
			case r < 85:
				run.expect(run.send("GET", "/healthz", "", nil), 200, "/healthz")
			case r < 93:
				if sid, err := run.login(); err != nil {
					run.fail(err.Error())
				} else {
					atomic.AddInt64(&sessions, 1)
					run.mu.Lock()
					run.live = append(run.live, sid)
					run.mu.Unlock()
				}
			default:
				run.logout()
			}
			quiet.RUnlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	h.fake.ClearFaults()
	lost := 0
	for _, sid := range run.live {
		d, ok := h.record(sid)
		rt := ""
		if ok {
			rt = d.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken
		}
		if !ok || !h.fake.TokenActive(rt) || run.send("GET", "/groups", sid, nil) != 200 {
			lost++
		}
	}
	refreshes := h.fake.Count("grant:refresh_token")
	t.Logf("worker load: %d requests at concurrency 8, %d unexpected responses, %d sessions (%d live at the end), %d lost, %d access-token expiries, %d refreshes",
		run.requests.Load(), run.bad.Load(), sessions, len(run.live), lost, expiries, refreshes)
	if run.bad.Load() > 0 {
		t.Errorf("%d unexpected responses, the first: %v", run.bad.Load(), run.firstBad.Load())
	}
	if lost > 0 {
		t.Errorf("%d sessions lost", lost)
	}
	// Each session refreshes about once per expiry it lives through (the KV lease is best
	// effort: two requests can both win it); the bound is sessions × expiries.
	if limit := sessions * max(expiries, 1); int64(refreshes) > limit {
		t.Errorf("%d refreshes, more than %d sessions × %d expiries", refreshes, sessions, expiries)
	}
}

func (l *loadRun) fail(msg string) {
	if l.bad.Add(1) == 1 {
		l.firstBad.Store(msg)
	}
}

func (l *loadRun) expect(got, want int, what string) {
	if got != want {
		l.fail(fmt.Sprintf("%s = %d, want %d", what, got, want))
	}
}

// pick returns a live session, or "".
func (l *loadRun) pick(remove bool) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.live) == 0 {
		return ""
	}
	i := rand.IntN(len(l.live))
	sid := l.live[i]
	if remove {
		l.live = append(l.live[:i], l.live[i+1:]...)
		l.ended[sid] = true
	}
	return sid
}

func (l *loadRun) groups() {
	sid := l.pick(false)
	if sid == "" {
		return
	}
	got, body := l.sendBody("GET", "/groups", sid, nil)
	l.mu.Lock()
	ended := l.ended[sid]
	l.mu.Unlock()
	if got != 200 && !(ended && got == 401) {
		l.fail(fmt.Sprintf("/groups = %d (session logged out: %v) %s", got, ended, body))
	}
}

func (l *loadRun) logout() {
	if sid := l.pick(true); sid != "" {
		l.expect(l.send("POST", "/logout", sid, http.Header{"Origin": {l.h.srv.URL}}), 204, "logout")
	}
}

// login runs /login, the fake user's approval and /callback; it returns the new session id.
func (l *loadRun) login() (string, error) {
	resp, _, err := l.do("GET", "/login", nil)
	if err != nil || resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("/login: %v %v", err, resp)
	}
	var state *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == service.StateCookie {
			state = c
		}
	}
	cb, err := l.h.fake.Authorize(context.Background(), resp.Header.Get("Location"))
	if err != nil || state == nil {
		return "", fmt.Errorf("authorize: %v (state cookie %v)", err, state != nil)
	}
	resp, _, err = l.do("GET", "/callback?"+cb.RawQuery, http.Header{"Cookie": {state.Name + "=" + state.Value}})
	if err != nil || resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("/callback: %v %v", err, resp)
	}
	for _, c := range resp.Cookies() {
		if c.Name == service.SessionCookie && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("/callback set no session")
}

// send makes one request with the session's cookie and returns its status (0: no answer).
func (l *loadRun) send(method, path, sid string, header http.Header) int {
	status, _ := l.sendBody(method, path, sid, header)
	return status
}

// sendBody is send returning the body too.
func (l *loadRun) sendBody(method, path, sid string, header http.Header) (int, string) {
	if header == nil {
		header = http.Header{}
	}
	if sid != "" {
		header.Set("Cookie", service.SessionCookie+"="+sid)
	}
	resp, body, err := l.do(method, path, header)
	if err != nil {
		return 0, err.Error()
	}
	return resp.StatusCode, body
}

func (l *loadRun) do(method, path string, header http.Header) (*http.Response, string, error) {
	l.requests.Add(1)
	req, err := http.NewRequest(method, l.h.srv.URL+path, nil)
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), nil
}
