//go:build !(js && wasm)

// Package e2e drives the built web page (dist/web) and an app embedding the npm package in
// headless Chromium, against the fake Globus (globustest) on other loopback origins, so
// CORS and the page's CSP are real. TestMain builds the page once per test binary with
// ./build.sh web into a temporary directory, so `go test ./...` needs no earlier build.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var (
	// root is the repository root.
	root string
	// dist holds the build: dist/web (the page) and dist/js (the npm package).
	dist string
	// buildLog is ./build.sh web's output (it reports the wasm's sizes).
	buildLog string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = filepath.Abs("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if dist, err = os.MkdirTemp("", "globus-edge-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dist)
	if err := buildWeb(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// buildWeb runs the same steps as `./build.sh web` (it runs build.sh itself). The CSP's
// connect-src allows every loopback port, because the fake Globus listens on new ports in
// every test. GLOBUS_* variables of the caller are dropped so the build is the same anywhere.
func buildWeb() error {
	cmd := exec.Command("bash", filepath.Join(root, "build.sh"), "web")
	cmd.Dir = root
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLOBUS_") && !strings.HasPrefix(kv, "DIST=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "DIST="+dist, "GLOBUS_EDGE_CONNECT_SRC=http://127.0.0.1:*")
	out, err := cmd.CombinedOutput()
	buildLog = string(out)
	if err != nil {
		return fmt.Errorf("./build.sh web: %v\n%s", err, out)
	}
	return nil
}

// webDir is the built page.
func webDir() string { return filepath.Join(dist, "web") }

// artifactDir is where tests leave files worth looking at: $TEST_ARTIFACTS, else a
// temporary directory of the test.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}
