//go:build !(js && wasm)

package e2e

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestWranglerDev runs the README's `npx wrangler dev` (offline: metrics, error reports and
// the cf fetch off) and asks /healthz. wrangler runs `./build.sh worker` itself ([build]).
func TestWranglerDev(t *testing.T) {
	buildWorker(t, "")
	port := freePort(t)
	persist := t.TempDir()
	cmd := exec.Command("npx", "wrangler", "dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--inspector-port", "0", "--persist-to", persist, "--show-interactive-dev-session=false",
		"--var", "GLOBUS_CLIENT_ID:"+clientID, "--var", "TOKEN_ENCRYPTION_KEY:"+newKey())
	cmd.Dir = root(t)
	cmd.Env = childEnv(t, nil)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // npx → node → workerd: stop them all
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		signalGroup(cmd, syscall.SIGINT) // wrangler cleans up workerd on SIGINT
		stop(t, cmd, nil, exited, "wrangler dev")
	})

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	deadline := time.Now().Add(120 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("wrangler dev exited:\n%s", out)
		default:
		}
		r, err := http.Get(url)
		if err == nil {
			body := make([]byte, 16)
			n, _ := r.Body.Read(body)
			r.Body.Close()
			if r.StatusCode != 200 || strings.TrimSpace(string(body[:n])) != "ok" {
				t.Fatalf("wrangler dev /healthz = %d %q\n%s", r.StatusCode, body[:n], out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("wrangler dev did not serve %s within 120 s:\n%s", url, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
	r, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/groups")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrangler dev /groups without a session = %d, want 401 (KV binding and secrets wired)", r.StatusCode)
	}
}

// TestWranglerDeployDryRun bundles the worker as `wrangler deploy` would, without uploading.
func TestWranglerDeployDryRun(t *testing.T) {
	buildWorker(t, "")
	outdir := t.TempDir()
	cmd := exec.Command("npx", "wrangler", "deploy", "--dry-run", "--outdir", outdir)
	cmd.Dir = root(t)
	cmd.Env = childEnv(t, nil)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wrangler deploy --dry-run: %v\n%s", err, out)
	}
	for _, want := range []string{"env.TOKENS", "--dry-run: exiting now."} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	wasm, _ := filepath.Glob(filepath.Join(outdir, "*.wasm"))
	if len(wasm) != 1 {
		t.Fatalf("dry run bundle has %d .wasm files, want 1", len(wasm))
	}
	if st, err := os.Stat(wasm[0]); err != nil || st.Size() < 1<<20 {
		t.Errorf("bundled wasm %v: %v", st, err)
	}
}
