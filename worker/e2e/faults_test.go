//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/worker/service"
)

// workerdFault is one fault a logged-in browser's GET /groups (or POST /logout) meets in
// workerd.
type workerdFault struct {
	name    string
	refresh bool // Globus expired the access token first: the worker must refresh
	logout  bool // the request is POST /logout
	faults  []globustest.Fault
	// otherKey replaces the session's KV value by one sealed with another key.
	otherKey bool
	status   int
	code     string
	refused  bool // Globus refused the tokens: the session must be gone
	// calls is what the fake must count during the request (globustest.Server.Count): it
	// proves the fault fired and the retries ran.
	calls map[string]int
	slow  bool
}

const (
	groupsPath = "/v2/groups/my_groups"
	tokenPath  = "/v2/oauth2/token"
	revokePath = "/v2/oauth2/token/revoke"
	groupsGets = "GET /v2/groups/my_groups"
	refreshes  = "grant:refresh_token"
	revokes    = "revoke"
)

var workerdFaults = []workerdFault{
	{name: "groups 503 burst absorbed", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: 2}}, status: 200, calls: map[string]int{groupsGets: 3}},
	{name: "groups 503 until retries run out", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 6}},
	{name: "groups 429 Retry-After absorbed", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "1"}}, status: 200, calls: map[string]int{groupsGets: 2}},
	{name: "groups malformed JSON", faults: []globustest.Fault{{Path: groupsPath, Body: `[{"id": `}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 1}},
	{name: "groups oversized body", faults: []globustest.Fault{{Path: groupsPath, Body: `"` + strings.Repeat("x", 4<<20) + `"`}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{groupsGets: 1}},
	{name: "groups truncated once", faults: []globustest.Fault{{Path: groupsPath, AfterHandling: true, Truncate: true}}, status: 200, calls: map[string]int{groupsGets: 2}},
	{name: "refresh 503 burst absorbed", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: 2}}, status: 200, calls: map[string]int{refreshes: 3, groupsGets: 2}},
	{name: "refresh 503 until retries run out", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{refreshes: 6, groupsGets: 1}},
	{name: "refresh malformed JSON", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Body: `{"access_token": `}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{refreshes: 1, groupsGets: 1}},
	// The first grant is handled but its answer is dropped; the retry is a second grant.
	{name: "refresh answer lost after the grant", refresh: true, faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, status: 200, calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "refresh invalid_grant", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant"}`}}, status: 401, code: string(app.KindLoginRequired), refused: true, calls: map[string]int{refreshes: 1}},
	{name: "KV value sealed with another key", otherKey: true, status: 401, code: string(app.KindStorageCorrupt), calls: map[string]int{groupsGets: 0}},
	// The access and the refresh token are revoked, each with its own retries.
	{name: "logout revoke 503 burst absorbed", logout: true, faults: []globustest.Fault{{Path: revokePath, Status: 503, RetryAfter: "0", Times: 2}}, status: 204, calls: map[string]int{revokes: 4}},
	{name: "logout revoke 503 until retries run out", logout: true, faults: []globustest.Fault{{Path: revokePath, Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: string(app.KindGlobus), calls: map[string]int{revokes: 12}},
	{name: "groups timeouts", slow: true, faults: []globustest.Fault{{Path: groupsPath, Delay: time.Minute, Times: -1}}, status: 504, code: string(app.KindTimeout)},
}

// TestWorkerdFaultSuite: in workerd (fetch, KV and the Go start-up of the real runtime), each
// fault ends in the documented status and code, fired (the fake counted the calls it caused),
// and no good token is lost: the session's KV record still holds a refresh token Globus
// accepts, the browser keeps its cookie, and its next request works (or, where Globus refused
// the tokens or the user logged out, the session is gone).
func TestWorkerdFaultSuite(t *testing.T) {
	long := faultsuite.Long()
	// One fake for every case (the worker is configured with its URLs): each case checks that
	// its own faults were used up, so New, not NewT, whose reports would go to this test.
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	key := newKey()
	w := startWorker(t, map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   fake.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": fake.GroupsURL(),
		"GLOBUS_SDK_HTTP_TIMEOUT":       "3", // the slow case times out every attempt
		"GLOBUS_CLIENT_ID":              clientID,
		"TOKEN_ENCRYPTION_KEY":          key,
	})
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{w.URL + "/callback"}})
	keys, err := tokens.ParseKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	var fig faultsuite.Figures
	for _, f := range workerdFaults {
		if f.slow && !long {
			continue
		}
		fig.Run(t, f.name, func(t *testing.T) (bool, bool) { return runWorkerdFault(t, fake, w, keys, f), false })
	}
	noSecrets(t, fake, w, key)
	fig.Log(t, "workerd fault suite")
}

// TestWorkerdFaultSuiteIsHonest runs TestWorkerdFaultSuite's short form with the fake's faults
// switched off: every case with faults in the fake must fail (the KV key case may pass).
func TestWorkerdFaultSuiteIsHonest(t *testing.T) {
	var cases []faultsuite.Case
	for _, f := range workerdFaults {
		if !f.slow {
			cases = append(cases, faultsuite.Case{Name: f.name, Fake: len(f.faults) > 0})
		}
	}
	faultsuite.CheckMutated(t, "TestWorkerdFaultSuite", cases)
}

func runWorkerdFault(t *testing.T, fake *globustest.Server, w *worker, keys *tokens.Keyring, f workerdFault) (lost bool) {
	c := loggedIn(t, w.URL, fake)
	sid := c.Cookie(service.SessionCookie).Value
	kvKey := kvstore.SessionKey(sid)
	good := w.kv(t)[kvKey]
	if f.refresh {
		fake.ExpireAccessTokens()
	}
	for _, fault := range f.faults {
		fake.Inject(fault)
	}
	if f.otherKey {
		other, _ := tokens.ParseKeyring(newKey())
		doc, _ := keys.Open([]byte(good), []byte(kvKey))
		putKV(t, w, kvKey, string(other.Seal(doc, []byte(kvKey))))
	}
	fake.ResetCounts()
	var r *response
	if f.logout {
		r = c.do(http.MethodPost, "/logout", http.Header{"Origin": {w.URL}})
	} else {
		r = c.get("/groups")
	}
	faultsuite.CheckCalls(t.Errorf, fake, f.calls, nil)
	for _, u := range fake.ClearFaults() {
		t.Errorf("an injected fault was not used up: %v", u)
	}
	if f.otherKey {
		putKV(t, w, kvKey, good) // the right key is back
	}
	if r.StatusCode != f.status {
		t.Fatalf("answer %d %s, want %d %s", r.StatusCode, r.body, f.status, f.code)
	}
	if f.code != "" {
		var e service.ErrorBody
		if json.Unmarshal([]byte(r.body), &e) != nil || e.Error != f.code {
			t.Fatalf("answer body %q, want the code %s", r.body, f.code)
		}
	}
	v, ok := w.kv(t)[kvKey]
	if f.refused || f.logout {
		if ok {
			t.Error("Globus refused the tokens or the user logged out, but the session is still in KV")
		}
		if f.logout && c.Cookie(service.SessionCookie) != nil {
			t.Error("the browser keeps the cookie of a logged-out session")
		}
		return false
	}
	doc, _, err := service.OpenSessionRecord(keys, kvKey, v)
	if !ok || err != nil || !fake.TokenActive(doc.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken) {
		t.Errorf("good token lost: the session record (present %v, %v) holds no refresh token Globus accepts", ok, err)
		return true
	}
	if c.Cookie(service.SessionCookie) == nil {
		t.Error("the browser was told to drop a session that still works")
		return true
	}
	if r := c.get("/groups"); r.StatusCode != http.StatusOK {
		t.Errorf("the next /groups = %d %s", r.StatusCode, r.body)
	}
	return false
}

// putKV writes one value into the worker's KV through serve.mjs's inspection server.
func putKV(t *testing.T, w *worker, key, value string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, w.kvURL+"/"+url.PathEscape(key), strings.NewReader(value))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("writing KV %s: %v", key, err)
	}
	resp.Body.Close()
}
