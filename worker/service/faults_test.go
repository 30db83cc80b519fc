package service_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	refused bool   // Globus refused the tokens: the session must be gone
	slow    bool
}

const (
	tokenPath  = "/v2/oauth2/token"
	groupsPath = "/v2/groups/my_groups"
)

var (
	failPut = func(k *flakyKV) { k.failPut.Store(true) }
	failGet = func(k *flakyKV) { k.failGet.Store(true) }
)

var workerFaults = []workerFault{
	{name: "5xx burst", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: 2}}, status: 200},
	{name: "5xx until retries run out", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "429 until retries run out", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "malformed JSON", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Body: `[{"id": `}}, status: 502, code: service.CodeGlobusError},
	{name: "oversized body", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, Body: `"` + strings.Repeat("x", 4<<20) + `"`}}, status: 502, code: service.CodeGlobusError},
	{name: "truncated once", phase: "groups", faults: []globustest.Fault{{Path: groupsPath, AfterHandling: true, Truncate: true}}, status: 200},
	{name: "KV read fails", phase: "groups", kv: failGet, status: 500, code: service.CodeStorageError},
	{name: "value sealed with another key", phase: "groups", otherKy: true, status: 401, code: service.CodeStorageCorrupt},
	{name: "timeouts", phase: "groups", slow: true, timeout: 50 * time.Millisecond, faults: []globustest.Fault{{Path: groupsPath, Delay: time.Minute, Times: -1}}, status: 504, code: service.CodeTimeout},
	{name: "dropped connections", phase: "groups", slow: true, faults: []globustest.Fault{{Path: groupsPath, Drop: true, Times: -1}}, status: 502, code: "network_error"},

	{name: "5xx until retries run out", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "malformed JSON", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Body: `{"access_token": `}}, status: 502, code: service.CodeGlobusError},
	{name: "answer lost after the grant", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, status: 200},
	{name: "invalid_grant", phase: "refresh", faults: []globustest.Fault{{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant"}`}}, status: 401, code: service.CodeLoginRequired, refused: true},
	{name: "KV write fails", phase: "refresh", kv: failPut, status: 500, code: service.CodeStorageError},
	{name: "timeouts", phase: "refresh", slow: true, timeout: 50 * time.Millisecond, faults: []globustest.Fault{{Path: tokenPath, Delay: time.Minute, Times: -1}}, status: 504, code: service.CodeTimeout},

	{name: "5xx until retries run out", phase: "login", faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "answer lost after the grant", phase: "login", faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, status: 400, code: service.CodeCodeRefused},
	{name: "KV write fails", phase: "login", kv: failPut, status: 500, code: service.CodeStorageError},

	{name: "revoke 5xx", phase: "logout", faults: []globustest.Fault{{Path: "/v2/oauth2/token/revoke", Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "KV delete fails", phase: "logout", kv: failPut, status: 500, code: service.CodeStorageError},
}

// TestWorkerFaultSuite: each fault a browser's request meets ends in the documented status
// and error code, and no good token is lost: the session's KV record still holds a refresh
// token Globus accepts and the browser's next request works (or, where Globus refused the
// tokens, the session is gone). Long form: -faults.long or GLOBUS_EDGE_FAULTS=long.
func TestWorkerFaultSuite(t *testing.T) {
	long := faultsuite.Long()
	reps := 1
	if long {
		reps = 3
	}
	var fig faultsuite.Figures
	for _, f := range workerFaults {
		if f.slow && !long {
			continue
		}
		for range reps {
			fig.Run(t, f.phase+"/"+f.name, func(t *testing.T) (bool, bool) { return runWorkerFault(t, f), false })
		}
	}
	fig.Log(t, "worker fault suite")
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
	h.swap(faultHandler(t, h, kv, keys, f.timeout))
	for _, fault := range f.faults {
		h.fake.Inject(fault)
	}
	if f.kv != nil {
		f.kv(kv)
	}
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
		errorBody(t, r, f.status, f.code)
	} else if r.StatusCode != f.status && !(f.phase == "login" && r.StatusCode == 302) {
		t.Fatalf("status %d %s, want %d", r.StatusCode, r.body, f.status)
	}
	// The fault is over.
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
	case f.phase == "logout" && f.code != service.CodeStorageError, f.refused:
		if _, ok := h.record(sid); ok {
			t.Error("the session survived a logout or a refused refresh token")
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
func faultHandler(t *testing.T, h *harness, kv kvstore.KV, keys *tokens.Keyring, timeout time.Duration) http.Handler {
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	g := config.Config{Environment: "test", AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), Timeout: timeout, ClientID: testClientID}
	hd, err := service.New(service.Config{Globus: g, Keys: keys}, http.DefaultClient, kv)
	if err != nil {
		t.Fatal(err)
	}
	hd.Logf = func(string, ...any) {}
	return hd
}
