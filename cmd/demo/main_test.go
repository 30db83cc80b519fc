//go:build !(js && wasm)

package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
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

// TestServe checks the demo's second half: the page and the worker come up against the fake.
func TestServe(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	os.Chdir("../..") // build.sh and the worker script are found from the repository root
	defer os.Chdir("cmd/demo")
	page, worker, stop, err := serveHosts(fake)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, c := range []struct{ url, want string }{
		{page, "<title>"},
		{page + "config.json", fake.AuthURL()},
		{worker + "healthz", "ok"},
	} {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), c.want) {
			t.Fatalf("%s: %d %.200s", c.url, resp.StatusCode, body)
		}
	}
}
