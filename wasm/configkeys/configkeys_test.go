package configkeys

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestTypeDeclarationsMatch: the option names of GlobusClientConfig in js/index.d.ts are
// exactly this package's list, so the types a JS app sees cannot drift from what Go reads.
func TestTypeDeclarationsMatch(t *testing.T) {
	b, err := os.ReadFile("../../js/index.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?s)export interface GlobusClientConfig \{(.*?)\n\}`).FindSubmatch(b)
	if body == nil {
		t.Fatal("js/index.d.ts has no GlobusClientConfig interface")
	}
	var declared []string
	for _, m := range regexp.MustCompile(`(?m)^\s*([A-Za-z]+)\??:`).FindAllSubmatch(body[1], -1) {
		declared = append(declared, string(m[1]))
	}
	if len(declared) < 3 {
		t.Fatalf("found only %q in GlobusClientConfig: the parser is broken", declared)
	}
	want := All()
	slices.Sort(declared)
	slices.Sort(want)
	if !slices.Equal(declared, want) {
		t.Errorf("js/index.d.ts GlobusClientConfig declares\n %s\nthe config keys are\n %s",
			strings.Join(declared, ", "), strings.Join(want, ", "))
	}
}

func TestUnknown(t *testing.T) {
	got := Unknown([]string{"clientId", "namespace", "wasmUrl", "clientID", "redirect_uri"})
	if !slices.Equal(got, []string{"clientID", "redirect_uri"}) {
		t.Errorf("Unknown = %q", got)
	}
}
