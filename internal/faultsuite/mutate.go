package faultsuite

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// Case is one case of a suite's short form, for CheckMutated.
type Case struct {
	// Name is the case's subtest name as given to Figures.Run (spaces and all).
	Name string
	// Fake says the case's fault is injected into the fake Globus. Such a case must fail when
	// the fake's faults are switched off; a case whose fault is elsewhere (storage, an
	// encryption key, a token revoked at Globus) may pass.
	Fake bool
}

// CheckMutated runs the suite — suite is the name of a top-level test of the calling test
// binary — again in a subprocess, in its short form, with the fake's faults switched off
// (globustest.MutateEnv=nofaults: no fault applies and none is reported as unused), and checks
// that every case of cases ran, that every case whose fault is in the fake failed (on its own
// assertions: the unused-fault check is off), and that the suite ran no case missing from
// cases. A case that passes there proves nothing about its fault. Skipped where a test cannot
// start a process (js/wasm).
func CheckMutated(t *testing.T, suite string, cases []Case) {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no subprocesses here")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(suite)+"$", "-test.v", "-test.count=1", "-test.timeout=10m")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLOBUS_EDGE_FAULTS=") && !strings.HasPrefix(kv, globustest.MutateEnv+"=") {
			cmd.Env = append(cmd.Env, kv) // the short form, whatever this run's form
		}
	}
	cmd.Env = append(cmd.Env, globustest.MutateEnv+"=nofaults")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("running %s mutated: %v", suite, err)
	}
	results := subtestResults(out, suite)
	var passed []string
	for _, c := range cases {
		name := rewrite(c.Name)
		res, ok := results[name]
		delete(results, name)
		switch {
		case !ok:
			t.Errorf("case %q did not run in the mutated suite", c.Name)
		case res == "FAIL":
		case c.Fake:
			t.Errorf("case %q passed with the fake's faults switched off: it does not observe its fault", c.Name)
		default:
			passed = append(passed, c.Name)
		}
	}
	for name := range results {
		if !slices.ContainsFunc(cases, func(c Case) bool { return strings.HasPrefix(name, rewrite(c.Name)+"/") }) {
			t.Errorf("the mutated suite ran %q, which the case list lacks", name)
		}
	}
	t.Logf("%s with the fake's faults off: %d cases; passed (their fault is not in the fake): %q", suite, len(cases), passed)
	if t.Failed() {
		t.Logf("the mutated run's output:\n%s", out)
	}
}

// resultLine is a subtest's result line in -test.v output.
var resultLine = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (\S+) \(`)

// subtestResults maps each subtest of suite (its name below suite/, as the testing package
// wrote it) to PASS, FAIL or SKIP.
func subtestResults(out []byte, suite string) map[string]string {
	res := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		m := resultLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m != nil && strings.HasPrefix(m[2], suite+"/") {
			res[strings.TrimPrefix(m[2], suite+"/")] = m[1]
		}
	}
	return res
}

// rewrite is the testing package's rewriting of a subtest name: spaces become underscores,
// unprintable runes are quoted.
func rewrite(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == 0x85 || r == 0xA0 ||
			r == 0x1680 || r >= 0x2000 && r <= 0x200a || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000:
			b.WriteByte('_')
		case !strconv.IsPrint(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
