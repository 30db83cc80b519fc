//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

// TestNodeFaultSuite runs @globus-edge/client in Node over the tutorial's token file
// (node-file-storage.js, behind a storage whose put can throw), against the fake Globus: each
// fault at the Groups call or at the refresh ends in a GlobusError whose code is the expected
// app.Kind (or Globus's own code for its answers), and no good token is lost: the file still
// holds a refresh token Globus accepts and the next call works — unless Globus refused the
// tokens, and then they are gone and the error is a LoginRequiredError. No token appears in
// any error message or in the script's output. Every case runs twice: over the file's
// synchronous methods and over the same methods returning Promises (as a KV binding's do).
// The cases run at once in one Node process
// (each with its own fake, file and namespace), so the retries' real backoff sleeps overlap;
// each is then reported as a subtest. Long form: -faults.long or GLOBUS_EDGE_FAULTS=long.
func TestNodeFaultSuite(t *testing.T) {
	reps := 1
	if longForm() {
		reps = 3
	}
	d := startNodeDriver(t)
	dir := t.TempDir()
	type nodeCase struct {
		nodeFault
		promises bool
	}
	var cases []nodeCase
	for _, f := range nodeFaults {
		if f.slow && !longForm() {
			continue
		}
		for range reps {
			cases = append(cases, nodeCase{f, false}, nodeCase{f, true})
		}
	}
	runs := make([]*faultRun, len(cases))
	var wg sync.WaitGroup
	for i, f := range cases {
		runs[i] = &faultRun{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runNodeFault(runs[i], d, f.nodeFault, f.promises, filepath.Join(dir, fmt.Sprintf("case-%d", i)))
		}()
	}
	wg.Wait()
	tried, failures, lost := 0, 0, 0
	for i, f := range cases {
		tried++
		r := runs[i]
		name := map[bool]string{false: "sync/", true: "promises/"}[f.promises] + f.name
		if !t.Run(name, func(t *testing.T) { r.report(t) }) {
			failures++
		}
		if r.lost {
			lost++
		}
	}
	var issued []string
	for _, r := range runs {
		issued = append(issued, r.tokens...)
	}
	output := d.out.String() + d.errOut.String()
	if len(issued) < 2*len(runs) {
		t.Errorf("the fakes issued %d tokens: too few to scan for", len(issued))
	}
	for _, tok := range issued {
		if strings.Contains(output, tok) {
			t.Error("the script's output (error messages included) contains a token")
			break
		}
	}
	t.Logf("Node fault suite: %d faults tried, %d failures, %d good tokens lost", tried, failures, lost)
}

// faultRun records one case run off the test goroutine; report replays it in a subtest.
type faultRun struct {
	errs, logs []string
	lost       bool
	tokens     []string // every token the case's fake issued
}

func (r *faultRun) errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *faultRun) logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// fatalf records and ends the case (runNodeFault's goroutine).
func (r *faultRun) fatalf(format string, args ...any) {
	r.errorf(format, args...)
	runtime.Goexit()
}

func (r *faultRun) report(t *testing.T) {
	for _, l := range r.logs {
		t.Log(l)
	}
	for _, e := range r.errs {
		t.Error(e)
	}
}

func runNodeFault(r *faultRun, d *nodeDriver, f nodeFault, promises bool, base string) {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		r.fatalf("fake: %v", err)
	}
	defer fake.Close()
	defer func() { r.tokens = fake.IssuedTokens() }()
	ns := filepath.Base(base) // its own namespace: its own refresh lock in the module
	file := base + ".json"
	n := 0
	open := func(timeout float64, failPut string) string {
		n++
		id := fmt.Sprintf("%s/%d", ns, n)
		args := map[string]any{"client": id, "file": file, "namespace": ns, "authUrl": fake.AuthURL(), "groupsUrl": fake.GroupsURL(),
			"failPut": failPut, "promises": promises}
		if timeout > 0 {
			args["httpTimeout"] = timeout
		}
		if a := d.call("open", args); !a.OK {
			r.fatalf("open: %v", a.Error)
		}
		return id
	}
	call := func(op, client string) nodeAnswer { return d.call(op, map[string]any{"client": client}) }
	defer func() {
		for i := 1; i <= n; i++ {
			call("close", fmt.Sprintf("%s/%d", ns, i))
		}
	}()
	login := func() string {
		c := open(0, "")
		if a := call("login", c); !a.OK {
			r.fatalf("login: %v", a.Error)
		}
		a := call("groups", c)
		if !a.OK || a.CSV == "" {
			r.fatalf("groups after login: %v", a.Error)
		}
		return a.CSV
	}
	csv := login()
	good, err := os.ReadFile(file)
	if err != nil {
		r.fatalf("no token file after login: %v", err)
	}
	if f.refresh {
		fake.ExpireAccessTokens()
	}
	if f.setup != nil {
		if err := f.setup(fake, file); err != nil {
			r.fatalf("setup: %v", err)
		}
	}
	for _, fault := range f.faults {
		fake.Inject(fault)
	}
	before, _ := os.ReadFile(file)
	c := open(f.timeout, f.failPut)
	a := call("groups", c)
	fake.ClearFaults()
	r.logf("outcome: %v", a.Error)
	if f.kind == "" {
		if !a.OK || a.CSV != csv {
			r.errorf("the call failed (%v), want the retries to absorb the fault", a.Error)
		}
	} else {
		checkError(r, a, f)
	}

	if f.refused {
		if storedRefreshToken(r, file, ns) != "" {
			r.errorf("Globus refused the tokens but the file still holds them")
		}
		if a := call("groups", open(0, "")); a.OK || a.Error.Code != string(app.KindLoginRequired) {
			r.errorf("the next call: %v, want login_required", a.Error)
		}
		if login() != csv {
			r.errorf("the groups after logging in again differ")
		}
		return
	}
	now, _ := os.ReadFile(file)
	if f.corrupt {
		if string(now) != corruptDoc {
			r.errorf("the corrupt document was changed")
		}
		if err := os.WriteFile(file, good, 0o600); err != nil { // the good document is back
			r.fatalf("%v", err)
		}
	} else if f.kind != "" && string(now) != string(before) {
		r.errorf("the token file changed in a failed call")
	}
	if rt := storedRefreshToken(r, file, ns); rt == "" || !fake.TokenActive(rt) {
		r.errorf("good token lost: the file holds no refresh token Globus accepts")
		r.lost = true
		return
	}
	if a := call("groups", open(0, "")); !a.OK || a.CSV != csv {
		r.errorf("the next call (a new client): %v", a.Error)
	}
	call("heal", c)
	if a := call("groups", c); f.timeout == 0 && (!a.OK || a.CSV != csv) { // a short timeout's client is left alone
		r.errorf("the next call of the same client: %v", a.Error)
	}
}

// checkError: a GlobusError (a LoginRequiredError exactly when login is required) with f's
// code and status and a message.
func checkError(r *faultRun, a nodeAnswer, f nodeFault) {
	e := a.Error
	if a.OK || e == nil {
		r.errorf("the call succeeded, want %s", f.kind)
		return
	}
	code := f.code
	if code == "" {
		code = string(f.kind)
	}
	lr := f.kind == app.KindLoginRequired
	wantName := map[bool]string{true: "LoginRequiredError", false: "GlobusError"}[lr]
	if !e.IsGlobusError || e.Name != wantName || e.IsLoginRequiredError != lr || e.LoginRequired != lr {
		r.errorf("error %v: want a %s (loginRequired %v)", e, wantName, lr)
	}
	if e.Code != code || (f.status != 0 && e.HTTPStatus != f.status) || strings.TrimSpace(e.Message) == "" {
		r.errorf("error %v: want code %q, status %d, a message", e, code, f.status)
	}
	if f.kind == app.KindStorage && !strings.Contains(e.Message, "no space left on device") {
		r.errorf("error %v: the storage's own message is lost", e)
	}
}

// storedRefreshToken is the Groups refresh token of namespace ns in the token file, or "" when
// the file is gone or holds none.
func storedRefreshToken(r *faultRun, file, ns string) string {
	raw, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		r.fatalf("%v", err)
	}
	doc, err := tokens.DecodeDocument(raw)
	if err != nil {
		r.fatalf("the token file is not a v2 document: %v", err)
	}
	return doc.Data[ns]["groups.api.globus.org"].RefreshToken
}
