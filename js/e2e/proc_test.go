//go:build !(js && wasm)

package e2e

import (
	"os/exec"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/internal/childproc"
)

// logBuffer collects a child's output for failure messages and scans.
type logBuffer = childproc.Log

// startChild runs cmd (a Miniflare server), reads its first n stdout lines and stops it, with
// everything it started, when the test ends.
func startChild(t *testing.T, cmd *exec.Cmd, n int) *childproc.Child {
	t.Helper()
	c, err := childproc.Start(cmd, n, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}
