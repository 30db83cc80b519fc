//go:build !(js && wasm)

package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/failtable"
)

// TestFailureTable runs the table of failures every host must describe alike
// (internal/failtable) against the real binary: its one stderr line is
// "globus-groups: <kind>: ..." with the case's kind, exit status 1. The CLI has no redirect
// (the code is pasted), so the redirect cases are the other hosts'.
func TestFailureTable(t *testing.T) {
	for _, c := range failtable.Cases {
		if c.Step != failtable.Groups {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			cl := newCLI(t, globustest.Options{})
			cl.loginAsUser(t)
			if c.Expire {
				cl.fake.ExpireAccessTokens()
			}
			if c.Corrupt {
				if err := os.WriteFile(cl.tokenFile(), []byte(failtable.CorruptDocument), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range c.Faults {
				cl.fake.Inject(f)
			}
			cmd := cl.cmd()
			if c.Timeout != 0 {
				cmd.Env = append(cmd.Env, fmt.Sprintf("GLOBUS_SDK_HTTP_TIMEOUT=%g", c.Timeout.Seconds()))
			}
			var out, errOut bytes.Buffer
			cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(""), &out, &errOut
			err := cmd.Run()
			want := "globus-groups: " + string(c.Kind) + ": "
			if err == nil || cmd.ProcessState.ExitCode() != 1 || !strings.HasPrefix(errOut.String(), want) || strings.Count(errOut.String(), "\n") != 1 {
				t.Errorf("exit %v, stderr %q; want status 1 and one line starting %q", err, errOut.String(), want)
			}
		})
	}
}
