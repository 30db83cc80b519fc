//go:build js && wasm

package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"syscall/js"
	"testing"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"golang.org/x/oauth2"
)

// unreachable is an Auth/Groups URL nothing listens on: any network call fails fast, so a
// test that expects no network call would see a network_error instead of its own error.
const unreachable = `authUrl: "http://127.0.0.1:9", groupsUrl: "http://127.0.0.1:9"`

func jsonString(v js.Value) string { return js.Global().Get("JSON").Call("stringify", v).String() }

// newTestClient builds a client through the exported JavaScript function, as the shim does.
func newTestClient(t *testing.T, cfg string) js.Value {
	t.Helper()
	h := testHost(t)
	c, rej := call(t, js.ValueOf(map[string]any{"newClient": js.FuncOf(func(_ js.Value, args []js.Value) any {
		return newClientPromise(args, h)
	})}), "newClient", obj(t, cfg))
	if !rej.IsUndefined() {
		t.Fatalf("newClient(%s) rejected: %s", cfg, jsonString(rej))
	}
	return c
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	browserStorage(t)
	h := testHost(t)
	ns := js.ValueOf(map[string]any{"newClient": js.FuncOf(func(_ js.Value, args []js.Value) any { return newClientPromise(args, h) })})
	_, rej := call(t, ns, "newClient", obj(t, `{storage: "cookies"}`))
	if rej.Get("code").String() != "invalid_config" || !strings.Contains(rej.Get("message").String(), "config.storage") {
		t.Fatalf("rejection = %s", jsonString(rej))
	}
}

func TestClientDescribesConfig(t *testing.T) {
	browserStorage(t)
	c := newTestClient(t, `{clientId: "cid", `+unreachable+`}`)
	cfg := c.Get("config")
	if cfg.Get("clientId").String() != "cid" || cfg.Get("authCodePage").String() != "http://127.0.0.1:9/v2/web/auth-code" ||
		cfg.Get("redirectUri").String() != "" || cfg.Get("storage").String() != "localStorage" ||
		!strings.Contains(cfg.Get("scopes").String(), "view_my_groups_and_memberships") || cfg.Get("httpTimeout").Float() != 60 {
		t.Fatalf("config = %s", jsonString(cfg))
	}
	if c.Get("storageKey").String() != "globus-edge:cid:DEFAULT" {
		t.Fatalf("storageKey = %q", c.Get("storageKey").String())
	}
}

func TestStartPasteLoginKeepsFlowInSessionStorage(t *testing.T) {
	_, session := browserStorage(t)
	c := newTestClient(t, `{`+unreachable+`}`)
	u1, rej := call(t, c, "startLogin", "paste")
	if !rej.IsUndefined() {
		t.Fatalf("startLogin rejected: %s", jsonString(rej))
	}
	au, err := url.Parse(u1.String())
	if err != nil {
		t.Fatal(err)
	}
	q := au.Query()
	if au.Path != "/v2/oauth2/authorize" || q.Get("redirect_uri") != "http://127.0.0.1:9/v2/web/auth-code" ||
		q.Get("client_id") != config.TutorialClientID || q.Get("code_challenge_method") != "S256" ||
		q.Get("access_type") != "offline" || len(q.Get("state")) < 43 || q.Get("state") == auth.DefaultState {
		t.Fatalf("authorize URL %s", au)
	}
	raw := session.Call("getItem", "globus-edge-flow:"+config.TutorialClientID)
	var rec struct{ Flow auth.Flow }
	if raw.IsNull() || json.Unmarshal([]byte(raw.String()), &rec) != nil || rec.Flow.State != q.Get("state") ||
		oauth2.S256ChallengeFromVerifier(rec.Flow.Verifier) != q.Get("code_challenge") {
		t.Fatalf("stored flow %v does not match the authorize URL", raw)
	}
	u2, _ := call(t, c, "startLogin", "paste")
	if u2.String() == u1.String() {
		t.Fatal("two logins got the same authorize URL (state and verifier must be fresh)")
	}
}

func TestStartRedirectLoginNeedsRedirectURI(t *testing.T) {
	browserStorage(t)
	c := newTestClient(t, `{`+unreachable+`}`)
	_, rej := call(t, c, "startLogin", "redirect")
	if rej.Get("code").String() != "invalid_config" || !strings.Contains(rej.Get("message").String(), "redirectUri") {
		t.Fatalf("rejection = %s", jsonString(rej))
	}
	c = newTestClient(t, `{redirectUri: "https://app.example.org/cb", `+unreachable+`}`)
	u, rej := call(t, c, "startLogin")
	if !rej.IsUndefined() || !strings.Contains(u.String(), "redirect_uri=https%3A%2F%2Fapp.example.org%2Fcb") {
		t.Fatalf("startLogin() = %v, %s", u, jsonString(rej))
	}
}

// TestFinishRedirectStateMismatch: a redirect whose state is not this tab's is refused
// before any network call, nothing is stored, and the login in progress stays for the real
// redirect: a forged ?code= or ?error= link cannot cancel it.
func TestFinishRedirectStateMismatch(t *testing.T) {
	local, session := browserStorage(t)
	c := newTestClient(t, `{redirectUri: "https://app.example.org/", `+unreachable+`}`)
	call(t, c, "startLogin", "redirect")
	for _, forged := range []string{"?code=abc&state=not-mine", "?error=access_denied&state=not-mine", "?error=access_denied"} {
		_, rej := call(t, c, "finishRedirect", forged)
		if rej.Get("code").String() != "state_mismatch" {
			t.Fatalf("%s: rejection = %s", forged, jsonString(rej))
		}
		if session.Get("length").Int() != 1 || local.Get("length").Int() != 0 {
			t.Fatalf("after %s: %d sessionStorage, %d localStorage items", forged, session.Get("length").Int(), local.Get("length").Int())
		}
	}
}

func TestFinishRedirectAuthorizeError(t *testing.T) {
	_, session := browserStorage(t)
	c := newTestClient(t, `{redirectUri: "https://app.example.org/", `+unreachable+`}`)
	u, _ := call(t, c, "startLogin", "redirect")
	au, err := url.Parse(u.String())
	if err != nil {
		t.Fatal(err)
	}
	state := url.QueryEscape(au.Query().Get("state"))
	_, rej := call(t, c, "finishRedirect", "error=access_denied&error_description=The+user+said+no&state="+state)
	if rej.Get("code").String() != "authorize_error" || rej.Get("globusCode").String() != "access_denied" ||
		!strings.Contains(rej.Get("message").String(), "The user said no") {
		t.Fatalf("rejection = %s", jsonString(rej))
	}
	if session.Get("length").Int() != 0 {
		t.Fatal("the login in progress survived an ?error= redirect")
	}
	// Replaying the same redirect finds no login in progress.
	if _, rej = call(t, c, "finishRedirect", "error=access_denied&state="+state); rej.Get("code").String() != "no_login_in_progress" {
		t.Fatalf("replay rejection = %s", jsonString(rej))
	}
}

func TestFinishPasteCodeWithoutLogin(t *testing.T) {
	browserStorage(t)
	c := newTestClient(t, `{`+unreachable+`}`)
	_, rej := call(t, c, "finishPasteCode", "some-code")
	if rej.Get("code").String() != "no_login_in_progress" {
		t.Fatalf("rejection = %s", jsonString(rej))
	}
}

func TestLoggedInAndMyGroupsWithoutTokens(t *testing.T) {
	local, _ := browserStorage(t)
	c := newTestClient(t, `{clientId: "cid", `+unreachable+`}`)
	if v, _ := call(t, c, "isLoggedIn"); v.Bool() {
		t.Fatal("isLoggedIn with empty storage")
	}
	_, rej := call(t, c, "myGroups")
	if rej.Get("name").String() != "LoginRequiredError" || !rej.Get("loginRequired").Bool() {
		t.Fatalf("myGroups without tokens rejected with %s", jsonString(rej))
	}
	_, rej = call(t, c, "myGroups", "active")
	if rej.Get("code").String() != "invalid_config" {
		t.Fatalf("myGroups with a non-array statuses rejected with %s", jsonString(rej))
	}
	// A stored document with a refresh token (written by another tab, say) counts.
	local.Call("setItem", "globus-edge:cid:DEFAULT", `{"data": {"DEFAULT": {"groups.api.globus.org": {"resource_server": "groups.api.globus.org",
		"scope": "s", "access_token": "AT", "refresh_token": "RT", "expires_at_seconds": 1}}}, "format_version": "2.0", "globus-sdk.version": "3.0.0"}`)
	if v, rej := call(t, c, "isLoggedIn"); !v.Truthy() {
		t.Fatalf("isLoggedIn with a stored refresh token = %v, %s", v, jsonString(rej))
	}
	local.Call("setItem", "globus-edge:cid:DEFAULT", "not json")
	if _, rej := call(t, c, "isLoggedIn"); rej.Get("code").String() != "storage_corrupt" {
		t.Fatalf("isLoggedIn over a corrupt document rejected with %s", jsonString(rej))
	}
	if local.Call("getItem", "globus-edge:cid:DEFAULT").String() != "not json" {
		t.Fatal("a corrupt document was overwritten")
	}
}

func TestMemoryStorageTouchesNoLocalStorage(t *testing.T) {
	local, _ := browserStorage(t)
	c := newTestClient(t, `{storage: "memory", `+unreachable+`}`)
	if c.Get("storageKey").String() != "" || !c.Get("storageKeys").IsNull() {
		t.Fatalf("memory storage has storage keys %q %s", c.Get("storageKey").String(), jsonString(c.Get("storageKeys")))
	}
	if _, rej := call(t, c, "logout"); !rej.IsUndefined() {
		t.Fatalf("logout with nothing stored rejected with %s", jsonString(rej))
	}
	if local.Get("length").Int() != 0 {
		t.Fatal("memory storage wrote to localStorage")
	}
}
