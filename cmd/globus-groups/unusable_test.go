//go:build !(js && wasm)

package main

import (
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
