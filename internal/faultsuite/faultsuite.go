// Package faultsuite is what every host's fault suite (and the load tests' long form) shares:
// whether the long form runs, and the counts each suite reports for the README's Reliability
// section.
package faultsuite

import (
	"flag"
	"os"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// long is registered in every test binary that imports this package, so
// `go test ./pkg -faults.long` works wherever a suite lives; GLOBUS_EDGE_FAULTS=long does the same
// for `go test ./...`, where the flag would be refused by packages without a suite.
var long = flag.Bool("faults.long", false, "run the fault and load suites' long form (also GLOBUS_EDGE_FAULTS=long)")

// Long reports whether the long form runs.
func Long() bool { return *long || os.Getenv("GLOBUS_EDGE_FAULTS") == "long" }

// Figures are a suite's counts.
type Figures struct {
	Tried, Failures int
	// Lost counts good tokens lost; Inherent, apart, the losses a case declares unavoidable
	// (Globus rotated the refresh token and its answer or its storing was lost).
	Lost, Inherent int
}

// Run runs one case as the subtest name and counts it: a failed subtest is a failure, and run
// says whether a good token was lost and whether that loss is inherent.
func (f *Figures) Run(t *testing.T, name string, run func(t *testing.T) (lost, inherent bool)) {
	t.Helper()
	f.Tried++
	var lost, inherent bool
	if !t.Run(name, func(t *testing.T) { lost, inherent = run(t) }) {
		f.Failures++
	}
	switch {
	case inherent:
		f.Inherent++
	case lost:
		f.Lost++
	}
}

// Log writes the suite's figures in the one line every suite prints.
func (f Figures) Log(t *testing.T, suite string) {
	t.Helper()
	t.Logf("%s: %d faults tried, %d failures, %d good tokens lost (%d inherent losses)", suite, f.Tried, f.Failures, f.Lost, f.Inherent)
}

// CheckCalls reports through errorf each counter of fake (globustest.Server.Count) that differs
// from want, or is below its bound in atLeast: what a case's fault must have made the client do
// (the attempts, the retries), proof that the fault fired.
func CheckCalls(errorf func(format string, args ...any), fake *globustest.Server, want, atLeast map[string]int) {
	for key, n := range want {
		if got := fake.Count(key); got != n {
			errorf("the fake counted %d %q, want %d (all: %v)", got, key, n, fake.Counts())
		}
	}
	for key, n := range atLeast {
		if got := fake.Count(key); got < n {
			errorf("the fake counted %d %q, want at least %d (all: %v)", got, key, n, fake.Counts())
		}
	}
}
