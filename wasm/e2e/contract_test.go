//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/failtable"
)

// TestFailureTable runs the table of failures every host must describe alike
// (internal/failtable) in the page: the client's error (body[data-error-code], set from the
// "error" event) is the case's kind and never Globus's code, which is its globusCode; where the
// page shows the error box, it says "code <kind>" and "Globus code <code>".
func TestFailureTable(t *testing.T) {
	for _, c := range failtable.Cases {
		t.Run(c.Name, func(t *testing.T) {
			fake := globustest.NewT(t, globustest.Options{})
			var extra map[string]any
			if c.Timeout != 0 {
				extra = map[string]any{"httpTimeout": c.Timeout.Seconds()}
			}
			s := pageSite(t, fake, extra)
			p := openPage(t, s)
			switch c.Step {
			case failtable.Groups:
				p.loginRedirect()
				if c.Expire {
					fake.ExpireAccessTokens()
				}
				if c.Corrupt {
					eval[bool](p, fmt.Sprintf("localStorage.setItem(%q, %q), true", storageKey, failtable.CorruptDocument))
				}
				for _, f := range c.Faults {
					fake.Inject(f)
				}
				p.click("#reload-groups")
			case failtable.Redirect:
				state := p.startPausedLogin(fake).Query().Get("state")
				for _, f := range c.Faults {
					fake.Inject(f)
				}
				p.navigate(s.URL + "/?" + c.Answer(state).Encode())
			}
			p.waitUntil(fmt.Sprintf("document.body.dataset.errorCode === %q", c.Kind))
			if got := eval[string](p, "document.body.dataset.globusCode"); got != c.GlobusCode {
				t.Errorf("globusCode %q, want %q", got, c.GlobusCode)
			}
			if c.Kind == app.KindLoginRequired {
				p.waitState("logged-out") // told in words, in the logged-out view
				return
			}
			p.waitUntil(`!document.getElementById("error").hidden`)
			meta := p.text("#error-meta")
			want := "code " + string(c.Kind)
			if c.GlobusCode != "" {
				want += " · Globus code " + c.GlobusCode
			}
			if !strings.Contains(" · "+meta+" · ", " · "+want+" · ") {
				t.Errorf("error meta %q, want %q in it", meta, want)
			}
		})
	}
}
