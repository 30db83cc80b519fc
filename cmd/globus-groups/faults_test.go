//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/tokens"
)

const (
	tokenPath  = "/v2/oauth2/token"
	revokePath = "/v2/oauth2/token/revoke"
	groupsPath = "/v2/groups/my_groups"

	// The fake's counters the cases expect.
	groupsGets = "GET /v2/groups/my_groups"
	refreshes  = "grant:refresh_token"
	revokes    = "revoke"
)

// cliFault is one fault met by a logged-in user running the CLI.
type cliFault struct {
	name    string
	refresh bool // Globus expired the access token first: the run must refresh
	logout  bool // the run is globus-groups --logout
	faults  []globustest.Fault
	setup   func(t *testing.T, c *cli) // other preparation (the token file, its lock file)
	env     []string                   // added to the run's environment
	// fsize, when set, is the run's file size limit in bytes (prlimit): "0" fails every write,
	// "128" lets the lock file's value (about 50 bytes) through but not the token document.
	fsize   string
	kind    string // "" means the run succeeds; else the kind on stderr
	refused bool   // Globus refused the tokens: the next run must prompt
	// calls is what the fake must count during the run (globustest.Server.Count): it proves
	// the fault fired and the retries ran (the binary's waits cannot be observed; a case with
	// Retry-After checks the attempts).
	calls map[string]int
	slow  bool // long form only
}

var cliFaults = []cliFault{
	{name: "groups 503 burst absorbed", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: 2}}, calls: map[string]int{groupsGets: 3}},
	{name: "groups 503 until retries run out", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, kind: "globus_error", calls: map[string]int{groupsGets: 6}},
	{name: "groups 429 Retry-After absorbed", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "1"}}, calls: map[string]int{groupsGets: 2}},
	{name: "groups 429 until retries run out", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "0", Times: -1}}, kind: "globus_error", calls: map[string]int{groupsGets: 6}},
	{name: "groups malformed JSON", faults: []globustest.Fault{{Path: groupsPath, Body: `[{"id": `}}, kind: "globus_error", calls: map[string]int{groupsGets: 1}},
	{name: "groups truncated body absorbed", faults: []globustest.Fault{{Path: groupsPath, AfterHandling: true, Truncate: true}}, calls: map[string]int{groupsGets: 2}},
	{name: "groups one timeout absorbed", env: []string{"GLOBUS_SDK_HTTP_TIMEOUT=1"}, faults: []globustest.Fault{{Path: groupsPath, Delay: time.Minute}}, calls: map[string]int{groupsGets: 2}},
	{name: "refresh 503 burst absorbed", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: 2}}, calls: map[string]int{refreshes: 3, groupsGets: 2}},
	{name: "refresh 503 until retries run out", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, kind: "globus_error", calls: map[string]int{refreshes: 6}},
	{name: "refresh 429 until retries run out", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 429, RetryAfter: "0", Times: -1}}, kind: "globus_error", calls: map[string]int{refreshes: 6}},
	{name: "refresh malformed JSON", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Body: `{"access_token": `}}, kind: "globus_error", calls: map[string]int{refreshes: 1}},
	{name: "refresh oversized body", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Body: `"` + strings.Repeat("x", 4<<20) + `"`}}, kind: "globus_error", calls: map[string]int{refreshes: 1}},
	// The first grant is handled but its answer is dropped; the retry is a second grant.
	{name: "refresh answer lost after the grant", refresh: true, faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "refresh invalid_grant", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant"}`}}, kind: "login_required", refused: true, calls: map[string]int{refreshes: 1}},
	{name: "tokens revoked", refresh: true, setup: revokeAll, kind: "login_required", refused: true},
	{name: "refresh write fails", refresh: true, fsize: "128", kind: "storage_error", calls: map[string]int{refreshes: 1}},
	// A full disk: the lock cannot be taken, so nothing is refreshed that could not be stored.
	{name: "lock file write fails", refresh: true, fsize: "0", kind: "storage_error", calls: map[string]int{refreshes: 0}},
	{name: "lock file is a symlink", refresh: true, setup: symlinkLock, kind: "storage_error"},
	// Both tokens are revoked, each with its own retries; the file goes either way.
	{name: "logout revoke 503 burst absorbed", logout: true, faults: []globustest.Fault{{Path: revokePath, Status: 503, RetryAfter: "0", Times: 2}}, calls: map[string]int{revokes: 4}},
	{name: "logout revoke 503 until retries run out", logout: true, faults: []globustest.Fault{{Path: revokePath, Status: 503, RetryAfter: "0", Times: -1}}, kind: "globus_error", calls: map[string]int{revokes: 12}},
	{name: "refresh timeouts", refresh: true, slow: true, env: []string{"GLOBUS_SDK_HTTP_TIMEOUT=0.2"}, faults: []globustest.Fault{{Path: tokenPath, Delay: time.Minute, Times: -1}}, kind: "timeout"},
	{name: "groups dropped connections", slow: true, faults: []globustest.Fault{{Path: groupsPath, Drop: true, Times: -1}}, kind: "network_error", calls: map[string]int{groupsGets: 6}},
	{name: "refresh truncated bodies", refresh: true, slow: true, faults: []globustest.Fault{{Path: tokenPath, Status: 200, Body: `{"access_token": "x"}`, Truncate: true, Times: -1}}, kind: "network_error", calls: map[string]int{refreshes: 6}},
}

func revokeAll(t *testing.T, c *cli) {
	for _, tok := range c.fake.IssuedTokens() {
		c.revoke(t, tok)
	}
}

func symlinkLock(t *testing.T, c *cli) {
	if err := os.Symlink(filepath.Join(c.home, "elsewhere"), c.tokenFile()+".lock"); err != nil {
		t.Fatal(err)
	}
}

// TestCLIFaultSuite: each fault ends in one line on stderr naming its kind, exit status 1
// (or the groups, when retries absorb it), fired (the fake counted the calls it caused), and no
// good token is lost: the token file still holds a refresh token Globus accepts, mode 0600,
// and the next run works (after --logout, the file is gone whatever Globus said). Long form:
// go test ./cmd/globus-groups -run TestCLIFaultSuite -faults.long (or GLOBUS_EDGE_FAULTS=long).
func TestCLIFaultSuite(t *testing.T) {
	long := faultsuite.Long()
	reps := 1
	if long {
		reps = 3
	}
	var fig faultsuite.Figures
	for _, f := range cliFaults {
		if f.slow && !long {
			continue
		}
		for range reps {
			fig.Run(t, f.name, func(t *testing.T) (bool, bool) { return runCLIFault(t, f), false })
		}
	}
	fig.Log(t, "CLI fault suite")
}

// TestCLIFaultSuiteIsHonest runs TestCLIFaultSuite's short form with the fake's faults
// switched off: every case with faults in the fake must fail (the file, lock and revocation
// cases may pass).
func TestCLIFaultSuiteIsHonest(t *testing.T) {
	var cases []faultsuite.Case
	for _, f := range cliFaults {
		if !f.slow {
			cases = append(cases, faultsuite.Case{Name: f.name, Fake: len(f.faults) > 0})
		}
	}
	faultsuite.CheckMutated(t, "TestCLIFaultSuite", cases)
}

func runCLIFault(t *testing.T, f cliFault) (lost bool) {
	c := newCLI(t, globustest.Options{})
	csv := c.loginAsUser(t)
	if f.refresh {
		c.fake.ExpireAccessTokens()
	}
	if f.setup != nil {
		f.setup(t, c)
	}
	for _, fault := range f.faults {
		c.fake.Inject(fault)
	}
	before, _ := os.ReadFile(c.tokenFile())
	c.fake.ResetCounts()
	var args []string
	wantOut := csv
	if f.logout {
		args, wantOut = []string{"--logout"}, ""
	}
	out, errOut, code := c.runWith(t, f.env, f.fsize, args...)
	t.Logf("exit %d, stderr %s", code, errOut) // checked below to hold no token
	faultsuite.CheckCalls(t.Errorf, c.fake, f.calls, nil)
	c.fake.ClearFaults() // a fault of the fake that was not used up fails the case here
	os.Remove(c.tokenFile() + ".lock")
	switch {
	case f.kind == "" && (code != 0 || out != wantOut):
		t.Errorf("run failed: %d %q", code, errOut)
	case f.kind != "" && (code != 1 || !strings.HasPrefix(errOut, "globus-groups: "+f.kind+": ")):
		t.Errorf("exit %d, stderr %q; want 1 and the kind %s", code, errOut, f.kind)
	}
	if strings.Count(strings.TrimSuffix(errOut, "\n"), "\n") > 0 {
		t.Errorf("stderr is not one line: %q", errOut)
	}
	for _, tok := range c.fake.IssuedTokens() {
		if strings.Contains(out+errOut, tok) {
			t.Error("a token was printed")
		}
	}
	if f.logout {
		if _, err := os.Stat(c.tokenFile()); !os.IsNotExist(err) {
			t.Errorf("the token file is still there after the logout: %v", err)
		}
		return false
	}
	if f.refused {
		if rt := c.storedRefreshToken(t); rt != "" {
			t.Error("Globus refused the tokens but the file still holds them")
		}
		if out := c.loginAsUser(t); out != csv { // the next run prompts
			t.Errorf("relogin output %q", out)
		}
		return false
	}
	if f.kind != "" && f.kind != "timeout" && f.kind != "network_error" {
		if now, _ := os.ReadFile(c.tokenFile()); !bytes.Equal(now, before) {
			t.Error("the token file changed in a failed run")
		}
	}
	if rt := c.storedRefreshToken(t); rt == "" || !c.fake.TokenActive(rt) {
		t.Error("good token lost: the file holds no refresh token Globus accepts")
		return true
	}
	if st, err := os.Stat(c.tokenFile()); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v %v", st.Mode(), err)
	}
	if out, errOut, code := c.run(t, ""); code != 0 || out != csv {
		t.Errorf("the run after the fault: %d %q", code, errOut)
	}
	return false
}

// runWith runs the CLI with extra environment, optionally under a file size limit of fsize
// bytes (prlimit, util-linux): writes past it fail, like a full disk (chmod would not stop root).
func (c *cli) runWith(t *testing.T, env []string, fsize string, args ...string) (string, string, int) {
	t.Helper()
	cmd := c.cmd(args...)
	if fsize != "" {
		cmd = exec.Command("prlimit", append([]string{"--fsize=" + fsize, "--", binary}, args...)...)
		cmd.Env = c.cmd().Env
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(""), &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// storedRefreshToken is the Groups refresh token in the token file, or "".
func (c *cli) storedRefreshToken(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(c.tokenFile())
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatalf("token file unreadable: %v", err)
	}
	doc, err := tokens.DecodeDocument(b)
	if err != nil {
		t.Fatalf("token file unreadable: %v", err)
	}
	return doc.Data[tokens.DefaultNamespace][groups.ResourceServer].RefreshToken
}
