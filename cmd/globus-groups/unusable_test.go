//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// A token file that exists but holds no usable Groups token leads to the login prompt, as no
// file does; before, each run said "run again to log in" and the next run said it again.
func TestUnusableTokenFilePromptsForLogin(t *testing.T) {
	const head = `{"data": {"DEFAULT": {`
	const tail = `}}, "format_version": "2.0", "globus-sdk.version": "4.9.0"}`
	other := `"transfer.api.globus.org": {"resource_server": "transfer.api.globus.org", "scope": "s", "access_token": "other-at", "refresh_token": "other-rt", "expires_at_seconds": 99999999999, "token_type": "Bearer"}`
	for _, tc := range []struct{ name, file, keep string }{
		{"zero-length file", "", ""},
		{"empty document", `{"data": {}, "format_version": "2.0", "globus-sdk.version": "4.9.0"}`, ""},
		{"empty namespace", head + tail, ""},
		{"only other resource servers", head + other + tail, "other-rt"},
		{"expired access token, no refresh token", head + `"groups.api.globus.org": {"resource_server": "groups.api.globus.org", "scope": "s", "access_token": "old-at", "expires_at_seconds": 1, "token_type": "Bearer"}` + tail, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, globustest.Options{})
			if err := os.WriteFile(c.tokenFile(), []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			out := c.loginAsUser(t) // fails unless the run prompts for the code
			if out != wantCSV(t) {
				t.Fatalf("after login: %q", out)
			}
			file, _ := os.ReadFile(c.tokenFile())
			if !strings.Contains(string(file), `"groups.api.globus.org": {`) || !strings.Contains(string(file), tc.keep) {
				t.Fatalf("token file after login lacks the Groups token or lost other tokens")
			}
			// And the run after that uses the stored tokens without prompting.
			if out, errOut, code := c.run(t, ""); code != 0 || strings.Contains(out, "Please") {
				t.Fatalf("next run: %d %q", code, errOut)
			}
		})
	}
}

// An access token without a refresh token that Globus has revoked can never be used again:
// the run says to log in (and clears it), and the next run prompts instead of failing with
// the same 401 until the token's expiry (up to two days).
func TestRevokedAccessOnlyTokenPromptsNextRun(t *testing.T) {
	c := newCLI(t, globustest.Options{})
	c.loginAsUser(t)
	var doc map[string]any
	b, _ := os.ReadFile(c.tokenFile())
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	tok := doc["data"].(map[string]any)["DEFAULT"].(map[string]any)["groups.api.globus.org"].(map[string]any)
	delete(tok, "refresh_token")
	b, _ = json.Marshal(doc)
	if err := os.WriteFile(c.tokenFile(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	c.revoke(t, tok["access_token"].(string))
	_, errOut, code := c.run(t, "")
	if code != 1 || !strings.HasPrefix(errOut, "globus-groups: login_required: ") {
		t.Fatalf("run with a revoked access-only token: %d %q", code, errOut)
	}
	if out := c.loginAsUser(t); out != wantCSV(t) {
		t.Fatalf("the next run: %q", out)
	}
}

// revoke revokes a token at the fake, as the user could on the Globus web site.
func (c *cli) revoke(t *testing.T, tok string) {
	t.Helper()
	resp, err := http.PostForm(c.fake.AuthURL()+"/v2/oauth2/token/revoke", map[string][]string{"token": {tok}, "client_id": {globustest.TutorialClientID}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
