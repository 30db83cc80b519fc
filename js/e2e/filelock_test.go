//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

// sharedFile runs the CLI (cmd/globus-groups, built here) and Node scripts (the installed
// package, testdata/refresh-together.mjs over createFileStorage) on one token file.
type sharedFile struct {
	fake      *globustest.Server
	cli, app  string // the CLI binary; the Node app's directory
	tokenFile string
}

func newSharedFile(t *testing.T, fake *globustest.Server) *sharedFile {
	t.Helper()
	s := &sharedFile{fake: fake, cli: filepath.Join(t.TempDir(), "globus-groups"), tokenFile: filepath.Join(t.TempDir(), "tokens.json")}
	build := exec.Command("go", "build", "-o", s.cli, "./cmd/globus-groups")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	s.app = newApp(t, "js/e2e/testdata/refresh-together.mjs")
	// Logged in as the CLI would be: the Python v2 document in the token file.
	a := app.New(config.Config{AuthURL: fake.AuthURL(), GroupsURL: fake.GroupsURL(), ClientID: globustest.TutorialClientID},
		http.DefaultClient.Do, tokens.NewFileStore(s.tokenFile), "")
	flow, err := a.StartLogin(auth.FlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := fake.Authorize(t.Context(), flow.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.FinishRedirect(t.Context(), flow, loc.Query()); err != nil {
		t.Fatal(err)
	}
	return s
}

// expire marks the stored access tokens expired, as time would.
func (s *sharedFile) expire(t *testing.T) {
	t.Helper()
	doc := readTokenFile(t, s.tokenFile)
	for rs, d := range doc.Data[tokens.DefaultNamespace] {
		d.ExpiresAtSeconds = 1
		doc.Data[tokens.DefaultNamespace][rs] = d
	}
	if err := os.WriteFile(s.tokenFile, doc.Encode(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// procRun is one process's result.
type procRun struct {
	host, out, errOut string
	err               error
}

// together starts one process per host ("cli" or "node") at once, once every Node script has
// made its client (loading the wasm takes a while; the CLI starts in milliseconds), and
// returns their results.
func (s *sharedFile) together(t *testing.T, hosts ...string) []procRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute) // a safety net
	defer cancel()
	cmds := make([]*exec.Cmd, len(hosts))
	outs, errs := make([]bytes.Buffer, len(hosts)), make([]bytes.Buffer, len(hosts))
	var gos []io.WriteCloser
	copied := make([]chan struct{}, len(hosts)) // a Node script's stderr read to its end
	for i, h := range hosts {
		switch h {
		case "cli":
			cmds[i] = exec.CommandContext(ctx, s.cli, "--token-file", s.tokenFile)
			cmds[i].Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "GLOBUS_SDK_HTTP_TIMEOUT=10",
				"GLOBUS_SDK_SERVICE_URL_AUTH=" + s.fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + s.fake.GroupsURL()}
			cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errs[i]
		case "node":
			cmds[i] = exec.CommandContext(ctx, "node", "refresh-together.mjs")
			cmds[i].Dir = s.app
			cmds[i].Stdout = &outs[i]
			cmds[i].Env = nodeEnv(t, "TOKEN_FILE="+s.tokenFile, "AUTH_URL="+s.fake.AuthURL(), "GROUPS_URL="+s.fake.GroupsURL())
			stdin, err := cmds[i].StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr, err := cmds[i].StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(stderr)
			if line, err := r.ReadString('\n'); line != "ready\n" {
				t.Fatalf("node: %q %v", line, err)
			}
			copied[i] = make(chan struct{})
			go func() { io.Copy(&errs[i], r); close(copied[i]) }()
			gos = append(gos, stdin)
		}
	}
	for _, w := range gos { // go
		io.WriteString(w, "go\n")
		w.Close()
	}
	for i, h := range hosts {
		if h == "cli" {
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	runs := make([]procRun, len(hosts))
	for i, c := range cmds {
		if copied[i] != nil {
			<-copied[i] // before Wait, which closes the pipe
		}
		err := c.Wait()
		runs[i] = procRun{host: hosts[i], out: outs[i].String(), errOut: errs[i].String(), err: err}
	}
	return runs
}

// TestSharedTokenFileRefreshesOnce: the CLI and Node scripts on the JS package's file storage,
// started together on one token file whose access token expired, refresh it once between them
// (the lock file "<file>.lock", tokens.RecordLock, taken by the CLI directly and by Node
// through the storage's compareAndSwap) and each prints the groups. The fake answers every
// refresh 300 ms late, so the processes always meet at the lock: without it each would
// refresh (and, Globus rotating refresh tokens, the later ones would need the first's result).
// Each pair runs several times to catch races.
func TestSharedTokenFileRefreshesOnce(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{RotateRefreshTokens: true})
	want := expectedCSV(t, fake)
	s := newSharedFile(t, fake)
	late := fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", Delay: 300 * time.Millisecond, Times: -1})
	for _, c := range []struct {
		name   string
		hosts  []string
		rounds int
	}{
		{"the CLI and a Node script", []string{"cli", "node"}, 5},
		{"two Node scripts", []string{"node", "node"}, 3},
		{"two CLIs", []string{"cli", "cli"}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			for round := range c.rounds {
				s.expire(t)
				fake.ResetCounts()
				for _, r := range s.together(t, c.hosts...) {
					if r.err != nil || r.out != want {
						t.Errorf("round %d: %s: %v, printed %q\n%s", round, r.host, r.err, r.out, r.errOut)
					}
					assertNoTokens(t, fake, r.host+"'s output", r.out+r.errOut)
				}
				if n := fake.Count("grant:refresh_token"); n != 1 {
					t.Errorf("round %d: %d refreshes, want 1", round, n)
				}
				if _, err := os.Lstat(s.tokenFile + ".lock"); !os.IsNotExist(err) {
					t.Errorf("round %d: the lock file is left behind: %v", round, err)
				}
			}
		})
	}
	if late.Used() == 0 {
		t.Error("no refresh was answered late")
	}
}

// TestSharedTokenFileLocks: a lock file a crashed holder left (its expiry passed) and the empty
// one an older CLI's flock left do not block the CLI or Node (the rule's timing is
// tokens.RecordLock's, tested with a clock that stands still), and Node refuses a lock file that
// is a symbolic link, naming it, as the CLI does (its fault suite: "lock file is a symlink").
func TestSharedTokenFileLocks(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	s := newSharedFile(t, fake)
	lock := s.tokenFile + ".lock"
	expired, _ := json.Marshal(map[string]any{"holder": "crashed", "until": time.Now().Add(-time.Minute).UnixMilli()})
	for _, c := range []struct{ name, lock string }{{"expired", string(expired)}, {"legacy empty", ""}} {
		for _, host := range []string{"cli", "node"} {
			t.Run(fmt.Sprintf("%s lock, %s", c.name, host), func(t *testing.T) {
				if err := os.WriteFile(lock, []byte(c.lock), 0o600); err != nil {
					t.Fatal(err)
				}
				s.expire(t)
				fake.ResetCounts()
				r := s.together(t, host)[0]
				if r.err != nil || r.out != want || fake.Count("grant:refresh_token") != 1 {
					t.Fatalf("%v, %d refreshes, printed %q\n%s", r.err, fake.Count("grant:refresh_token"), r.out, r.errOut)
				}
				if _, err := os.Lstat(lock); !os.IsNotExist(err) {
					t.Errorf("the lock file is left behind: %v", err)
				}
			})
		}
	}
	t.Run("symbolic link, node", func(t *testing.T) {
		target := filepath.Join(filepath.Dir(lock), "elsewhere")
		if err := os.Symlink(target, lock); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(lock)
		s.expire(t)
		before, _ := os.ReadFile(s.tokenFile)
		fake.ResetCounts()
		r := s.together(t, "node")[0]
		if r.err == nil || !strings.HasPrefix(r.errOut, "storage_error: ") || !strings.Contains(r.errOut, lock+" is a symbolic link; refusing to follow it") {
			t.Fatalf("%v, stderr %q: want storage_error naming the link", r.err, r.errOut)
		}
		if n := fake.Count("grant:refresh_token"); n != 0 {
			t.Errorf("%d refreshes without the lock", n)
		}
		if _, err := os.Lstat(target); !os.IsNotExist(err) {
			t.Errorf("the link's target was created: %v", err)
		}
		if now, _ := os.ReadFile(s.tokenFile); !bytes.Equal(now, before) {
			t.Error("the token file changed")
		}
	})
}
