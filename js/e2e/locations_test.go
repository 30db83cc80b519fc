//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

// TestWorkerExampleOverTwoLocations runs js/example-worker as two workers (two isolates) of
// one Miniflare, each reading the documented KV double through its own cache, a minute stale
// (serve-worker.mjs --locations a,b), refresh tokens rotating. Twenty requests of one session
// whose access token Globus expired, ten in each location: with the Durable Object binding
// (coordinator: env.SESSIONS, one SessionCoordinator per session) exactly one refresh and
// every answer 200. KV-only, its answers and refreshes are reported (the package's lease is
// best effort across locations and it keeps no successors: a location that refreshes with a
// refresh token rotated elsewhere is refused and ends the login, as js/README.md says); none
// may fail on KV's write rule (storage_error). Then a logout in location a: with the binding,
// b refuses the session's next request at once.
func TestWorkerExampleOverTwoLocations(t *testing.T) {
	for _, coordinated := range []bool{true, false} {
		mode := map[bool]string{true: "durable object", false: "kv-only"}[coordinated]
		t.Run(mode, func(t *testing.T) {
			fake := globustest.NewT(t, globustest.Options{RotateRefreshTokens: true})
			want := expectedCSV(t, fake)
			app := newApp(t, "js/example-worker/worker.js", "js/example-worker/wrangler.toml")
			args := []string{"GLOBUS_CLIENT_ID=js-worker", "GLOBUS_SDK_SERVICE_URL_AUTH=" + fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + fake.GroupsURL(),
				"--locations", "a,b", "--staleness-ms", fmt.Sprint(time.Minute.Milliseconds())}
			if coordinated {
				args = append(args, "--coordinator")
			}
			s := serve(t, bundle(t, app), "worker.js", args...)
			fake.RegisterClient(globustest.Client{ID: "js-worker", RedirectURIs: []string{s.URL + "/callback"}})
			u := &user{s: s}
			u.login(t, fake)
			inB := &user{s: &served{URL: s.at["b"], log: s.log}, cookie: u.cookie}
			for _, v := range []*user{u, inB} { // each location reads (and caches) the tokens
				if code, body, _ := v.do(t, "GET", "/groups?format=csv"); code != 200 || body != want {
					t.Fatalf("/groups at %s = %d %.80q", v.s.URL, code, body)
				}
			}
			fake.ExpireAccessTokens()
			fake.ResetCounts()
			var mu sync.Mutex
			answers := map[string]int{}
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					v, loc := u, "a"
					if i%2 == 1 {
						v, loc = inB, "b"
					}
					code, body, _ := v.do(t, "GET", "/groups?format=csv")
					answer := fmt.Sprintf("%s: %d", loc, code)
					if code != 200 || body != want {
						answer += fmt.Sprintf(" %.120s", body)
					}
					mu.Lock()
					answers[answer]++
					mu.Unlock()
				})
			}
			wg.Wait()
			grants := fake.Count("grant:refresh_token")
			t.Logf("%s: answers %v; %d refresh grants; KV %s", mode, answers, grants, s.ops(t))
			for answer := range answers {
				if strings.Contains(answer, "storage_error") {
					t.Errorf("a request failed on KV's write rule: %s", answer)
				}
			}
			if !coordinated {
				return
			}
			if answers["a: 200"] != 10 || answers["b: 200"] != 10 {
				t.Errorf("answers %v, want 10 × 200 with the CSV in each location", answers)
			}
			if grants != 1 {
				t.Errorf("%d refreshes, want exactly 1", grants)
			}
			fake.Inject(globustest.Fault{Method: "POST", Path: "/v2/oauth2/token/revoke", Status: 503, RetryAfter: "0", Times: -1})
			if code, body, _ := u.do(t, "POST", "/logout", "Origin", s.URL); code != http.StatusBadGateway || !strings.Contains(body, "globus_error") {
				t.Fatalf("/logout in a (revocation failing) answered %d %s", code, body)
			}
			fake.ClearFaults()
			if code, body, _ := inB.do(t, "GET", "/groups"); code != http.StatusUnauthorized || !strings.Contains(body, `"login_required"`) {
				t.Errorf("/groups in b right after the logout in a answered %d %s, want 401 login_required", code, body)
			}
		})
	}
}

// ops returns the documented KV double's operations since the last call, by key prefix.
func (s *served) ops(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(s.kvURL + "/?ops&reset=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
