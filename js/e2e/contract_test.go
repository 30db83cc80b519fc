//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/failtable"
)

// TestNodeFailureTable runs the table of failures every host must describe alike
// (internal/failtable) against the package in Node, each client over the tutorial's token
// file: the rejection is a GlobusError whose code is the case's kind — never Globus's own code,
// which is its globusCode.
func TestNodeFailureTable(t *testing.T) {
	d := startNodeDriver(t) // testdata/node-faults.mjs; its storage's put never fails here (no failPut)
	dir := t.TempDir()
	for i, c := range failtable.Cases {
		t.Run(c.Name, func(t *testing.T) {
			fake := globustest.NewT(t, globustest.Options{})
			ns := fmt.Sprintf("case-%d", i)
			file := filepath.Join(dir, ns+".json")
			args := map[string]any{"client": ns, "file": file, "namespace": ns, "authUrl": fake.AuthURL(),
				"groupsUrl": fake.GroupsURL(), "redirectUri": fake.AuthCodePageURL()}
			if c.Timeout != 0 {
				args["httpTimeout"] = c.Timeout.Seconds()
			}
			if a := d.call("open", args); !a.OK {
				t.Fatalf("open: %v", a.Error)
			}
			defer d.call("close", map[string]any{"client": ns})
			var a hostAnswer
			switch c.Step {
			case failtable.Groups:
				if a := d.call("login", map[string]any{"client": ns}); !a.OK {
					t.Fatalf("login: %v", a.Error)
				}
				if c.Expire {
					fake.ExpireAccessTokens()
				}
				if c.Corrupt {
					if err := os.WriteFile(file, []byte(failtable.CorruptDocument), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				for _, f := range c.Faults {
					fake.Inject(f)
				}
				a = d.call("groups", map[string]any{"client": ns})
			case failtable.Redirect:
				for _, f := range c.Faults {
					fake.Inject(f)
				}
				a = d.call("redirect", map[string]any{"client": ns, "query": c.Answer("__STATE__").Encode()})
			}
			if e := a.Error; a.OK || e == nil {
				t.Errorf("the call succeeded; want a GlobusError with code %s", c.Kind)
			} else if !e.IsGlobusError || e.Code != string(c.Kind) || e.GlobusCode != c.GlobusCode {
				t.Errorf("%v (globusCode %q); want a GlobusError with code %s and globusCode %q", e, e.GlobusCode, c.Kind, c.GlobusCode)
			}
		})
	}
}
