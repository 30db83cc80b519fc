//go:build !(js && wasm)

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// workerdWarnings are log lines that mean the package misused workerd even when every answer
// was right: a promise crossing requests (the reason for the pool) or fetch on a wrong receiver.
var workerdWarnings = []string{"different request context", "Illegal invocation", "Uncaught"}

// bundle runs `wrangler deploy --dry-run --outdir out` in app, as a user deploying a worker
// would (wrangler.toml there names the main module), and returns out.
func bundle(t *testing.T, app string) string {
	t.Helper()
	out := filepath.Join(app, "out")
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "wrangler"), "deploy", "--dry-run", "--outdir", out)
	cmd.Dir = app
	cmd.Env = nodeEnv(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wrangler deploy --dry-run: %v\n%s", err, b)
	}
	return out
}

// served is a bundled worker running in workerd (testdata/serve-worker.mjs) on KV as
// Cloudflare documents it.
type served struct {
	URL, kvURL string
	log        *logBuffer
	// at is the worker's origin in each further KV location (serve's --locations).
	at map[string]string
}

// serve runs the bundle in dir with script as its main module. args are vars (NAME=value)
// and serve-worker.mjs's flags with their values (--locations a,b, --staleness-ms N,
// --coordinator).
func serve(t *testing.T, dir, script string, args ...string) *served {
	t.Helper()
	argv := []string{filepath.Join(root, "js", "e2e", "testdata", "serve-worker.mjs"), dir, script}
	var vars []string
	locations := 1
	for i, a := range args {
		if strings.Contains(a, "=") && !strings.HasPrefix(a, "--") {
			vars = append(vars, a)
			continue
		}
		argv = append(argv, a)
		if a == "--locations" && i+1 < len(args) {
			locations = len(strings.Split(args[i+1], ","))
		}
	}
	cmd := exec.Command("node", argv...)
	cmd.Dir = root // resolves miniflare from the repository's node_modules
	cmd.Env = nodeEnv(t, vars...)
	c := startChild(t, cmd, 1+locations)
	s := &served{URL: c.Lines[0], kvURL: strings.TrimPrefix(c.Lines[1], "kv "), log: c.Out, at: map[string]string{}}
	for _, line := range c.Lines[2:] {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "at" {
			s.at[f[1]] = f[2]
		}
	}
	t.Cleanup(func() {
		for _, w := range workerdWarnings {
			if strings.Contains(s.log.String(), w) {
				t.Errorf("workerd logged %q:\n%s", w, s.log)
			}
		}
	})
	return s
}

// kv returns every key and value of the worker's TOKENS namespace.
func (s *served) kv(t *testing.T) map[string]string {
	t.Helper()
	resp, err := http.Get(s.kvURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *served) putKV(t *testing.T, key, value string) {
	t.Helper()
	req, _ := http.NewRequest("PUT", s.kvURL+"/"+url.PathEscape(key), strings.NewReader(value))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// user is one browser session of the example worker.
type user struct {
	s      *served
	cookie *http.Cookie
}

func (u *user) do(t *testing.T, method, path string, header ...string) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(method, u.s.URL+path, nil)
	if u.cookie != nil {
		req.AddCookie(u.cookie)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", nil
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b), resp
}

// login runs /login → the fake's approval → /callback and keeps the session cookie.
func (u *user) login(t *testing.T, fake *globustest.Server) string {
	t.Helper()
	code, _, resp := u.do(t, "GET", "/login")
	if code != http.StatusFound {
		t.Fatalf("/login answered %d", code)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-example-session" {
			u.cookie = c
		}
	}
	if u.cookie == nil {
		t.Fatal("/login set no session cookie")
	}
	loc, err := fake.Authorize(t.Context(), resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	callback := "/callback?" + loc.RawQuery
	if code, body, resp := u.do(t, "GET", callback); code != http.StatusFound || resp.Header.Get("Location") != "/groups" {
		t.Fatalf("/callback answered %d %s", code, body)
	}
	return callback
}

// tokenKey is the KV key of the user's token document: the package's layout (README) over
// the example's namespace, SHA-256(session id) in hex.
func (u *user) tokenKey(clientID string) string {
	sum := sha256.Sum256([]byte(u.cookie.Value))
	return kvstore.SessionKey("globus-edge:" + clientID + ":" + hex.EncodeToString(sum[:]))
}

// TestWorkerExample runs js/example-worker as wrangler bundles it, in workerd: four users log
// in, read their groups (JSON and the CLI's CSV) with 32 requests in flight at once, an expired
// token is refreshed once for 10 concurrent requests, a replayed callback is refused, and
// logout forgets the user. workerd must log no cross-request promise.
func TestWorkerExample(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	app := newApp(t, "js/example-worker/worker.js", "js/example-worker/wrangler.toml")
	s := serve(t, bundle(t, app), "worker.js", "GLOBUS_CLIENT_ID=js-worker",
		"GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL())
	fake.RegisterClient(globustest.Client{ID: "js-worker", RedirectURIs: []string{s.URL + "/callback"}})

	users := make([]*user, 4)
	var callback string
	for i := range users {
		users[i] = &user{s: s}
		callback = users[i].login(t, fake)
	}
	if code, body, _ := users[3].do(t, "GET", callback); code != http.StatusBadRequest || !strings.Contains(body, "no_login_in_progress") {
		t.Errorf("a replayed callback answered %d %s", code, body)
	}
	if code, body, _ := users[0].do(t, "GET", "/groups"); code != 200 || !strings.HasPrefix(body, "[") || !strings.Contains(body, `"my_memberships"`) {
		t.Errorf("/groups answered %d %s", code, body)
	}

	// Different users, many requests in flight at once: every answer is the user's CSV.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for _, u := range users {
		for range 8 {
			wg.Go(func() {
				code, body, _ := u.do(t, "GET", "/groups?format=csv")
				if code != 200 || body != want {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%d %.80q", code, body))
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("%d of 32 concurrent requests failed, e.g. %s", len(bad), bad[0])
	}

	// Expire user 0's access token in KV; 10 concurrent requests refresh it once.
	key := users[0].tokenKey("js-worker")
	raw, ok := s.kv(t)[key]
	if !ok {
		t.Fatalf("no token document under %s (keys: %v)", key, keysOf(s.kv(t)))
	}
	doc, err := tokens.DecodeDocument([]byte(raw))
	if err != nil {
		t.Fatalf("the stored value is not a v2 document: %v", err)
	}
	for ns, byRS := range doc.Data {
		for rs, d := range byRS {
			d.ExpiresAtSeconds = 1
			doc.Data[ns][rs] = d
		}
	}
	s.putKV(t, key, string(doc.Encode()))
	fake.ResetCounts()
	for range 10 {
		wg.Go(func() {
			if code, body, _ := users[0].do(t, "GET", "/groups?format=csv"); code != 200 || body != want {
				t.Errorf("during the refresh: %d %.80q", code, body)
			}
		})
	}
	wg.Wait()
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("10 concurrent requests with an expired token refreshed %d times, want 1", n)
	}

	if code, _, _ := users[0].do(t, "POST", "/logout", "Origin", "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("a cross-origin logout answered %d", code)
	}
	if code, body, _ := users[0].do(t, "POST", "/logout", "Origin", s.URL); code != http.StatusNoContent {
		t.Fatalf("/logout answered %d %s", code, body)
	}
	if _, ok := s.kv(t)[key]; ok {
		t.Error("the token document survived logout")
	}
	if code, body, _ := users[0].do(t, "GET", "/groups"); code != http.StatusUnauthorized || !strings.Contains(body, `"login_required"`) {
		t.Errorf("/groups after logout answered %d %s", code, body)
	}
	if code, _, _ := users[1].do(t, "GET", "/groups?format=csv"); code != 200 {
		t.Errorf("another user's session answered %d after user 0 logged out", code)
	}
	assertNoTokens(t, fake, "the worker's log", s.log.String())
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWorkerChecks runs testdata/checks.mjs inside workerd (checks-worker.js, bundled by
// wrangler) with a KV binding as the storage.
func TestWorkerChecks(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	fake.RegisterClient(globustest.Client{ID: "js-checks", RedirectURIs: []string{fake.AuthCodePageURL()}})
	app := newApp(t, "js/e2e/testdata/checks.mjs", "js/e2e/testdata/checks-worker.js", "js/e2e/testdata/wrangler.toml")
	s := serve(t, bundle(t, app), "checks-worker.js")
	q := url.Values{"auth": {fake.AuthURL()}, "groups": {fake.GroupsURL()}, "client": {"js-checks"}, "prefix": {"run1-"}}
	resp, err := http.Post(s.URL+"/checks?"+q.Encode(), "text/csv", strings.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/checks answered %d: %s\n%s", resp.StatusCode, out, s.log)
	}
	assertChecks(t, "workerd", out, 13)
	assertNoTokens(t, fake, "workerd's output", string(out)+s.log.String())
}
