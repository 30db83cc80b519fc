//go:build !(js && wasm)

// Package e2e runs the npm package @globus-edge/client (built by ./build.sh js, packed and
// installed from the tarball as js/README.md says) in the three runtimes it serves, against the
// fake Globus (globustest) on loopback: Node (the tutorial example and the checks), workerd
// through Miniflare (the JS-written Worker example and the checks, each bundled by wrangler as
// a user's worker would be) and headless Chromium (the checks bundled with esbuild). The checks
// themselves are one module, testdata/checks.mjs, so every runtime is held to the same
// behaviour. The snippets of js/README.md run here too (docs_test.go, through internal/doctest).
package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/tutorialuser"
)

var (
	// root is the repository root.
	root string
	// pkgDir is the package as npm installed it from the packed tarball of a temporary build.
	pkgDir string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	var err error
	if root, err = filepath.Abs("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dist, err := os.MkdirTemp("", "globus-edge-js-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dist)
	// The same steps as `./build.sh js`, into a temporary directory; GLOBUS_* settings of
	// the caller are dropped so the build is the same anywhere.
	cmd := exec.Command("bash", filepath.Join(root, "build.sh"), "js")
	cmd.Dir = root
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLOBUS_") && !strings.HasPrefix(kv, "DIST=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "./build.sh js: %v\n%s", err, out)
		return 1
	}
	// Then as js/README.md says: npm pack, and npm install of the tarball in a folder outside
	// the repository. Every test's app gets this installed copy.
	if pkgDir, err = packAndInstall(filepath.Join(dist, "js"), dist); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// newApp makes a scratch app directory with the package as npm installed it from the tarball
// (node_modules/@globus-edge/client) and copies files (paths relative to the repository root)
// into it.
func newApp(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	dst := filepath.Join(dir, "node_modules", "@globus-edge", "client")
	err := filepath.WalkDir(pkgDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(pkgDir, path)
		copyFile(t, path, filepath.Join(dst, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		copyFile(t, filepath.Join(root, f), filepath.Join(dir, filepath.Base(f)))
	}
	return dir
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("copying: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// nodeEnv is the environment for Node tools: this process's minus GLOBUS_* settings, plus
// offline switches for wrangler, a private TMPDIR and XDG_CONFIG_HOME, and extra.
func nodeEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLOBUS_") {
			env = append(env, kv)
		}
	}
	tmp := t.TempDir()
	env = append(env, "TMPDIR="+tmp, "XDG_CONFIG_HOME="+filepath.Join(tmp, "xdg"),
		"WRANGLER_SEND_METRICS=false", "WRANGLER_SEND_ERROR_REPORTS=false",
		"CLOUDFLARE_CF_FETCH_ENABLED=false", "WRANGLER_HIDE_BANNER=true", "NO_COLOR=1")
	return append(env, extra...)
}

// expectedCSV is the CLI's CSV of the fake's groups: what every runtime must print byte for
// byte (tutorialuser.ExpectedCSV).
func expectedCSV(t *testing.T, fake *globustest.Server) string {
	t.Helper()
	csv, err := tutorialuser.ExpectedCSV(context.Background(), fake)
	if err != nil {
		t.Fatal(err)
	}
	return csv
}

// issuedTokens is every token string the fake issued, for scanning outputs.
func issuedTokens(t *testing.T, fake *globustest.Server) []string {
	t.Helper()
	return fake.IssuedTokens()
}

// assertNoTokens fails if text contains any token the fake issued.
func assertNoTokens(t *testing.T, fake *globustest.Server, what, text string) {
	t.Helper()
	toks := issuedTokens(t, fake)
	if len(toks) == 0 {
		t.Fatal("the fake issued no tokens: nothing to scan for")
	}
	for _, tok := range toks {
		if tok != "" && strings.Contains(text, tok) {
			t.Errorf("%s contains a token", what)
			return
		}
	}
}

// checkResult is one entry of testdata/checks.mjs's results.
type checkResult struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// assertChecks fails for every failed check, and if any expected check did not run.
func assertChecks(t *testing.T, runtime string, raw []byte, minChecks int) {
	t.Helper()
	var rs []checkResult
	if err := json.Unmarshal(raw, &rs); err != nil {
		t.Fatalf("%s: the checks' results do not parse: %v\n%s", runtime, err, raw)
	}
	if len(rs) < minChecks {
		t.Errorf("%s: %d checks ran, want at least %d", runtime, len(rs), minChecks)
	}
	for _, r := range rs {
		if !r.OK {
			t.Errorf("%s: %s: %s", runtime, r.Name, r.Detail)
		} else {
			t.Logf("%s: ok: %s %s", runtime, r.Name, r.Detail)
		}
	}
}

// splitCSV parses the CLI's CSV.
func splitCSV(t *testing.T, s string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("the CLI's CSV does not parse: %v", err)
	}
	return recs
}
