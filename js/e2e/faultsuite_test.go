//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/tokens"
)

// faultHost is where the package runs (Node, workerd) and where its storage is.
type faultHost interface {
	// open makes a client of namespace ns on fake and names it for call.
	open(fake *globustest.Server, ns string, o clientOpts) (string, error)
	// call runs op ("login", "groups", "heal": the storage works again, "close") on a client.
	call(op, client string) hostAnswer
	// doc is the stored token document of ns (nil when there is none); setDoc replaces it.
	doc(ns string) ([]byte, error)
	setDoc(ns string, b []byte) error
}

// hostAnswer is one answer of node-faults.mjs or faults-worker.js.
type hostAnswer struct {
	ID    int      `json:"id"`
	OK    bool     `json:"ok"`
	CSV   string   `json:"csv"`
	Error *jsError `json:"error"`
}

// jsError is what a runner reports of a rejection (describe in testdata/fault-ops.mjs).
type jsError struct {
	Name                 string `json:"name"`
	Message              string `json:"message"`
	Code                 string `json:"code"`
	GlobusCode           string `json:"globusCode"`
	HTTPStatus           int    `json:"httpStatus"`
	LoginRequired        bool   `json:"loginRequired"`
	IsGlobusError        bool   `json:"isGlobusError"`
	IsLoginRequiredError bool   `json:"isLoginRequiredError"`
}

func (e *jsError) String() string {
	if e == nil {
		return "no error"
	}
	return fmt.Sprintf("%s code %q status %d: %s", e.Name, e.Code, e.HTTPStatus, e.Message)
}

type clientOpts struct {
	timeout  float64 // config.httpTimeout; 0: the default
	failPut  string
	promises bool
}

// runFaultSuite runs every case of jsFaults (the slow ones in the long form; the long form
// three times) once per storage style, all at once, then reports each as a subtest and scans
// output() and every error message for the tokens the fakes issued.
func runFaultSuite(t *testing.T, h faultHost, styles []bool, output func() string) faultsuite.Figures {
	reps := 1
	if faultsuite.Long() {
		reps = 3 // the third with refresh-token rotation
	}
	type faultCase struct {
		jsFault
		promises, rotate bool
	}
	var cases []faultCase
	for _, f := range jsFaults {
		if f.slow && !faultsuite.Long() {
			continue
		}
		for rep := range reps {
			for _, p := range styles {
				cases = append(cases, faultCase{f, p, rep == 2})
			}
		}
	}
	runs := make([]*faultRun, len(cases))
	var wg sync.WaitGroup
	for i, f := range cases {
		runs[i] = &faultRun{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runFault(runs[i], h, f.jsFault, f.promises, f.rotate, fmt.Sprintf("case-%d", i))
		}()
	}
	wg.Wait()
	var fig faultsuite.Figures
	var issued []string
	for i, f := range cases {
		r := runs[i]
		name := caseName(f.name, styles, f.promises, f.rotate)
		fig.Run(t, name, func(t *testing.T) (bool, bool) { r.report(t); return r.lost, r.inherent })
		issued = append(issued, r.tokens...)
	}
	if len(issued) < 2*len(runs) {
		t.Errorf("the fakes issued %d tokens: too few to scan for", len(issued))
	}
	out := output()
	for _, r := range runs {
		out += strings.Join(r.messages, "\n")
	}
	for _, tok := range issued {
		if strings.Contains(out, tok) {
			t.Error("the runtime's output or an error message contains a token")
			break
		}
	}
	return fig
}

// faultRun records one case run off the test goroutine; report replays it in a subtest.
type faultRun struct {
	errs, logs []string
	lost       bool
	inherent   bool     // a loss rotation makes unavoidable (jsFault.rotated)
	tokens     []string // every token the case's fake issued
	messages   []string // every error message seen
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

func runFault(r *faultRun, h faultHost, f jsFault, promises, rotate bool, ns string) {
	inherent := ""
	if rotate && f.rotated != nil {
		f.kind, f.refused, f.code, f.status, inherent = f.rotated.kind, f.rotated.refused, "", 0, f.rotated.why
	}
	fake, err := globustest.New(globustest.Options{RotateRefreshTokens: rotate})
	if err != nil {
		r.fatalf("fake: %v", err)
	}
	defer fake.Close()
	defer func() { r.tokens = fake.IssuedTokens() }()
	var clients []string
	defer func() {
		for _, c := range clients {
			h.call("close", c)
		}
	}()
	open := func(o clientOpts) string {
		o.promises = promises
		c, err := h.open(fake, ns, o) // its own namespace: its own refresh lock in the module
		if err != nil {
			r.fatalf("open: %v", err)
		}
		clients = append(clients, c)
		return c
	}
	call := func(op, client string) hostAnswer {
		a := h.call(op, client)
		if a.Error != nil {
			r.messages = append(r.messages, a.Error.Message)
		}
		return a
	}
	doc := func() []byte {
		b, err := h.doc(ns)
		if err != nil {
			r.fatalf("reading storage: %v", err)
		}
		return b
	}
	login := func() string {
		c := open(clientOpts{})
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
	good := doc()
	if good == nil {
		r.fatalf("no token document stored by the login")
	}
	if f.refresh {
		fake.ExpireAccessTokens()
	}
	if f.setup != nil {
		if err := f.setup(fake, func(b []byte) error { return h.setDoc(ns, b) }); err != nil {
			r.fatalf("setup: %v", err)
		}
	}
	for _, fault := range f.faults {
		fake.Inject(fault)
	}
	before := doc()
	c := open(clientOpts{timeout: f.timeout, failPut: f.failPut})
	fake.ResetCounts()
	a := call("groups", c)
	faultsuite.CheckCalls(r.errorf, fake, f.calls, f.atLeast)
	for _, u := range fake.ClearFaults() { // a fake made by New: the case checks its faults
		r.errorf("an injected fault was not used up: %v", u)
	}
	r.logf("outcome: %v", a.Error)
	if f.kind == "" {
		if !a.OK || a.CSV != csv {
			r.errorf("the call failed (%v), want the retries to absorb the fault", a.Error)
		}
	} else {
		checkError(r, a, f)
	}

	if f.refused {
		if storedRefreshToken(r, doc(), ns) != "" {
			r.errorf("Globus refused the tokens but storage still holds them")
		}
		if a := call("groups", open(clientOpts{})); a.OK || a.Error.Code != string(app.KindLoginRequired) {
			r.errorf("the next call: %v, want login_required", a.Error)
		}
		if login() != csv {
			r.errorf("the groups after logging in again differ")
		}
		if inherent != "" {
			r.logf("inherent loss: %s", inherent)
			r.inherent = true
		}
		return
	}
	now := doc()
	if f.corrupt {
		if string(now) != corruptDoc {
			r.errorf("the corrupt document was changed")
		}
		if err := h.setDoc(ns, good); err != nil { // the good document is back
			r.fatalf("%v", err)
		}
	} else if f.kind != "" && string(now) != string(before) {
		r.errorf("the token document changed in a failed call")
	}
	if rt := storedRefreshToken(r, doc(), ns); inherent != "" && !fake.TokenActive(rt) {
		r.logf("inherent loss: %s", inherent)
		r.inherent = true
		return
	} else if rt == "" || !fake.TokenActive(rt) {
		r.errorf("good token lost: storage holds no refresh token Globus accepts")
		r.lost = true
		return
	}
	if a := call("groups", open(clientOpts{})); !a.OK || a.CSV != csv {
		r.errorf("the next call (a new client): %v", a.Error)
	}
	call("heal", c)
	if a := call("groups", c); f.timeout == 0 && (!a.OK || a.CSV != csv) { // a short timeout's client is left alone
		r.errorf("the next call of the same client: %v", a.Error)
	}
}

// checkError: a GlobusError (a LoginRequiredError exactly when login is required) with f's
// kind as its code, f's Globus code and status, and a message.
func checkError(r *faultRun, a hostAnswer, f jsFault) {
	e := a.Error
	if a.OK || e == nil {
		r.errorf("the call succeeded, want %s", f.kind)
		return
	}
	code := string(f.kind)
	if f.code != "" && e.GlobusCode != f.code {
		r.errorf("error %v: want globusCode %q, got %q", e, f.code, e.GlobusCode)
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

// storedRefreshToken is the Groups refresh token of namespace ns in the token document raw,
// or "" when there is no document or it holds none.
func storedRefreshToken(r *faultRun, raw []byte, ns string) string {
	if raw == nil {
		return ""
	}
	doc, err := tokens.DecodeDocument(raw)
	if err != nil {
		r.fatalf("the stored token document is not a v2 document: %v", err)
	}
	return doc.Data[ns]["groups.api.globus.org"].RefreshToken
}
