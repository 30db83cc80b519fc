package service_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/worker/service"
)

// flakyKV is the harness's KV with reads or writes that can be made to fail (a KV outage).
type flakyKV struct {
	*kvstore.Memory
	failGet, failPut atomic.Bool
}

var errKVDown = errors.New("injected KV failure")

func (k *flakyKV) Get(ctx context.Context, key string) (string, bool, error) {
	if k.failGet.Load() {
		return "", false, errKVDown
	}
	return k.Memory.Get(ctx, key)
}

func (k *flakyKV) Put(ctx context.Context, key, v string, ttl time.Duration) error {
	if k.failPut.Load() && strings.HasPrefix(key, "session/") { // the lease still works
		return errKVDown
	}
	return k.Memory.Put(ctx, key, v, ttl)
}

func (k *flakyKV) Delete(ctx context.Context, key string) error {
	if k.failPut.Load() && strings.HasPrefix(key, "session/") {
		return errKVDown
	}
	return k.Memory.Delete(ctx, key)
}

// workerFault is one fault met by a logged-in browser's request.
type workerFault struct {
	name   string
	phase  string // "groups" (valid token), "refresh" (Globus expired it), "login", "logout"
	faults []globustest.Fault
	// kv, key and timeout configure the service during the fault.
	kv      func(*flakyKV)
	otherKy bool
	timeout time.Duration
	status  int
	code    string // "" with status 200/204/302
	message string // what the error's message must say, if set
	refused bool   // Globus refused the tokens: the session must be gone
	// calls is what the fake must count during the request (globustest.Server.Count): it
	// proves the fault fired and the retries ran. sleeps, if set, are exactly the waits the
	// retries asked for (Retry-After honoured); retries, if set, is how many waits there were
	// (where every attempt times out, the fake may not see each one).
	calls   map[string]int
	sleeps  []time.Duration
	retries int
}

const (
	tokenPath  = "/v2/oauth2/token"
	revokePath = "/v2/oauth2/token/revoke"
	groupsPath = "/v2/groups/my_groups"

	// The fake's counters the cases expect.
	groupsGets = "GET /v2/groups/my_groups"
	refreshes  = "grant:refresh_token"
	exchanges  = "grant:authorization_code"
	revokes    = "revoke"

	// Per-attempt timeouts: when every attempt times out, and when one must succeed after one
	// timed out (a loopback answer takes milliseconds even on a loaded machine).
	allTimeOut = 50 * time.Millisecond
	oneTimeOut = time.Second
)

var (
	failPut = func(k *flakyKV) { k.failPut.Store(true) }
	failGet = func(k *flakyKV) { k.failGet.Store(true) }
)

// delay holds Globus's answer at path far longer than any attempt waits, times times (-1: all).
func delay(path string, times int) []globustest.Fault {
	return []globustest.Fault{{Path: path, Delay: time.Minute, Times: times}}
}

// notConfirmed is what a logout whose revocation failed says.
const notConfirmed = "logged out here, but Globus did not confirm revoking the tokens"

var workerFaults = []workerFault{
	{name: "5xx burst absorbed", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: 2}}, status: 200, calls: map[string]int{groupsGets: 3}},
	{name: "5xx until retries run out", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 6}},
	{name: "429 Retry-After absorbed", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "3"}}, status: 200, calls: map[string]int{groupsGets: 2}, sleeps: []time.Duration{3 * time.Second}},
	{name: "429 until retries run out", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "1", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 6}, sleeps: slices.Repeat([]time.Duration{time.Second}, 5)},
	{name: "malformed JSON", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Body: `[{"id": `}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 1}},
	{name: "oversized body", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Body: `"` + strings.Repeat("x", 4<<20) + `"`}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 1}},
	{name: "HTML error page", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 502, Body: "<h1>Bad gateway</h1>", ContentType: "text/html", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 6}},
	{name: "truncated body absorbed", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, AfterHandling: true, Truncate: true}}, status: 200, calls: map[string]int{groupsGets: 2}},
	{name: "one timeout absorbed", phase: "groups", timeout: oneTimeOut, faults: delay(groupsPath, 1), status: 200, calls: map[string]int{groupsGets: 2}},
	{name: "timeouts", phase: "groups", timeout: allTimeOut, faults: delay(groupsPath, -1), status: 504, code: string(app.KindTimeout), retries: 5},
	{name: "dropped connections", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Drop: true, Times: -1}}, status: 502, code: string(app.KindNetwork), calls: map[string]int{groupsGets: 6}},
	{name: "KV read fails", phase: "groups", kv: failGet, status: 500, code: string(app.KindStorage), calls: map[string]int{groupsGets: 0}},
	{name: "value sealed with another key", phase: "groups", otherKy: true, status: 401, code: string(app.KindStorageCorrupt), calls: map[string]int{groupsGets: 0}},

	// Groups answers 401 (Globus expired the token), the service refreshes and asks again.
	{name: "5xx burst absorbed", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Status: 500, Times: 2}}, status: 200, calls: map[string]int{refreshes: 3, groupsGets: 2}, retries: 2},
	{name: "5xx until retries run out", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{refreshes: 6, groupsGets: 1}},
	{name: "429 Retry-After absorbed", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Status: 429, RetryAfter: "2"}}, status: 200, calls: map[string]int{refreshes: 2, groupsGets: 2}, sleeps: []time.Duration{2 * time.Second}},
	{name: "one timeout absorbed", phase: "refresh", timeout: oneTimeOut, faults: delay(tokenPath, 1), status: 200, calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "timeouts", phase: "refresh", timeout: allTimeOut, faults: delay(tokenPath, -1), status: 504, code: string(app.KindTimeout), calls: map[string]int{groupsGets: 1}, retries: 5},
	{name: "malformed JSON", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Body: `{"access_token": `}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{refreshes: 1, groupsGets: 1}},
	// The first grant is handled but its answer is dropped; the retry is a second grant.
	{name: "answer lost after the grant", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, status: 200, calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "invalid_grant", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant"}`}}, status: 401, code: string(app.KindLoginRequired), refused: true, calls: map[string]int{refreshes: 1, groupsGets: 1}},
	{name: "KV write fails", phase: "refresh", kv: failPut, status: 500, code: string(app.KindStorage), calls: map[string]int{refreshes: 1}},

	{name: "5xx burst absorbed", phase: "login", faults: []globustest.Fault{{Path: tokenPath, Status: 502, Times: 2}}, status: 302, calls: map[string]int{exchanges: 3}, retries: 2},
	{name: "5xx until retries run out", phase: "login", faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{exchanges: 6}},
	{name: "timeouts", phase: "login", timeout: allTimeOut, faults: delay(tokenPath, -1), status: 504, code: string(app.KindTimeout), retries: 5},
	// The code is spent by the first exchange, whose answer is dropped: the retry is refused.
	{name: "answer lost after the grant", phase: "login", faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, status: 400, code: string(app.KindCodeRefused), calls: map[string]int{exchanges: 2}},
	{name: "KV write fails", phase: "login", kv: failPut, status: 500, code: string(app.KindStorage), calls: map[string]int{exchanges: 1}},

	// The access and the refresh token are revoked, each with its own retries.
	{name: "revoke 5xx burst absorbed", phase: "logout", faults: []globustest.Fault{{Path: revokePath, Status: 503, RetryAfter: "0", Times: 2}}, status: 204, calls: map[string]int{revokes: 4}},
	{name: "revoke 5xx", phase: "logout", faults: []globustest.Fault{{Path: revokePath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), message: notConfirmed, calls: map[string]int{revokes: 12}},
	{name: "revoke timeouts", phase: "logout", timeout: allTimeOut, faults: delay(revokePath, -1), status: 504, code: string(app.KindTimeout), message: notConfirmed, retries: 10},
	{name: "KV delete fails", phase: "logout", kv: failPut, status: 500, code: string(app.KindStorage), calls: map[string]int{revokes: 0}},
}

// TestWorkerFaultSuite: each fault a browser's request meets ends in the documented status
// and error code, fired (the fake counted the calls it caused), and no good token is lost: the
// session's KV record still holds a refresh token Globus accepts and the browser's next
// request works (or, where Globus refused the tokens or the user logged out, the session is
// gone). The retries' waits are recorded, not spent. Long form (each case 3 times):
// -faults.long or GLOBUS_EDGE_FAULTS=long.
func TestWorkerFaultSuite(t *testing.T) {
	reps := 1
	if faultsuite.Long() {
		reps = 3
	}
	var fig faultsuite.Figures
	for _, f := range workerFaults {
		for range reps {
			fig.Run(t, f.phase+"/"+f.name, func(t *testing.T) (bool, bool) { return runWorkerFault(t, f), false })
		}
	}
	fig.Log(t, "worker fault suite")
}

// TestWorkerFaultSuiteIsHonest runs TestWorkerFaultSuite with the fake's faults switched off:
// every case with faults in the fake must fail (those with KV or key faults may pass).
func TestWorkerFaultSuiteIsHonest(t *testing.T) {
	var cases []faultsuite.Case
	for _, f := range workerFaults {
		cases = append(cases, faultsuite.Case{Name: f.phase + "/" + f.name, Fake: len(f.faults) > 0})
	}
	faultsuite.CheckMutated(t, "TestWorkerFaultSuite", cases)
}

// sleepLog records the retries' waits of a service.
type sleepLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
	return ctx.Err()
}

func (l *sleepLog) all() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.d)
}

func runWorkerFault(t *testing.T, f workerFault) (lost bool) {
	h := newHarness(t, options{})
	kv := &flakyKV{Memory: h.kv}
	b := h.browser()
	var sid string
	if f.phase != "login" {
		sid = b.login()
	}
	if f.phase == "refresh" {
		h.fake.ExpireAccessTokens()
	}
	keys := h.keys
	if f.otherKy {
		keys, _ = tokens.ParseKeyring("other:" + keySpec(9))
	}
	hd := faultHandler(t, h, kv, keys, f.timeout)
	var sleeps sleepLog
	service.SetRetrySleep(hd, sleeps.sleep)
	h.swap(hd)
	for _, fault := range f.faults {
		h.fake.Inject(fault)
	}
	if f.kv != nil {
		f.kv(kv)
	}
	h.fake.ResetCounts()
	var r *resp
	switch f.phase {
	case "groups", "refresh":
		r = b.get("/groups")
	case "login":
		r = b.callback(b.startLogin("/login"))
	case "logout":
		r = b.do("POST", "/logout", http.Header{"Origin": {h.srv.URL}})
	}
	if f.code != "" {
		if e := errorBody(t, r, f.status, f.code); !strings.Contains(e.Message, f.message) {
			t.Errorf("message %q, want it to say %q", e.Message, f.message)
		}
	} else if r.StatusCode != f.status {
		t.Fatalf("status %d %s, want %d", r.StatusCode, r.body, f.status)
	}
	faultsuite.CheckCalls(t.Errorf, h.fake, f.calls, nil)
	if got := sleeps.all(); f.sleeps != nil && !slices.Equal(got, f.sleeps) || f.retries != 0 && len(got) != f.retries {
		t.Errorf("the retries waited %v, want %v or %d waits", got, f.sleeps, f.retries)
	}
	// The fault is over; a fault of the fake that was not used up fails the case here.
	h.fake.ClearFaults()
	h.swap(h.handler(h.keys))
	if len(h.fake.IssuedTokens()) > 0 {
		h.checkNoSecrets()
	}
	switch {
	case f.phase == "login":
		if f.code != "" && len(h.kv.Snapshot()) != 0 {
			t.Error("a failed login left a session in KV")
		}
		return false
	case f.phase == "logout" && f.code != string(app.KindStorage), f.refused:
		if _, ok := h.record(sid); ok {
			t.Error("the session survived a logout or a refused refresh token")
		}
		if b.cookie(service.SessionCookie) != nil {
			t.Error("the browser keeps the cookie of a session that is gone")
		}
		return false
	}
	d, ok := h.record(sid)
	rt := d.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken
	if !ok || rt == "" || !h.fake.TokenActive(rt) {
		t.Error("good token lost: the session holds no refresh token Globus accepts")
		return true
	}
	if b.cookie(service.SessionCookie) == nil {
		t.Error("the browser was told to drop a session that still works")
		return true
	}
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Errorf("the next request after the fault = %d %s", r.StatusCode, r.body)
	}
	return false
}

// faultHandler is the harness's service over kv with keys and a per-attempt timeout.
func faultHandler(t *testing.T, h *harness, kv kvstore.KV, keys *tokens.Keyring, timeout time.Duration) *service.Handler {
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	g := config.Config{Environment: "test", AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), Timeout: timeout, ClientID: testClientID}
	hd, err := service.New(service.Config{Globus: g, Keys: keys}, http.DefaultClient.Do, kv)
	if err != nil {
		t.Fatal(err)
	}
	hd.Logf = func(string, ...any) {}
	if h.co != nil {
		hd.Coordinators = h.co
	}
	return hd
}
