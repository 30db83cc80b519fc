//go:build !(js && wasm)

package doctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/tutorialuser"
	"github.com/globus-edge/globus-edge/tokens"
)

// TestGoProgram runs the README's "Use it from Go" program as its reader would: main.go in a
// module of its own that requires this one (through a replace directive, as the README says
// to do before the module is published), go vet, then go run against the fake Globus: the
// first run asks for the code (typed by tutorialuser) and prints the CLI's CSV, the second
// uses the token file without calling Auth.
func TestGoProgram(t *testing.T) {
	if reason, ok := Pending["go"]; ok {
		t.Skipf("PENDING doc app go: %s", reason)
	}
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	files, err := App(root, "go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, text := range files {
		write(t, filepath.Join(dir, name), text)
	}
	write(t, filepath.Join(dir, "go.mod"), fmt.Sprintf("module example.com/my-groups\n\ngo 1.26.0\n\n"+
		"require github.com/globus-edge/globus-edge v0.0.0\n\nreplace github.com/globus-edge/globus-edge => %s\n", root))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	home := t.TempDir()
	fake := globustest.NewT(t, globustest.Options{})
	goCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// Offline: every module is in the cache already (this repository's go.sum).
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off", "HOME="+home,
			"GOCACHE="+goEnv(t, "GOCACHE"), "GOMODCACHE="+goEnv(t, "GOMODCACHE"),
			"GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL())
		return cmd
	}
	for _, args := range [][]string{{"mod", "tidy"}, {"vet", "."}, {"build", "-o", "my-groups", "."}} {
		if out, err := goCmd(args...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	program := func() *exec.Cmd {
		cmd := goCmd()
		cmd.Path, cmd.Args = filepath.Join(dir, "my-groups"), []string{"my-groups"}
		return cmd
	}

	want, err := tutorialuser.ExpectedCSV(t.Context(), fake)
	if err != nil {
		t.Fatal(err)
	}
	var first strings.Builder
	if err := tutorialuser.Login(program(), tutorialuser.Approver(fake), &first); err != nil {
		t.Fatalf("first run: %v\n%s", err, first.String())
	}
	if !strings.HasSuffix(first.String(), want) {
		t.Fatalf("first run printed\n%s\nwant it to end with the CSV\n%s", first.String(), want)
	}
	raw, err := os.ReadFile(filepath.Join(home, ".list-my-globus-groups-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := tokens.DecodeDocument(raw); err != nil || doc.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken == "" {
		t.Fatalf("the token file is not a v2 document with a Groups refresh token: %v", err)
	}
	fake.ResetCounts()
	out, err := program().CombinedOutput()
	if err != nil || string(out) != want {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if n := fake.Count("POST /v2/oauth2/token"); n != 0 {
		t.Errorf("the second run made %d token calls, want 0 (the stored token)", n)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
