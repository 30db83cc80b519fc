package faultsuite

import (
	"maps"
	"testing"
)

// The results are read from -test.v output by the names the testing package writes.
func TestSubtestResults(t *testing.T) {
	out := `=== RUN   TestSuite
=== RUN   TestSuite/groups/5xx_burst_absorbed
    x_test.go:1: --- FAIL: TestSuite/not_a_result_line (quoted in a log)
=== RUN   TestSuite/refresh:_storage_full
    --- FAIL: TestSuite/groups/5xx_burst_absorbed (0.01s)
    --- PASS: TestSuite/refresh:_storage_full (0.00s)
--- FAIL: TestSuite (0.02s)
--- PASS: TestSuiteIsHonest (0.00s)
`
	got := subtestResults([]byte(out), "TestSuite")
	want := map[string]string{"groups/5xx_burst_absorbed": "FAIL", "refresh:_storage_full": "PASS"}
	if !maps.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if n := rewrite("refresh: storage\tfull\x01"); n != `refresh:_storage_full\x01` {
		t.Errorf("rewrite = %q", n)
	}
}
