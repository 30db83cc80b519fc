//go:build !(js && wasm)

package e2e

import (
	"context"
	"encoding/json"
	"github.com/globus-edge/globus-edge/app"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/worker/service"
)

const clientID = "0c0ffee0-0000-4000-8000-0000000e2e00"

// session decrypts the worker's only session record with key.
func session(t *testing.T, w *worker, key string) tokens.Data {
	t.Helper()
	keys, err := tokens.ParseKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	var found []tokens.Data
	for k, v := range w.kv(t) {
		if !strings.HasPrefix(k, "session/") {
			continue
		}
		doc, _, err := service.OpenSessionRecord(keys, k, v)
		if err != nil {
			t.Fatalf("KV value of %s does not open with the worker's key: %v", k, err)
		}
		found = append(found, doc.Data[tokens.DefaultNamespace][groups.ResourceServer])
	}
	if len(found) != 1 {
		t.Fatalf("%d session records in KV, want 1", len(found))
	}
	return found[0]
}

// noSecrets fails if an issued token or another secret is in KV or in the worker's output.
func noSecrets(t *testing.T, fake *globustest.Server, w *worker, more ...string) {
	t.Helper()
	secrets := append(fake.IssuedTokens(), more...)
	if len(fake.IssuedTokens()) == 0 {
		t.Fatal("no tokens issued: the check would prove nothing")
	}
	places := map[string]string{"worker output": w.out.String()}
	for k, v := range w.kv(t) {
		places["KV "+k] = k + " " + v
	}
	for where, text := range places {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("secret %.4s… in plaintext in %s", s, where)
			}
		}
	}
}

// timeIt returns the mean and the fastest of n runs of f.
func timeIt(n int, f func()) (mean, fastest time.Duration) {
	var total time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		f()
		d := time.Since(start)
		total += d
		if i == 0 || d < fastest {
			fastest = d
		}
	}
	return total / time.Duration(n), fastest
}

func TestWorkerEndToEnd(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{RotateRefreshTokens: true})
	key, secret := newKey(), "worker-client-secret"
	w := startWorker(t, map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   fake.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": fake.GroupsURL(),
		"GLOBUS_SDK_HTTP_TIMEOUT":       "20",
		"GLOBUS_CLIENT_ID":              clientID,
		"GLOBUS_CLIENT_SECRET":          secret, // confidential: HTTP Basic through fetch
		"TOKEN_ENCRYPTION_KEY":          key,
	})
	fake.RegisterClient(globustest.Client{ID: clientID, Secret: secret, RedirectURIs: []string{w.URL + "/callback"}})
	c := newClient(t, w.URL)

	if r := c.get("/healthz"); r.StatusCode != 200 || strings.TrimSpace(r.body) != "ok" {
		t.Fatalf("/healthz = %d %q", r.StatusCode, r.body)
	}

	// Log in.
	r := c.get("/login?return_to=/")
	if r.StatusCode != http.StatusFound || c.Cookie(service.StateCookie) == nil {
		t.Fatalf("/login = %d %s (cookies %v)", r.StatusCode, r.body, r.Header.Values("Set-Cookie"))
	}
	cb, err := fake.Authorize(context.Background(), r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if cb.String() != w.URL+"/callback?"+cb.RawQuery {
		t.Fatalf("Auth redirected to %s, want the worker's /callback", cb)
	}
	r = c.get("/callback?" + cb.RawQuery)
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/" {
		t.Fatalf("/callback = %d Location %q %s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	sc := c.Cookie(service.SessionCookie)
	if sc == nil || !sc.Secure || !sc.HttpOnly || sc.Path != "/" || sc.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v: want __Host-, Secure, HttpOnly, Path=/, SameSite=Lax", sc)
	}
	if c.Cookie(service.StateCookie) != nil {
		t.Error("state cookie not cleared by the callback")
	}
	for k := range w.kv(t) {
		if !strings.HasPrefix(k, "session/") {
			t.Errorf("KV holds %s after a login; want the session record only", k)
		}
	}
	first := session(t, w, key)

	// My groups, JSON and CSV, as the Groups API has them.
	req, _ := http.NewRequest("GET", fake.GroupsURL()+"/v2/groups/my_groups", nil)
	req.Header.Set("Authorization", "Bearer "+first.AccessToken)
	dr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(dr.Body)
	dr.Body.Close()
	var want []any
	var gs []groups.Group
	json.Unmarshal(raw, &want)
	json.Unmarshal(raw, &gs)
	r = c.get("/groups")
	var got []any
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.StatusCode != 200 || !reflect.DeepEqual(got, want) {
		t.Fatalf("/groups = %d %q (%v), want the Groups API's objects %s", r.StatusCode, r.body, err, raw)
	}
	if r := c.get("/groups?format=csv"); r.StatusCode != 200 || r.body != groups.CSV(gs) {
		t.Errorf("/groups?format=csv = %d\n%q\nwant\n%q", r.StatusCode, r.body, groups.CSV(gs))
	}
	if r := c.do("GET", "/groups", http.Header{"Accept": {"text/csv"}}); r.body != groups.CSV(gs) {
		t.Errorf("Accept: text/csv = %q", r.body)
	}

	// Per-request latency in workerd (pooled Go instances, see worker/entry.mjs).
	hm, hf := timeIt(20, func() { c.get("/healthz") })
	gm, gf := timeIt(10, func() {
		if r := c.get("/groups"); r.StatusCode != 200 {
			t.Fatalf("/groups = %d", r.StatusCode)
		}
	})
	t.Logf("latency under miniflare: /healthz mean %v (fastest %v), /groups mean %v (fastest %v)", hm, hf, gm, gf)

	// An expired access token: exactly one refresh, written to KV.
	fake.ExpireAccessTokens()
	fake.ResetCounts()
	if r := c.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("/groups with an expired token = %d %s", r.StatusCode, r.body)
	}
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("refreshes = %d, want exactly 1", n)
	}
	renewed := session(t, w, key)
	if renewed.AccessToken == first.AccessToken || renewed.RefreshToken == first.RefreshToken ||
		!fake.TokenActive(renewed.AccessToken) || !fake.TokenActive(renewed.RefreshToken) {
		t.Error("KV does not hold the renewed (rotated) tokens")
	}
	noSecrets(t, fake, w, sc.Value, cb.Query().Get("code"), cb.Query().Get("state"), secret, key)

	// A cross-origin logout is refused and changes nothing.
	r = c.do("POST", "/logout", http.Header{"Origin": {"https://evil.example"}})
	if r.StatusCode != http.StatusForbidden || len(r.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("cross-origin logout = %d (Set-Cookie %q), want 403 and no cookie change", r.StatusCode, r.Header.Values("Set-Cookie"))
	}
	if fake.Count("revoke") != 0 || !fake.TokenActive(renewed.RefreshToken) {
		t.Error("a cross-origin logout revoked tokens")
	}

	// Logout: both tokens revoked, KV empty (but for what expires by itself), cookie gone.
	r = c.do("POST", "/logout", http.Header{"Origin": {w.URL}})
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("logout = %d %s", r.StatusCode, r.body)
	}
	if c.Cookie(service.SessionCookie) != nil {
		t.Error("session cookie not cleared by logout")
	}
	if fake.TokenActive(renewed.AccessToken) || fake.TokenActive(renewed.RefreshToken) {
		t.Error("a token is still active after logout")
	}
	if kv := withoutLeftovers(w.kv(t)); len(kv) != 0 {
		keys := make([]string, 0, len(kv))
		for k := range kv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("KV not empty after logout: %v", keys)
	}
	if r := c.get("/groups"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("/groups after logout = %d", r.StatusCode)
	}
	if t.Failed() {
		t.Logf("worker output:\n%s", w.out)
	}
}

func TestWorkerMisconfigured(t *testing.T) {
	w := startWorker(t, map[string]string{"GLOBUS_SDK_HTTP_TIMEOUT": "soon"})
	c := newClient(t, w.URL)
	if r := c.get("/healthz"); r.StatusCode != 200 {
		t.Errorf("/healthz of a misconfigured worker = %d %s", r.StatusCode, r.body)
	}
	r := c.get("/groups")
	var e service.ErrorBody
	if json.Unmarshal([]byte(r.body), &e) != nil || r.StatusCode != 500 || e.Error != string(app.KindConfig) {
		t.Fatalf("/groups = %d %q, want a 500 invalid_config", r.StatusCode, r.body)
	}
	for _, name := range []string{"GLOBUS_CLIENT_ID", "TOKEN_ENCRYPTION_KEY", "GLOBUS_SDK_HTTP_TIMEOUT"} {
		if !strings.Contains(e.Message, name) {
			t.Errorf("message %q does not name %s", e.Message, name)
		}
	}
}

// withoutLeftovers drops from a KV dump what a logout leaves to expire: the refresh lease (60 s
// TTL: KV takes one write per key per second, so it is not deleted right after being written;
// the record's deletion frees it; no secret in it) and the successor of a refreshed record (2
// minutes, sealed; the logout revoked its tokens).
func withoutLeftovers(kv map[string]string) map[string]string {
	for k := range kv {
		if strings.HasPrefix(k, "lease/") || strings.HasPrefix(k, "next/") {
			delete(kv, k)
		}
	}
	return kv
}
