package csp

import "testing"

// TestHash: the value CSP Level 2 gives for an inline element holding "alert('Hello, world.');".
func TestHash(t *testing.T) {
	if got, want := Hash("alert('Hello, world.');"), "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"; got != want {
		t.Fatalf("Hash = %s, want %s", got, want)
	}
}
