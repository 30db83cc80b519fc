package globustest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// MutateEnv names the environment variable of a test-only mutation: with
// GLOBUSTEST_MUTATE=nofaults, a Server made by New or NewT never applies a
// fault (every request is handled normally) and reports none as unused, so a
// fault suite run so must fail on its own assertions. Nothing but a fault
// suite's meta test sets it.
const MutateEnv = "GLOBUSTEST_MUTATE"

// mutateNoFaults is MutateEnv's value that switches faults off.
const mutateNoFaults = "nofaults"

// Injected is a fault added by Inject: how many times it fired so far.
// Its methods are safe for concurrent use.
type Injected struct {
	s       *Server
	f       Fault  // Times is never 0 here
	at      string // file:line of the Inject call, for reports
	used    int    // guarded by s.mu
	cleared bool   // guarded by s.mu: removed by ClearFaults
}

// Fault is the fault as injected (Times 0 turned into 1).
func (in *Injected) Fault() Fault { return in.f }

// Used is how many requests the fault applied to.
func (in *Injected) Used() int {
	in.s.mu.Lock()
	defer in.s.mu.Unlock()
	return in.used
}

// Remaining is how many more matching requests the fault will apply to: 0
// once it is used up or cleared, -1 while a fault with a negative Times is
// pending.
func (in *Injected) Remaining() int {
	in.s.mu.Lock()
	defer in.s.mu.Unlock()
	switch {
	case in.cleared:
		return 0
	case in.f.Times < 0:
		return -1
	}
	return in.f.Times - in.used
}

// unused reports whether the fault was not used up: it fired fewer than
// Times times, or never for a negative Times. Optional faults never are.
// The caller holds s.mu.
func (in *Injected) unused() bool {
	if in.f.Optional {
		return false
	}
	if in.f.Times < 0 {
		return in.used == 0
	}
	return in.used < in.f.Times
}

// String names the fault and how often it fired, e.g.
// "GET /v2/groups/my_groups status 503 (injected at x_test.go:12): fired 1
// of 2 times".
func (in *Injected) String() string {
	in.s.mu.Lock()
	used := in.used
	in.s.mu.Unlock()
	times := fmt.Sprint(in.f.Times)
	if in.f.Times < 0 {
		times = "unlimited"
	}
	return fmt.Sprintf("%s (injected at %s): fired %d of %s times", in.f, in.at, used, times)
}

// String describes f in one line for test messages.
func (f Fault) String() string {
	m := f.Method
	if m == "" {
		m = "any method"
	}
	parts := []string{m, f.Path}
	add := func(cond bool, format string, args ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(f.Status != 0, "status %d", f.Status)
	add(f.RetryAfter != "", "Retry-After %s", f.RetryAfter)
	add(f.Delay > 0, "delay %v", f.Delay)
	add(f.Body != "", "a %d-byte body", len(f.Body))
	add(f.AfterHandling, "after handling")
	add(f.Drop, "drop")
	add(f.Truncate, "truncate")
	return strings.Join(parts, " ")
}

// Inject adds a fault and returns its handle. On a server made by NewT, a
// fault that is not used up (it fired fewer than Times times, or never for a
// negative Times) fails the test when ClearFaults removes it or, if still
// pending, at the test's cleanup; set Fault.Optional for one that may
// legitimately not be.
func (s *Server) Inject(f Fault) *Injected {
	if f.Times == 0 {
		f.Times = 1
	}
	in := &Injected{s: s, f: f}
	if _, file, line, ok := runtime.Caller(1); ok {
		in.at = fmt.Sprintf("%s:%d", filepath.Base(file), line)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, in)
	return in
}

// ClearFaults removes every pending fault and returns those that were not
// used up (fewer uses than Times, or none for a negative Times), optional
// ones aside. On a server made by NewT it also reports each of them to the
// test (t.Errorf), once: the cleanup does not report them again. Under the
// GLOBUSTEST_MUTATE=nofaults mutation it returns none.
func (s *Server) ClearFaults() []*Injected {
	s.mu.Lock()
	pending := s.faults
	s.faults = nil
	for _, in := range pending {
		in.cleared = true
	}
	s.mu.Unlock()
	return s.reportUnused(pending)
}

// reportUnused returns the unused faults of list and, on a NewT server,
// reports them to its test; under the mutation it returns none.
func (s *Server) reportUnused(list []*Injected) []*Injected {
	if s.mutate {
		return nil
	}
	var out []*Injected
	s.mu.Lock()
	for _, in := range list {
		if in.unused() {
			out = append(out, in)
		}
	}
	s.mu.Unlock()
	if s.t != nil {
		for _, in := range out {
			s.t.Errorf("globustest: an injected fault was not used up: %v", in)
		}
	}
	return out
}

// checkPendingFaults is NewT's cleanup check of the faults still pending.
func (s *Server) checkPendingFaults() {
	s.mu.Lock()
	pending := append([]*Injected(nil), s.faults...)
	s.mu.Unlock()
	s.reportUnused(pending)
}

// takeFault consumes one use of the first fault matching r.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	if s.mutate {
		return Fault{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, in := range s.faults {
		f := in.f
		if f.Path != r.URL.Path {
			continue
		}
		if f.Method == "" && r.Method == http.MethodOptions ||
			f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		in.used++
		if f.Times > 0 && in.used == f.Times {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// mutated reads MutateEnv once per server.
func mutated() bool { return os.Getenv(MutateEnv) == mutateNoFaults }

// unusedJSON is one unused fault in the answer of POST /_fake/clear-faults.
type unusedJSON struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	Times  int    `json:"times"`
	Used   int    `json:"used"`
	// Fault is the fault in words (Fault.String).
	Fault string `json:"fault"`
}

func toUnusedJSON(list []*Injected) []unusedJSON {
	out := []unusedJSON{}
	for _, in := range list {
		out = append(out, unusedJSON{Method: in.f.Method, Path: in.f.Path, Status: in.f.Status,
			Times: in.f.Times, Used: in.Used(), Fault: in.f.String()})
	}
	return out
}
