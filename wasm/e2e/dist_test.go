//go:build !(js && wasm)

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDistWebNamesOnlyItsFiles: every file a module of dist/web names beside itself (imports
// and new URL("./…", import.meta.url), such as the browser entry's default wasm) is in
// dist/web. The entry is the package's index.js, whose default is globus-edge.wasm; the page
// holds the wasm under its hashed name only, so the build rewrites that default.
func TestDistWebNamesOnlyItsFiles(t *testing.T) {
	refRE := regexp.MustCompile(`(?:new URL\(|from |import )"\./([^"]+)"`)
	mods, err := filepath.Glob(filepath.Join(webDir(), "*.js"))
	if err != nil || len(mods) == 0 {
		t.Fatalf("no modules in dist/web: %v", err)
	}
	wasmDefault := false
	for _, m := range mods {
		src, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range refRE.FindAllSubmatch(src, -1) {
			name := string(ref[1])
			if _, err := os.Stat(filepath.Join(webDir(), name)); err != nil {
				t.Errorf("%s names ./%s, which dist/web does not hold", filepath.Base(m), name)
			}
			if filepath.Base(m) == "globus-edge.js" && regexp.MustCompile(`^globus-edge\.[0-9a-f]{12}\.wasm$`).MatchString(name) {
				wasmDefault = true
			}
		}
	}
	if !wasmDefault {
		t.Error("dist/web/globus-edge.js does not default to the page's hashed wasm")
	}
}
