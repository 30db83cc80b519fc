//go:build !(js && wasm)

package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/worker/service"
)

// A return_to with non-ASCII survives the login round trip in workerd: the callback answers
// 302 with the path percent-encoded (the runtime's Headers refuses non-ASCII, and the callback
// sets Location only after the session is stored, so an unencoded one threw after the session
// existed), the session cookie is set, KV holds the one session, and the Location works.
func TestWorkerReturnToNonASCII(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	key := newKey()
	w := startWorker(t, map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   fake.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": fake.GroupsURL(),
		"GLOBUS_SDK_HTTP_TIMEOUT":       "20",
		"GLOBUS_CLIENT_ID":              clientID,
		"TOKEN_ENCRYPTION_KEY":          key,
	})
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{w.URL + "/callback"}})
	for _, tc := range []struct{ returnTo, location string }{
		{"/groups/日本?x=é", "/groups/%E6%97%A5%E6%9C%AC?x=%C3%A9"},
		{"/?q=ü ö", "/?q=%C3%BC%20%C3%B6"},
	} {
		c := newClient(t, w.URL)
		r := c.get("/login?return_to=" + url.QueryEscape(tc.returnTo))
		if r.StatusCode != http.StatusFound || c.Cookie(service.StateCookie) == nil {
			t.Fatalf("/login = %d %s", r.StatusCode, r.body)
		}
		cb, err := fake.Authorize(context.Background(), r.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		r = c.get("/callback?" + cb.RawQuery)
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != tc.location {
			t.Fatalf("return_to %q: /callback = %d Location %q, want 302 %q; body %s\nworker output:\n%s",
				tc.returnTo, r.StatusCode, r.Header.Get("Location"), tc.location, r.body, w.out)
		}
		if c.Cookie(service.SessionCookie) == nil {
			t.Fatalf("return_to %q: no session cookie after the callback", tc.returnTo)
		}
		if r := c.get("/groups"); r.StatusCode != http.StatusOK {
			t.Fatalf("return_to %q: /groups after the login = %d %s", tc.returnTo, r.StatusCode, r.body)
		}
		if r := c.get("/logout"); r.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET /logout = %d", r.StatusCode)
		}
		r = c.do("POST", "/logout", http.Header{"Origin": {w.URL}})
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("logout = %d %s", r.StatusCode, r.body)
		}
	}
	// The page a Location points to loads: the encoded path is one a browser can follow.
	c := newClient(t, w.URL)
	if r := c.get("/?q=%C3%BC%20%C3%B6"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "<") {
		t.Fatalf("following the Location: %d", r.StatusCode)
	}
	if kv := withoutLeftovers(w.kv(t)); len(kv) != 0 {
		t.Errorf("KV holds %d records after both logouts", len(kv))
	}
	noSecrets(t, fake, w, key)
}
