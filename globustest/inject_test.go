package globustest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// recordingTB is the part of testing.TB that NewT uses, recorded: its errors and its cleanups,
// which the test runs when it likes. Any other method panics (the embedded TB is nil).
type recordingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Helper()          {}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (r *recordingTB) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
}

// A NewT server fails its test at cleanup for every fault not used up: one that never fired,
// one that fired fewer times than Times, and one with Times -1 that never fired. Used-up,
// unlimited-and-fired and optional faults are not reported.
func TestNewTReportsUnusedFaultsAtCleanup(t *testing.T) {
	tb := &recordingTB{}
	s := NewT(tb, Options{})
	never := s.Inject(Fault{Path: "/v2/oauth2/token/revoke", Status: 503})
	s.Inject(Fault{Method: "POST", Path: "/v2/oauth2/token", Status: 502, Times: -1})
	half := s.Inject(Fault{Path: "/v2/groups/my_groups", Status: 503, Times: 2})
	s.Inject(Fault{Path: "/v2/oauth2/userinfo", Status: 500, Times: -1})
	s.Inject(Fault{Path: "/jwk.json", Status: 500, Optional: true})
	if r := groups(t, s, "x", ""); r.status != 503 {
		t.Fatalf("the burst did not fire: %d", r.status)
	}
	req, _ := http.NewRequest(http.MethodGet, s.AuthURL()+"/v2/oauth2/userinfo", nil)
	do(t, req)
	do(t, req)
	if half.Used() != 1 || half.Remaining() != 1 || never.Used() != 0 || never.Remaining() != 1 {
		t.Errorf("handles: burst used %d remaining %d; never used %d remaining %d",
			half.Used(), half.Remaining(), never.Used(), never.Remaining())
	}
	if len(tb.errors) != 0 {
		t.Fatalf("reported before the cleanup: %q", tb.errors)
	}
	tb.cleanup()
	want := []string{
		`any method /v2/oauth2/token/revoke status 503 \(injected at inject_test.go:\d+\): fired 0 of 1 times$`,
		`POST /v2/oauth2/token status 502 \(injected at inject_test.go:\d+\): fired 0 of unlimited times$`,
		`any method /v2/groups/my_groups status 503 \(injected at inject_test.go:\d+\): fired 1 of 2 times$`,
	}
	if len(tb.errors) != len(want) {
		t.Fatalf("reported %q, want the three unused faults", tb.errors)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(tb.errors[i]) {
			t.Errorf("report %d: %q, want it to match %q", i, tb.errors[i], w)
		}
	}
}

// ClearFaults returns the unused faults and, on a NewT server, reports them once: the cleanup
// does not report them again, nor faults used up.
func TestClearFaultsReportsUnusedOnce(t *testing.T) {
	tb := &recordingTB{}
	s := NewT(tb, Options{})
	used := s.Inject(Fault{Path: "/v2/groups/my_groups", Status: 500})
	unused := s.Inject(Fault{Path: "/v2/groups/my_groups", Status: 502, Times: -1, Method: "PUT"})
	groups(t, s, "x", "")
	got := s.ClearFaults()
	if len(got) != 1 || got[0] != unused || used.Used() != 1 || unused.Remaining() != 0 {
		t.Fatalf("ClearFaults = %v, want only the unused fault (used %d)", got, used.Used())
	}
	if len(tb.errors) != 1 || !strings.Contains(tb.errors[0], "PUT /v2/groups/my_groups status 502") {
		t.Fatalf("reports %q, want the unused fault", tb.errors)
	}
	if r := groups(t, s, "x", ""); r.status != http.StatusUnauthorized {
		t.Errorf("a cleared fault applied: %d", r.status)
	}
	tb.cleanup()
	if len(tb.errors) != 1 {
		t.Errorf("reported again at cleanup: %q", tb.errors)
	}

	// Without a test (New), ClearFaults only returns them.
	n, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	n.Inject(Fault{Path: "/v2/oauth2/token", Status: 500, Times: 3})
	if got := n.ClearFaults(); len(got) != 1 || got[0].Used() != 0 {
		t.Errorf("New server's ClearFaults = %v", got)
	}
}

// POST /_fake/clear-faults answers the unused faults, so drivers that are not Go can check
// that theirs fired.
func TestClearFaultsOverHTTP(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := s.AuthURL() + "/_fake/"
	postJSON(t, c+"faults", `{"method":"GET","path":"/v2/groups/my_groups","status":503,"times":2}`)
	postJSON(t, c+"faults", `{"path":"/v2/oauth2/token","status":500,"optional":true}`)
	groups(t, s, "x", "")
	r := postJSON(t, c+"clear-faults", "")
	var body struct {
		OK     bool `json:"ok"`
		Unused []struct {
			Method, Path, Fault string
			Status, Times, Used int
		} `json:"unused"`
	}
	if err := json.Unmarshal(r.raw, &body); err != nil || !body.OK || len(body.Unused) != 1 {
		t.Fatalf("clear-faults: %d %s", r.status, r.raw)
	}
	u := body.Unused[0]
	if u.Method != "GET" || u.Path != "/v2/groups/my_groups" || u.Status != 503 || u.Times != 2 || u.Used != 1 || u.Fault == "" {
		t.Errorf("unused fault %+v", u)
	}
	if r := postJSON(t, c+"clear-faults", ""); !strings.Contains(string(r.raw), `"unused":[]`) {
		t.Errorf("nothing pending: %s", r.raw)
	}
}

// Under GLOBUSTEST_MUTATE=nofaults no fault applies and none is reported as unused: a fault
// suite run so has only its own assertions to fail on.
func TestMutationSwitchesFaultsOff(t *testing.T) {
	t.Setenv(MutateEnv, "nofaults")
	tb := &recordingTB{}
	s := NewT(tb, Options{})
	in := s.Inject(Fault{Path: "/v2/groups/my_groups", Status: 503, Times: -1})
	if r := groups(t, s, "x", ""); r.status != http.StatusUnauthorized || in.Used() != 0 {
		t.Errorf("a fault applied under the mutation: %d, used %d", r.status, in.Used())
	}
	s.Inject(Fault{Path: "/v2/oauth2/token", Status: 500})
	if got := s.ClearFaults(); len(got) != 0 {
		t.Errorf("ClearFaults under the mutation = %v", got)
	}
	s.Inject(Fault{Path: "/v2/oauth2/token", Status: 500})
	tb.cleanup()
	if len(tb.errors) != 0 {
		t.Errorf("reported under the mutation: %q", tb.errors)
	}
}
