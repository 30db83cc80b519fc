//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/globus-edge/globus-edge/app"
	"io"
	"net"
	"net/http"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// The tests below attack the worker as anonymous traffic would (issue: the edge under hostile
// traffic) and check that every wait is bounded (worker/entry.mjs, js/instance.js). Times in
// them are safety nets, generous against a loaded machine: what is asserted is the answer.

// limitsRig is the test build against a fake Globus, with extra vars for the entry's limits.
func limitsRig(t *testing.T, vars map[string]string) *poolRig {
	t.Helper()
	fake := globustest.NewT(t, globustest.Options{})
	all := map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   fake.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": fake.GroupsURL(),
		"GLOBUS_SDK_HTTP_TIMEOUT":       "20",
		"GLOBUS_CLIENT_ID":              clientID,
		"TOKEN_ENCRYPTION_KEY":          newKey(),
	}
	for k, v := range vars {
		all[k] = v
	}
	w := startTestWorker(t, all)
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{w.URL + "/callback"}})
	return &poolRig{fake: fake, w: w}
}

// raw sends head (the request line and headers, without the blank line) on a new connection,
// then body (if any) from a goroutine, and reads the answer with its body; timeout is a
// safety net. Go's client cannot send some of these (a URL it cannot parse, a body it does not
// finish).
func raw(t *testing.T, base, head string, body io.Reader, timeout time.Duration) (*http.Response, string, error) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	host := strings.TrimPrefix(base, "http://")
	if _, err := fmt.Fprintf(conn, "%s\r\nHost: %s\r\nConnection: close\r\n\r\n", head, host); err != nil {
		return nil, "", err
	}
	if body != nil {
		go io.Copy(conn, body) // an early answer ends the copy with an error: fine
	}
	r, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(r.Body)
	return r, string(b), err
}

// errorCode is the error code of a JSON error body, or "".
func errorCode(body string) string {
	var e service.ErrorBody
	json.Unmarshal([]byte(body), &e)
	return e.Error
}

// TestSlowBodiesHoldNoInstance: 8 connections each announce a body and send one byte of it
// (more than the pool's 4 + 2 instances). A normal request is still answered at once, because
// a body is read before an instance is taken; the slow ones end with 408 body_timeout.
func TestSlowBodiesHoldNoInstance(t *testing.T) {
	p := limitsRig(t, map[string]string{"WORKERTEST_BODY_TIMEOUT_MS": "6000"})
	c := newClient(t, p.w.URL)
	if r := c.get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("/healthz = %d", r.StatusCode)
	}
	type answer struct {
		status int
		body   string
		err    error
	}
	slow := make(chan answer, 8)
	for range 8 {
		go func() {
			r, b, err := raw(t, p.w.URL, "POST /healthz HTTP/1.1\r\nContent-Length: 1000", io.MultiReader(strings.NewReader("a"), blockingReader{}), 60*time.Second)
			if err != nil {
				slow <- answer{err: err}
				return
			}
			slow <- answer{status: r.StatusCode, body: b}
		}()
	}
	// Let the 8 requests reach the entry first (the worker before this fix then took an
	// instance for each, and the request below waited for ever).
	time.Sleep(time.Second)
	quick := &http.Client{Timeout: 4 * time.Second}
	r, err := quick.Get(p.w.URL + "/healthz")
	if err != nil {
		t.Fatalf("a normal request while 8 bodies trickle in: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("a normal request while 8 bodies trickle in: %d", r.StatusCode)
	}
	for range 8 {
		a := <-slow
		if a.err != nil || a.status != http.StatusRequestTimeout || errorCode(a.body) != service.CodeBodyTimeout {
			t.Errorf("a body that never arrived: %d %q %v; want 408 %s", a.status, a.body, a.err, service.CodeBodyTimeout)
		}
	}
}

// blockingReader never yields a byte (a client that stops sending).
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

// TestBusyWorkerAnswers503: 12 requests wait on a Globus that does not answer (a Delay fault on
// the Groups path): 6 hold every instance, 6 wait. A further request is refused with 503 busy
// and Retry-After once it waited its limit, instead of waiting for Globus; the 12 end with 504
// timeout (their Go work hit its deadline) or 503 busy (they waited too long).
func TestBusyWorkerAnswers503(t *testing.T) {
	p := limitsRig(t, map[string]string{"WORKERTEST_DEADLINE_MS": "8000", "WORKERTEST_WAIT_MS": "2000"})
	u := p.user(t)
	p.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Delay: time.Minute, Times: -1})
	p.fake.ResetCounts()
	codes := make([]string, 12)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			c := &client{t: t, Client: u.Client}
			r := c.get("/groups")
			codes[i] = fmt.Sprintf("%d %s", r.StatusCode, errorCode(r.body))
		})
	}
	for deadline := time.Now().Add(60 * time.Second); p.fake.Count("GET /v2/groups/my_groups") < 6; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests reached Globus", p.fake.Count("GET /v2/groups/my_groups"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	quick := &http.Client{Timeout: 30 * time.Second}
	r, err := quick.Get(p.w.URL + "/healthz")
	if err != nil {
		t.Fatalf("a 13th request while 12 wait on Globus: %v", err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable || errorCode(string(b)) != service.CodeBusy || r.Header.Get("Retry-After") == "" {
		t.Fatalf("a 13th request while 12 wait on Globus: %d %q Retry-After %q; want 503 %s with Retry-After", r.StatusCode, b, r.Header.Get("Retry-After"), service.CodeBusy)
	}
	wg.Wait()
	p.fake.ClearFaults()
	timeouts := 0
	for i, c := range codes {
		switch c {
		case "504 " + string(app.KindTimeout):
			timeouts++
		case "503 " + service.CodeBusy:
		default:
			t.Errorf("request %d: %s; want 504 timeout or 503 busy", i, c)
		}
	}
	if timeouts == 0 {
		t.Error("no request ended at its Go deadline (504 timeout)")
	}
	if r := u.get("/groups"); r.StatusCode != 200 {
		t.Errorf("/groups once Globus answers again = %d %s", r.StatusCode, r.body)
	}
}

// TestHugeRequestBody413: a 50 MiB body is refused with 413 before any instance sees it: with
// a Content-Length, and streamed (chunked) without one. The instance serving the requests
// around it neither changed nor grew.
func TestHugeRequestBody413(t *testing.T) {
	p := limitsRig(t, nil)
	c := newClient(t, p.w.URL)
	id, _, before := instance(t, c)
	const size = 50 << 20
	flood := func() io.Reader { return io.LimitReader(zeros{}, size) }
	r, b, err := raw(t, p.w.URL, fmt.Sprintf("POST /logout HTTP/1.1\r\nContent-Length: %d", size), flood(), 60*time.Second)
	if err != nil || r.StatusCode != http.StatusRequestEntityTooLarge || errorCode(b) != service.CodeBodyTooLarge {
		t.Fatalf("50 MiB with Content-Length: %v %q %v; want 413 %s", r, b, err, service.CodeBodyTooLarge)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(chunked(pw, flood())) }()
	r, b, err = raw(t, p.w.URL, "POST /logout HTTP/1.1\r\nTransfer-Encoding: chunked", pr, 60*time.Second)
	pr.Close()
	if err != nil || r.StatusCode != http.StatusRequestEntityTooLarge || errorCode(b) != service.CodeBodyTooLarge {
		t.Fatalf("50 MiB chunked: %v %q %v; want 413 %s", r, b, err, service.CodeBodyTooLarge)
	}
	after, _, mem := instance(t, c)
	if after != id || mem > before {
		t.Errorf("instance %s with %d bytes before, %s with %d after: a refused body reached Go", id, before, after, mem)
	}
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// chunked writes r to w in HTTP/1.1 chunked encoding.
func chunked(w io.Writer, r io.Reader) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := fmt.Fprintf(w, "%x\r\n%s\r\n", n, buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			_, err = io.WriteString(w, "0\r\n\r\n")
			return err
		}
		if err != nil {
			return err
		}
	}
}

// TestHugeGlobusAnswer502: a 40 MiB Groups answer (chunked, no Content-Length) is refused as
// soon as 4 MiB arrived: 502 globus_error, and the instance that read it did not grow by the
// answer (before this fix it read all 40 MiB into JS and Go first).
func TestHugeGlobusAnswer502(t *testing.T) {
	p := limitsRig(t, nil)
	u := p.user(t)
	if r := u.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("/groups = %d %s", r.StatusCode, r.body)
	}
	id, _, before := instance(t, u)
	p.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Body: `"` + strings.Repeat("x", 40<<20) + `"`})
	r := u.get("/groups")
	if r.StatusCode != http.StatusBadGateway || errorCode(r.body) != string(app.KindGlobus) {
		t.Fatalf("/groups with a 40 MiB answer = %d %s; want 502 %s", r.StatusCode, r.body, string(app.KindGlobus))
	}
	after, _, mem := instance(t, u)
	t.Logf("instance memory %.1f MiB before, %.1f MiB after the 40 MiB answer", float64(before)/(1<<20), float64(mem)/(1<<20))
	if after != id || mem > before+4<<20 {
		t.Errorf("instance %s with %d bytes before, %s with %d after: the answer was read whole\n%s", id, before, after, mem, p.w.out)
	}
}

// TestMalformedURL400: a URL the runtime takes but Go's parser refuses is a 400 from the
// instance, which keeps serving; no log line carries the query (it could hold a code).
func TestMalformedURL400(t *testing.T) {
	p := limitsRig(t, nil)
	c := newClient(t, p.w.URL)
	id, n, _ := instance(t, c)
	const secret = "c0de-NOT-FOR-LOGS"
	r, b, err := raw(t, p.w.URL, "GET /%zz?code="+secret+" HTTP/1.1", nil, 30*time.Second)
	if err != nil || r.StatusCode != http.StatusBadRequest || errorCode(b) != service.CodeBadRequest {
		t.Fatalf("GET /%%zz?code=…: %v %q %v; want 400 %s", r, b, err, service.CodeBadRequest)
	}
	// The 400 never reached the test build's routes, which count what they serve.
	if again, m, _ := instance(t, c); again != id || m != n+1 {
		t.Errorf("instance %s (request %d) before, %s (request %d) after; want the same one, kept", id, n, again, m)
	}
	p.w.waitLog(t, "GET /%zz: 400")
	if strings.Contains(p.w.out.String(), secret) {
		t.Errorf("the query is in the worker's log:\n%s", p.w.out)
	}
}

// TestAbandonedInstanceReclaimed: an instance taken by a request that never finishes (what a
// request workerd cancelled leaves behind) is reclaimed by a later request once it was held
// past the deadline and twice the grace, instead of being lost to the pool for ever.
func TestAbandonedInstanceReclaimed(t *testing.T) {
	p := limitsRig(t, map[string]string{
		"WORKERTEST_POOL_MAX": "1", "WORKERTEST_POOL_OVERFLOW": "0",
		"WORKERTEST_DEADLINE_MS": "500", "WORKERTEST_GRACE_MS": "500", "WORKERTEST_WAIT_MS": "30000",
	})
	c := newClient(t, p.w.URL)
	first, _, _ := instance(t, c)
	if r := c.get("/__test/abandon"); r.StatusCode != 200 {
		t.Fatalf("/__test/abandon = %d %s", r.StatusCode, r.body)
	}
	next, served, _ := instance(t, c) // waits for the reclaim (1.5 s)
	if next == first || served != 1 {
		t.Errorf("after the abandon: instance %s serving its request %d; want a fresh one", next, served)
	}
	p.w.waitLog(t, "reclaimed a Go instance")
}

// TestHungInstanceBackstop: a request whose Go work neither answers nor honours its deadline
// is answered by the entry (500 internal_error) after the deadline and grace, and its
// instance is replaced.
func TestHungInstanceBackstop(t *testing.T) {
	p := limitsRig(t, map[string]string{"WORKERTEST_DEADLINE_MS": "500", "WORKERTEST_GRACE_MS": "500"})
	c := newClient(t, p.w.URL)
	first, _, _ := instance(t, c)
	r := c.get("/__test/hang")
	if r.StatusCode != 500 || errorCode(r.body) != string(app.KindInternal) {
		t.Fatalf("/__test/hang = %d %s; want 500 %s", r.StatusCode, r.body, string(app.KindInternal))
	}
	if next, _, _ := instance(t, c); next == first {
		t.Error("the hung instance served again")
	}
	p.w.waitLog(t, "did not answer within 1000 ms")
}

// TestProductionBuildHasNoTestRoutes: build/ answers 404 to the test routes, and build tags
// cannot change what the production main links (test routes are another main).
func TestProductionBuildHasNoTestRoutes(t *testing.T) {
	w := startWorker(t, map[string]string{"GLOBUS_CLIENT_ID": clientID, "TOKEN_ENCRYPTION_KEY": newKey()})
	c := newClient(t, w.URL)
	for _, path := range []string{"/__test/instance", "/__test/panic", "/__test/abandon"} {
		if r := c.get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("production build: %s = %d %s", path, r.StatusCode, r.body)
		}
	}
	// What ./worker compiles, file by file, with and without the tag the test build once used.
	files := func(flags ...string) []string {
		args := append([]string{"list", "-deps"}, flags...)
		cmd := exec.Command("go", append(args, "-f", "{{.ImportPath}} {{.GoFiles}}", "./worker")...)
		cmd.Dir = root(t)
		cmd.Env = append(childEnv(t, nil), "GOOS=js", "GOARCH=wasm", "GOFLAGS=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", flags, err)
		}
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	plain, tagged := files(), files("-tags=workertest")
	if !reflect.DeepEqual(plain, tagged) {
		t.Errorf("-tags=workertest changes what ./worker compiles")
	}
	for _, d := range plain {
		if strings.Contains(d, "testworker") || strings.Contains(d, "testroutes") {
			t.Errorf("./worker compiles %s", d)
		}
	}
}

// kvOps returns the KV operations Go made since the last call (the test entry counts them).
func kvOps(t *testing.T, c *client) (ops struct{ Get, Put, Delete int }) {
	t.Helper()
	r := c.get("/__test/kvops")
	if err := json.Unmarshal([]byte(r.body), &ops); err != nil || r.StatusCode != 200 {
		t.Fatalf("/__test/kvops = %d %q: %v", r.StatusCode, r.body, err)
	}
	return ops
}

// TestForgedSessionLogoutWritesNothing: a logout with a well-formed session id that names no
// session writes nothing to KV (anonymous traffic must not spend the KV write quota: on the
// Free plan ~350 such requests a day would exhaust it for everyone), and still answers 204.
func TestForgedSessionLogoutWritesNothing(t *testing.T) {
	p := limitsRig(t, nil)
	c := newClient(t, p.w.URL)
	c.Client.SetCookie(service.SessionCookie, &http.Cookie{Name: service.SessionCookie, Value: strings.Repeat("A", 43)})
	kvOps(t, c)
	before := p.w.kv(t)
	r := c.do("POST", "/logout", http.Header{"Origin": {p.w.URL}})
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("forged-session logout = %d %s", r.StatusCode, r.body)
	}
	if ops := kvOps(t, c); ops.Put != 0 || ops.Delete != 0 {
		t.Errorf("a forged-session logout made %d puts and %d deletes in KV; want none", ops.Put, ops.Delete)
	}
	if after := p.w.kv(t); !reflect.DeepEqual(before, after) {
		t.Errorf("KV changed: %v → %v", before, after)
	}
}

// TestStaleLeaseDelaysAtMostItsExpiry: a refresh lease left by a holder that crashed, in a KV
// that kept it with no TTL, holds the session's next refresh off until its own expiry and no
// longer: one whose expiry passed is taken at once, one that expires in 2 s is waited for (the
// request takes at least that long) and then taken. How long it waited is counted in KV reads,
// not measured: before this fix every such request waited the full 10 s, reading the lease
// every 50 ms (~200 reads).
func TestStaleLeaseDelaysAtMostItsExpiry(t *testing.T) {
	p := limitsRig(t, nil)
	u := p.user(t)
	sid := u.Cookie(service.SessionCookie).Value
	record := p.w.kv(t)[kvstore.SessionKey(sid)]
	if record == "" {
		t.Fatal("no session record in KV")
	}
	for _, c := range []struct {
		name       string
		expiresIn  time.Duration
		atLeast    time.Duration
		maxKVReads int
	}{
		// A refresh without waiting reads ~9 keys; each poll of the lease reads it and the record,
		// at 50 ms growing by half up to 500 ms: ~9 polls in 2 s, ~25 in 10 s.
		{"expired", -time.Minute, 0, 16},
		{"expiring in 2 s", 2 * time.Second, 2 * time.Second, 40},
	} {
		t.Run(c.name, func(t *testing.T) {
			lease, _ := json.Marshal(map[string]any{"holder": "crashed", "until": time.Now().Add(c.expiresIn).UnixMilli(), "base": kvstore.Fingerprint(record)})
			putKV(t, p.w, kvstore.LeaseKey(sid), string(lease)) // no TTL
			p.fake.ExpireAccessTokens()
			p.fake.ResetCounts()
			kvOps(t, u)
			start := time.Now()
			r := u.get("/groups")
			took := time.Since(start)
			ops := kvOps(t, u)
			if r.StatusCode != 200 || p.fake.Count("grant:refresh_token") != 1 {
				t.Fatalf("/groups with a stale lease = %d %s after %d refreshes; want 200 after one", r.StatusCode, r.body, p.fake.Count("grant:refresh_token"))
			}
			if took < c.atLeast {
				t.Errorf("answered after %v: the lease, valid for %v, was not waited for", took, c.atLeast)
			}
			if ops.Get > c.maxKVReads {
				t.Errorf("%d KV reads (%+v): the request waited past the lease's own expiry", ops.Get, ops)
			}
			t.Logf("answered after %v with %+v", took, ops)
			record = p.w.kv(t)[kvstore.SessionKey(sid)]
		})
	}
}
