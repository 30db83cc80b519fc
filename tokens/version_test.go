package tokens

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestVersionIsThePackages: Version is the npm package's version (one release number for
// the token files, the wasm and the package), and the README's example of the token files'
// "globus-sdk.version" is this one.
func TestVersionIsThePackages(t *testing.T) {
	raw, err := os.ReadFile("../js/package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatalf("js/package.json: %v", err)
	}
	if pkg.Version != Version {
		t.Errorf("js/package.json says version %q, tokens.Version is %q: change both", pkg.Version, Version)
	}
	if SDKVersion != "globus-edge-"+Version {
		t.Errorf("SDKVersion %q does not carry Version %q", SDKVersion, Version)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "`"+SDKVersion+"`") {
		t.Errorf("README.md does not show the token files' version %s", SDKVersion)
	}
}
