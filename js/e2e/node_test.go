//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/tutorialuser"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// TestNodeTutorial runs js/example-node/list-my-groups.mjs as its user would: the first run
// asks for the code (played by tutorialuser) and prints the CLI's CSV, the second uses the
// token file without calling Auth, the third refreshes an expired token once, --logout
// revokes and removes the file. The file is the Python SDK's v2 document throughout.
func TestNodeTutorial(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	app := newApp(t, "js/example-node/list-my-groups.mjs")
	tokenFile := filepath.Join(t.TempDir(), "tokens.json")
	script := func(args ...string) *exec.Cmd {
		cmd := exec.Command("node", append([]string{"list-my-groups.mjs"}, args...)...)
		cmd.Dir = app
		cmd.Env = nodeEnv(t, "GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL(),
			"GLOBUS_TOKEN_FILE="+tokenFile)
		return cmd
	}
	var first strings.Builder
	if err := tutorialuser.Login(script(), tutorialuser.Approver(fake), &first); err != nil {
		t.Fatalf("first run: %v\n%s", err, first.String())
	}
	if !strings.HasSuffix(first.String(), want) {
		t.Fatalf("first run printed\n%s\nwant it to end with the CLI's CSV\n%s", first.String(), want)
	}
	doc := readTokenFile(t, tokenFile)
	if doc.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken == "" {
		t.Fatal("the token file has no refresh token in namespace DEFAULT")
	}
	if fi, _ := os.Stat(tokenFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}

	fake.ResetCounts()
	out, err := script().CombinedOutput()
	if err != nil || string(out) != want {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if n := fake.Count("POST /v2/oauth2/token"); n != 0 {
		t.Errorf("second run made %d token calls, want 0", n)
	}

	// Expire the stored access token, as time would.
	for rs, d := range doc.Data[tokens.DefaultNamespace] {
		d.ExpiresAtSeconds = 1
		doc.Data[tokens.DefaultNamespace][rs] = d
	}
	if err := os.WriteFile(tokenFile, doc.Encode(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = script().CombinedOutput()
	if err != nil || string(out) != want {
		t.Fatalf("third run: %v\n%s", err, out)
	}
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("third run refreshed %d times, want 1", n)
	}
	if d := readTokenFile(t, tokenFile).Data[tokens.DefaultNamespace]["groups.api.globus.org"]; d.ExpiresAtSeconds <= 1 {
		t.Error("the refreshed token was not written back")
	}
	assertNoTokens(t, fake, "the script's output", first.String()+string(out))

	out, err = script("--logout").CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Fatalf("--logout: %v\n%s", err, out)
	}
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Errorf("the token file survived --logout: %v", err)
	}
	if n := fake.Count("POST /v2/oauth2/token/revoke"); n < 2 {
		t.Errorf("--logout revoked %d tokens, want access and refresh", n)
	}
}

func readTokenFile(t *testing.T, path string) *tokens.Document {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := tokens.DecodeDocument(raw)
	if err != nil {
		t.Fatalf("the token file is not a v2 document: %v", err)
	}
	return doc
}

// TestNodeChecks runs testdata/checks.mjs in Node.
func TestNodeChecks(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	want := expectedCSV(t, fake)
	fake.RegisterClient(globustest.Client{ID: "js-checks", RedirectURIs: []string{fake.AuthCodePageURL()}})
	app := newApp(t, "js/e2e/testdata/checks.mjs", "js/e2e/testdata/node-checks.mjs")
	csvFile := filepath.Join(app, "expected.csv")
	if err := os.WriteFile(csvFile, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "node-checks.mjs")
	cmd.Dir = app
	cmd.Env = nodeEnv(t, "AUTH_URL="+fake.AuthURL(), "GROUPS_URL="+fake.GroupsURL(), "CLIENT_ID=js-checks", "EXPECTED_CSV_FILE="+csvFile)
	var stderr logBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node-checks.mjs: %v\n%s", err, stderr.String())
	}
	assertChecks(t, "node", out, 14)
	assertNoTokens(t, fake, "Node's output", string(out)+stderr.String())
}

// TestNodeFileStorage: a client whose client id is not the tutorial's, over
// createFileStorage(path) given nothing but the path, keeps its token document in path itself
// (the keys come from Go when the client is made, StorageObject.bind; the file storage computes
// none), and the same storage refuses a second client with another client id, naming both.
func TestNodeFileStorage(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	const clientID = "node-file-client"
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{fake.AuthCodePageURL()}})
	app := newApp(t, "js/e2e/testdata/file-storage.mjs", "js/e2e/testdata/fault-ops.mjs")
	tokenFile := filepath.Join(t.TempDir(), "tokens.json")
	cmd := exec.Command("node", "file-storage.mjs")
	cmd.Dir = app
	cmd.Env = nodeEnv(t, "CLIENT_ID="+clientID, "AUTH_URL="+fake.AuthURL(), "GROUPS_URL="+fake.GroupsURL(), "TOKEN_FILE="+tokenFile)
	var stderr logBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("file-storage.mjs: %v\n%s", err, stderr.String())
	}
	var got struct {
		CSV, StorageKey string
		Refused         *struct{ Code, Message string }
	}
	if err := json.Unmarshal(out, &got); err != nil || !strings.HasPrefix(got.CSV, "ID,Name,Roles\n") {
		t.Fatalf("output %s (%v)", out, err)
	}
	doc := readTokenFile(t, tokenFile)
	if doc.Data[tokens.DefaultNamespace]["groups.api.globus.org"].RefreshToken == "" {
		t.Fatal("the token file holds no Groups refresh token")
	}
	if side, err := os.ReadFile(tokenFile + ".pending.json"); err == nil && strings.Contains(string(side), "groups.api.globus.org") {
		t.Errorf("the token document went to the sidecar: %s", side)
	}
	if want := kvstore.SessionKey("globus-edge:" + clientID + ":DEFAULT"); got.StorageKey != want {
		t.Errorf("storageKey %q, want %q", got.StorageKey, want)
	}
	if r := got.Refused; r == nil || r.Code != "invalid_config" || !strings.Contains(r.Message, `clientId "`+clientID+`"`) ||
		!strings.Contains(r.Message, `clientId "someone-else"`) {
		t.Errorf("a second client on the same file: refused %+v, want invalid_config naming both client ids", r)
	}
	assertNoTokens(t, fake, "the script's output", string(out)+stderr.String())
}
