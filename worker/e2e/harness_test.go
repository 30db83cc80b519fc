//go:build !(js && wasm)

// Package e2e runs the built Cloudflare Worker (build/, from `./build.sh worker`) in workerd,
// through worker/testdata/serve.mjs (Miniflare) and `npx wrangler`, against the fake Globus on
// loopback. The exhaustive rules are tested natively in package worker/service; these tests cover what
// needs the real runtime: fetch, KV, cookies and the Go start-up inside workerd.
package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/childproc"
	"github.com/globus-edge/globus-edge/internal/siteclient"
)

// settings are the worker's vars and secrets; the environment of the test itself never leaks in.
var settings = []string{
	"GLOBUS_SDK_ENVIRONMENT", "GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS",
	"GLOBUS_SDK_HTTP_TIMEOUT", "GLOBUS_CLIENT_ID", "GLOBUS_REDIRECT_URI", "GLOBUS_CLIENT_SECRET",
	"TOKEN_ENCRYPTION_KEY", "GLOBUS_EDGE_SESSION_MAX_AGE",
}

// builds runs each `./build.sh worker` variant once per test binary.
var builds sync.Map // "" or "-test" → *buildResult

type buildResult struct {
	once sync.Once
	err  error
}

// root is the repository root.
func root(t testing.TB) string {
	t.Helper()
	r, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// buildWorker runs `./build.sh worker [flag]` once per test binary and returns the build
// directory: build/, or build-test/ for "-test" (worker/testworker: the test-only routes).
// With Go's build cache it is a cheap check when the directory is current.
func buildWorker(t testing.TB, flag string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(flag, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		args := []string{"build.sh", "worker"}
		if flag != "" {
			args = append(args, flag)
		}
		cmd := exec.Command("bash", args...)
		cmd.Dir = root(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("./build.sh worker %s: %v\n%s", flag, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	if flag == "-test" {
		return filepath.Join(root(t), "build-test")
	}
	return filepath.Join(root(t), "build")
}

// newKey returns a fresh TOKEN_ENCRYPTION_KEY.
func newKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// childEnv is the environment for Node tools: this process's, minus the worker settings,
// plus offline switches, a private TMPDIR and XDG_CONFIG_HOME, and extra.
func childEnv(t testing.TB, extra map[string]string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, s := range settings {
			keep = keep && name != s
		}
		if keep {
			env = append(env, kv)
		}
	}
	tmp := t.TempDir()
	env = append(env, "TMPDIR="+tmp, "XDG_CONFIG_HOME="+filepath.Join(tmp, "xdg"),
		"WRANGLER_SEND_METRICS=false", "WRANGLER_SEND_ERROR_REPORTS=false",
		"CLOUDFLARE_CF_FETCH_ENABLED=false", "WRANGLER_HIDE_BANNER=true", "NO_COLOR=1")
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// logBuffer collects a child's output for failure messages and secret scans.
type logBuffer = childproc.Log

// worker is the built worker running in workerd under serve.mjs.
type worker struct {
	// URL is the worker's origin, http://127.0.0.1:PORT (its first KV location's).
	URL   string
	kvURL string
	out   *logBuffer
	// at is the origin of the worker in each KV location, "a" (URL) first.
	at map[string]string
}

// startWorker runs serve.mjs with the production build and the worker settings in vars; it
// is stopped (stdin closed, then signals) when the test ends.
func startWorker(t *testing.T, vars map[string]string) *worker {
	t.Helper()
	return startBuild(t, buildWorker(t, ""), vars)
}

// startTestWorker is startWorker with the test-only routes (build-test/).
func startTestWorker(t *testing.T, vars map[string]string) *worker {
	t.Helper()
	return startBuild(t, buildWorker(t, "-test"), vars)
}

// crossRequest is what workerd logs when a promise of one request is settled during another:
// the failure a pool of single-request Go instances exists to prevent (worker/entry.mjs).
const crossRequest = "different request context"

// startBuild runs serve.mjs on the build in dir with vars; places, when given, are its KV
// locations ("a" first) and the further serve.mjs flags.
func startBuild(t *testing.T, dir string, vars map[string]string, places ...string) *worker {
	t.Helper()
	args := []string{"worker/testdata/serve.mjs", "--build", dir}
	locations := []string{"a"}
	if len(places) > 0 {
		locations = strings.Split(places[0], ",")
		args = append(append(args, "--locations", places[0]), places[1:]...)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = root(t)
	cmd.Env = childEnv(t, vars)
	c, err := childproc.Start(cmd, 1+len(locations), 90*time.Second)
	if err != nil {
		t.Fatalf("serve.mjs (Node 20 and the npm packages are required): %v", err)
	}
	w := &worker{URL: c.Lines[0], kvURL: strings.TrimPrefix(c.Lines[1], "kv "), out: c.Out, at: map[string]string{"a": c.Lines[0]}}
	for i, loc := range locations[1:] {
		w.at[loc] = strings.TrimPrefix(c.Lines[2+i], "at "+loc+" ")
	}
	t.Cleanup(func() {
		c.Stop()
		if strings.Contains(w.out.String(), crossRequest) {
			t.Errorf("workerd logged %q:\n%s", crossRequest, w.out)
		}
	})
	if !strings.HasPrefix(w.URL, "http://127.0.0.1:") || !strings.HasPrefix(w.kvURL, "http://127.0.0.1:") {
		t.Fatalf("serve.mjs printed %q and %q", w.URL, w.kvURL)
	}
	return w
}

// stop ends a child: closing stdin first (serve.mjs exits on it), then SIGTERM to its process
// group, then SIGKILL, waiting generously at each step.
func stop(t testing.TB, cmd *exec.Cmd, stdin io.Closer, exited <-chan struct{}, name string) {
	if stdin != nil {
		stdin.Close()
	}
	for _, sig := range []syscall.Signal{0, syscall.SIGTERM, syscall.SIGKILL} {
		if sig != 0 {
			signalGroup(cmd, sig)
		}
		select {
		case <-exited:
			return
		case <-time.After(20 * time.Second):
			t.Logf("%s still running, sending the next signal", name)
		}
	}
}

// signalGroup signals the child's process group when it has its own, else the child.
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
		syscall.Kill(-cmd.Process.Pid, sig)
		return
	}
	cmd.Process.Signal(sig)
}

// waitLog waits for text in the worker's output: workerd writes a request's console lines
// shortly after its response.
func (w *worker) waitLog(t testing.TB, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(w.out.String(), text); {
		if time.Now().After(deadline) {
			t.Errorf("%q not in the worker's output within 10 s:\n%s", text, w.out)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kv returns every key and value of the worker's TOKENS namespace.
func (w *worker) kv(t testing.TB) map[string]string {
	t.Helper()
	r, err := http.Get(w.kvURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var m map[string]string
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		t.Fatalf("KV dump: %v", err)
	}
	return m
}

// client is a browser (internal/siteclient) that fails the test on transport errors.
type client struct {
	t testing.TB
	*siteclient.Client
}

func newClient(t testing.TB, base string) *client {
	return &client{t: t, Client: &siteclient.Client{Base: base}}
}

type response struct {
	*http.Response
	body string
}

// loggedIn returns a browser that has logged in to the worker at base (the fake approves).
func loggedIn(t testing.TB, base string, fake *globustest.Server) *client {
	t.Helper()
	c := newClient(t, base)
	if err := c.Login(context.Background(), fake); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

func (c *client) do(method, target string, header http.Header) *response {
	c.t.Helper()
	r, err := c.Client.Do(method, target, header)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{Response: r.Response, body: r.Body}
}

func (c *client) get(target string) *response { return c.do(http.MethodGet, target, nil) }
