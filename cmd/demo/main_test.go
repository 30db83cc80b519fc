//go:build !(js && wasm)

package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDemo runs the README's demo (without -serve): it fails if any of its three CLI runs fail.
func TestDemo(t *testing.T) {
	cli := filepath.Join(t.TempDir(), "globus-groups")
	if out, err := exec.Command("go", "build", "-o", cli, "../globus-groups").CombinedOutput(); err != nil {
		t.Fatalf("build: %s", out)
	}
	if err := run(cli, false); err != nil {
		t.Fatal(err)
	}
}
