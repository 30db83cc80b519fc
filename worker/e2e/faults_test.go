//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
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

// workerdFault is one fault a logged-in browser's GET /groups meets in workerd.
type workerdFault struct {
	name    string
	refresh bool // Globus expired the access token first: the worker must refresh
	faults  []globustest.Fault
	// otherKey replaces the session's KV value by one sealed with another key.
	otherKey bool
	status   int
	code     string
	refused  bool // Globus refused the tokens: the session must be gone
	slow     bool
}

var workerdFaults = []workerdFault{
	{name: "groups 503 until retries run out", faults: []globustest.Fault{{Path: "/v2/groups/my_groups", Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "groups malformed JSON", faults: []globustest.Fault{{Path: "/v2/groups/my_groups", Body: `[{"id": `}}, status: 502, code: service.CodeGlobusError},
	{name: "groups oversized body", faults: []globustest.Fault{{Path: "/v2/groups/my_groups", Body: `"` + strings.Repeat("x", 4<<20) + `"`}}, status: 502, code: service.CodeGlobusError},
	{name: "groups truncated once", faults: []globustest.Fault{{Path: "/v2/groups/my_groups", AfterHandling: true, Truncate: true}}, status: 200},
	{name: "refresh 503 until retries run out", refresh: true, faults: []globustest.Fault{{Path: "/v2/oauth2/token", Status: 503, RetryAfter: "0", Times: -1}}, status: 502, code: service.CodeGlobusError},
	{name: "refresh malformed JSON", refresh: true, faults: []globustest.Fault{{Path: "/v2/oauth2/token", Body: `{"access_token": `}}, status: 502, code: service.CodeGlobusError},
	{name: "refresh answer lost after the grant", refresh: true, faults: []globustest.Fault{{Path: "/v2/oauth2/token", AfterHandling: true, Drop: true}}, status: 200},
	{name: "refresh invalid_grant", refresh: true, faults: []globustest.Fault{{Path: "/v2/oauth2/token", Status: 400, Body: `{"error": "invalid_grant"}`}}, status: 401, code: service.CodeLoginRequired, refused: true},
	{name: "KV value sealed with another key", otherKey: true, status: 401, code: service.CodeStorageCorrupt},
	{name: "groups timeouts", slow: true, faults: []globustest.Fault{{Path: "/v2/groups/my_groups", Delay: time.Minute, Times: -1}}, status: 504, code: service.CodeTimeout},
}

// TestWorkerdFaultSuite: in workerd (fetch, KV and the Go start-up of the real runtime), each
// fault ends in the documented status and code, and no good token is lost: the session's KV
// record still holds a refresh token Globus accepts, the browser keeps its cookie, and its next
// request works (or, where Globus refused the tokens, the session is gone).
func TestWorkerdFaultSuite(t *testing.T) {
	long := faultsuite.Long()
	fake := globustest.NewT(t, globustest.Options{})
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
	r := c.get("/groups")
	fake.ClearFaults()
	if f.otherKey {
		putKV(t, w, kvKey, good) // the right key is back
	}
	if r.StatusCode != f.status {
		t.Fatalf("/groups = %d %s, want %d %s", r.StatusCode, r.body, f.status, f.code)
	}
	if f.code != "" {
		var e service.ErrorBody
		if json.Unmarshal([]byte(r.body), &e) != nil || e.Error != f.code {
			t.Fatalf("/groups body %q, want the code %s", r.body, f.code)
		}
	}
	v, ok := w.kv(t)[kvKey]
	if f.refused {
		if ok {
			t.Error("Globus refused the tokens but the session is still in KV")
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
