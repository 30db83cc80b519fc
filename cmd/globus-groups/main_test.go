//go:build !(js && wasm)

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "globus-groups-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "globus-groups")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building the CLI: " + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the built binary with HOME in a temp dir and the fake's URLs in the environment.
type cli struct {
	fake *globustest.Server
	home string
}

func newCLI(t *testing.T, opts globustest.Options) *cli {
	return &cli{fake: globustest.NewT(t, opts), home: t.TempDir()}
}

func (c *cli) tokenFile() string { return filepath.Join(c.home, ".list-my-globus-groups-tokens.json") }

func (c *cli) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"HOME=" + c.home, "PATH=" + os.Getenv("PATH"),
		"GLOBUS_SDK_SERVICE_URL_AUTH=" + c.fake.AuthURL() + "/", "GLOBUS_SDK_SERVICE_URL_GROUPS=" + c.fake.GroupsURL(),
		"GLOBUS_SDK_HTTP_TIMEOUT=10"}
	return cmd
}

// run runs the CLI without a terminal and returns stdout, stderr and the exit code.
func (c *cli) run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := c.cmd(args...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

var codeRE = regexp.MustCompile(`<code id="auth-code">([^<]+)</code>`)

// loginAsUser runs the first, interactive run as a person would: read the printed URL, open
// it (the fake approves and shows the auth-code page), copy the code, paste it at the prompt.
func (c *cli) loginAsUser(t *testing.T) string {
	t.Helper()
	cmd := c.cmd()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	var transcript strings.Builder
	for _, want := range []string{"Please go to this URL and login:\n", "\n"} {
		line, _ := r.ReadString('\n')
		transcript.WriteString(line)
		if line != want {
			t.Fatalf("line %q, want %q", line, want)
		}
	}
	url, _ := r.ReadString('\n')
	blank, _ := r.ReadString('\n')
	prompt := make([]byte, len("Please enter the code here: "))
	io.ReadFull(r, prompt)
	if blank != "\n" || string(prompt) != "Please enter the code here: " {
		t.Fatalf("prompt %q %q", blank, prompt)
	}
	resp, err := http.Get(strings.TrimSpace(url)) // the browser: approve, land on the auth-code page
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := codeRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no code on the auth-code page: %s", page)
	}
	io.WriteString(stdin, "  "+string(m[1])+"  \n") // pasted with stray spaces, as users do
	stdin.Close()
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("first run failed: %v: %s", err, errOut.String())
	}
	return string(rest)
}

func wantCSV(t *testing.T) string {
	t.Helper()
	raw, _ := json.Marshal(globustest.TestGroups())
	var all []groups.Group
	json.Unmarshal(raw, &all)
	var active []groups.Group
	for _, g := range all {
		if g.MyMemberships[0].Status == "active" {
			active = append(active, g)
		}
	}
	return groups.CSV(active)
}

func TestTutorialFlow(t *testing.T) {
	c := newCLI(t, globustest.Options{})
	csv := c.loginAsUser(t)
	if csv != wantCSV(t) {
		t.Fatalf("CSV\n%s\nwant\n%s", csv, wantCSV(t))
	}
	for _, name := range []string{`"Physics, Chemistry & Biology"`, `"The ""Quoted"" Group"`} {
		if !strings.Contains(csv, name) {
			t.Errorf("CSV lacks %s", name)
		}
	}
	st, err := os.Stat(c.tokenFile())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	file, _ := os.ReadFile(c.tokenFile())
	if !strings.HasPrefix(string(file), `{"data": {"DEFAULT": {"groups.api.globus.org": {"resource_server": "groups.api.globus.org", "scope": "`) {
		t.Fatalf("not the Python format: %s", file)
	}
	// Second run: no prompt, no Auth call, same CSV.
	c.fake.ResetCounts()
	out, errOut, code := c.run(t, "")
	if code != 0 || out != csv || strings.Contains(out, "Please") || c.fake.Count("POST /v2/oauth2/token") != 0 {
		t.Fatalf("second run: code %d out %q err %q counts %v", code, out, errOut, c.fake.Counts())
	}
	// Expired on the server: one refresh, written back; tokens never printed.
	c.fake.ExpireAccessTokens()
	out, errOut, code = c.run(t, "")
	if code != 0 || out != csv || c.fake.Count("grant:refresh_token") != 1 {
		t.Fatalf("refresh run: code %d err %q counts %v", code, errOut, c.fake.Counts())
	}
	after, _ := os.ReadFile(c.tokenFile())
	if bytes.Equal(after, file) {
		t.Fatal("refreshed tokens not written back")
	}
	for _, tok := range c.fake.IssuedTokens() {
		if strings.Contains(out+errOut, tok) {
			t.Fatal("a token was printed")
		}
	}
	// Logout revokes both tokens and removes the file.
	if _, errOut, code := c.run(t, "", "--logout"); code != 0 {
		t.Fatalf("logout: %s", errOut)
	}
	if _, err := os.Stat(c.tokenFile()); !os.IsNotExist(err) {
		t.Fatal("token file kept after logout")
	}
	if c.fake.Count("revoke") != 2 {
		t.Fatalf("revocations %d", c.fake.Count("revoke"))
	}
	for _, tok := range c.fake.IssuedTokens() {
		if c.fake.TokenActive(tok) {
			t.Fatal("a token is still active after logout")
		}
	}
}

func TestErrorsKeepTheTokenFile(t *testing.T) {
	c := newCLI(t, globustest.Options{})
	// A wrong code: one line on stderr, exit 1, no token file.
	out, errOut, code := c.run(t, "wrong-code\n")
	if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "invalid_grant") {
		t.Fatalf("wrong code: %d %q", code, errOut)
	}
	if !strings.Contains(out, "Please enter the code here: ") {
		t.Fatalf("no prompt: %q", out)
	}
	if _, err := os.Stat(c.tokenFile()); !os.IsNotExist(err) {
		t.Fatal("a failed login wrote a token file")
	}
	if _, errOut, code := c.run(t, ""); code != 1 || !strings.Contains(errOut, "no code entered") {
		t.Fatalf("empty input: %d %q", code, errOut)
	}
	c.loginAsUser(t)
	good, _ := os.ReadFile(c.tokenFile())
	// Globus down during a refresh: error, file untouched.
	c.fake.ExpireAccessTokens()
	c.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", Status: 503, Times: -1, RetryAfter: "0"})
	_, errOut, code = c.run(t, "")
	if code != 1 || !strings.Contains(errOut, "503") {
		t.Fatalf("503: %d %q", code, errOut)
	}
	if now, _ := os.ReadFile(c.tokenFile()); !bytes.Equal(now, good) {
		t.Fatal("token file changed by a failed refresh")
	}
	c.fake.ClearFaults()
	// A corrupt file is reported, not overwritten.
	os.WriteFile(c.tokenFile(), []byte("{not json"), 0o600)
	_, errOut, code = c.run(t, "")
	if code != 1 || !strings.Contains(errOut, "cannot be read") || !strings.Contains(errOut, c.tokenFile()) {
		t.Fatalf("corrupt: %d %q", code, errOut)
	}
	if now, _ := os.ReadFile(c.tokenFile()); string(now) != "{not json" {
		t.Fatal("corrupt token file was overwritten")
	}
}

func TestRevokedRefreshTokenAsksForLogin(t *testing.T) {
	c := newCLI(t, globustest.Options{})
	c.loginAsUser(t)
	for _, tok := range c.fake.IssuedTokens() {
		http.PostForm(c.fake.AuthURL()+"/v2/oauth2/token/revoke", map[string][]string{"token": {tok}, "client_id": {globustest.TutorialClientID}})
	}
	_, errOut, code := c.run(t, "")
	if code != 1 || !strings.Contains(errOut, "login required") || !strings.Contains(errOut, "run again to log in") {
		t.Fatalf("revoked: %d %q", code, errOut)
	}
	// The next run logs in again, as the tutorial does without a token file.
	if out := c.loginAsUser(t); !strings.HasPrefix(out, "ID,Name,Roles\n") {
		t.Fatalf("relogin output %q", out)
	}
}

// TestHelp: --help and -h print the usage on stdout and exit 0 without touching Globus or
// the token file; an unknown flag prints it on stderr and fails.
func TestHelp(t *testing.T) {
	c := newCLI(t, globustest.Options{})
	for _, arg := range []string{"--help", "-h"} {
		out, errOut, code := c.run(t, "", arg)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: globus-groups [flags]") || !strings.Contains(out, "-token-file") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", arg, code, out, errOut)
		}
	}
	out, errOut, code := c.run(t, "", "--no-such-flag")
	if code != 1 || out != "" || !strings.Contains(errOut, "Usage: globus-groups") || !strings.Contains(errOut, "no-such-flag") {
		t.Errorf("--no-such-flag: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := len(c.fake.Counts()); n != 0 {
		t.Errorf("the fake saw %d kinds of request", n)
	}
	if _, err := os.Stat(c.tokenFile()); !os.IsNotExist(err) {
		t.Errorf("a token file was written: %v", err)
	}
}
