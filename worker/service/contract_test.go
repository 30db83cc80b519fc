package service_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/internal/failtable"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// TestFailureTable runs the table of failures every host must describe alike
// (internal/failtable) against the service: the JSON error names the case's kind, the status
// is the kind's (app.Kind.Status) and globus_code is Globus's own code. The same table runs
// against the CLI, the page and the JS package.
func TestFailureTable(t *testing.T) {
	for _, c := range failtable.Cases {
		t.Run(c.Name, func(t *testing.T) {
			h := newHarness(t, options{})
			if c.Timeout != 0 {
				g := config.Config{Environment: "test", AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), Timeout: c.Timeout, ClientID: testClientID}
				hd, err := service.New(service.Config{Globus: g, Keys: h.keys}, http.DefaultClient.Do, h.kv)
				if err != nil {
					t.Fatal(err)
				}
				h.swap(hd)
			}
			b := h.browser()
			var r *resp
			switch c.Step {
			case failtable.Groups:
				sid := b.login()
				if c.Expire {
					h.fake.ExpireAccessTokens()
				}
				if c.Corrupt {
					// Sealed under the session's key like any record, so it is the document, not the seal, that is torn.
					sealed := h.keys.Seal([]byte(failtable.CorruptDocument), []byte(kvstore.SessionKey(sid)))
					h.kv.Put(context.Background(), kvstore.SessionKey(sid), string(sealed), 0)
				}
				for _, f := range c.Faults {
					h.fake.Inject(f)
				}
				r = b.get("/groups")
			case failtable.Redirect:
				state := b.startLogin("/login").Query().Get("state")
				for _, f := range c.Faults {
					h.fake.Inject(f)
				}
				r = b.get("/callback?" + c.Answer(state).Encode())
			}
			e := errorBody(t, r, c.Kind.Status(), string(c.Kind))
			if e.GlobusCode != c.GlobusCode {
				t.Errorf("globus_code %q, want %q", e.GlobusCode, c.GlobusCode)
			}
		})
	}
}
