//go:build !(js && wasm)

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTypes checks the package's declarations with the pinned TypeScript (tsc --strict
// --noEmit), as an app installing the package sees them: testdata/types-usage.ts uses every
// exported type, and a misspelled option must be an error (so the check does check).
func TestTypes(t *testing.T) {
	app := newApp(t, "js/e2e/testdata/types-usage.ts")
	tsc := func(file string) (string, error) {
		cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "tsc"), "--strict", "--noEmit",
			"--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom",
			"--types", "", "--skipLibCheck", "false", file)
		cmd.Dir = app
		cmd.Env = nodeEnv(t)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if err := os.WriteFile(filepath.Join(app, "package.json"), []byte(`{"type": "module"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := tsc("types-usage.ts"); err != nil {
		t.Fatalf("tsc --strict: %v\n%s", err, out)
	}
	bad := `import { createGlobusClient } from "@globus-edge/client";
await createGlobusClient({ storag: "memory" });
`
	if err := os.WriteFile(filepath.Join(app, "bad.ts"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := tsc("bad.ts"); err == nil || !strings.Contains(out, "storag") {
		t.Errorf("tsc accepted a misspelled option: %v\n%s", err, out)
	}
}
