//go:build !(js && wasm)

package e2e

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tarball is the file npm pack made of the built package (set by packAndInstall).
var tarball string

// npm runs npm in dir, offline (the tarball has no dependencies), and returns its output.
func npm(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("npm", append(args, "--offline", "--no-audit", "--no-fund", "--loglevel=error")...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLOBUS_") && !strings.HasPrefix(kv, "npm_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd.CombinedOutput()
}

// packAndInstall packs pkg (`npm pack ./dist/js`) into tmp and installs the tarball in a new
// project in tmp (`npm install ./globus-edge-client-<version>.tgz`), as js/README.md says, and
// returns the installed package's directory.
func packAndInstall(pkg, tmp string) (string, error) {
	out, err := npm(tmp, "pack", pkg)
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %v\n%s", pkg, err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 || !strings.HasSuffix(lines[len(lines)-1], ".tgz") {
		return "", fmt.Errorf("npm pack printed no tarball name:\n%s", out)
	}
	tarball = filepath.Join(tmp, lines[len(lines)-1])
	project := filepath.Join(tmp, "project")
	if err := os.MkdirAll(project, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(project, "package.json"), []byte(`{"name": "my-project", "private": true, "type": "module"}`), 0o644); err != nil {
		return "", err
	}
	if out, err := npm(project, "install", tarball); err != nil {
		return "", fmt.Errorf("npm install %s: %v\n%s", tarball, err, out)
	}
	return filepath.Join(project, "node_modules", "@globus-edge", "client"), nil
}

// TestTarball: the packed tarball holds what package.json lists (the wasm, wasm_exec.js and
// LICENSE included) and nothing of the source tree besides; installed outside the repository,
// Node imports it and starts Go from it.
func TestTarball(t *testing.T) {
	if !strings.HasPrefix(filepath.Base(tarball), "globus-edge-client-") {
		t.Fatalf("tarball %s", tarball)
	}
	var pkg struct {
		Name    string   `json:"name"`
		Version string   `json:"version"`
		Files   []string `json:"files"`
	}
	raw, err := os.ReadFile(filepath.Join(root, "js", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "js", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "globus-edge-client-" + pkg.Version + ".tgz"; filepath.Base(tarball) != want || !strings.Contains(string(readme), want) {
		t.Errorf("npm pack made %s; js/README.md must name it (version %s)", filepath.Base(tarball), pkg.Version)
	}
	got := tarNames(t, tarball)
	want := append([]string{"package.json"}, pkg.Files...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the tarball holds\n %v\nwant package.json and the files it lists\n %v", got, want)
	}
	for _, f := range []string{"globus-edge.wasm", "wasm_exec.js", "LICENSE"} {
		if !slices.Contains(got, f) {
			t.Errorf("the tarball lacks %s", f)
		}
	}
	if strings.HasPrefix(pkgDir, root) {
		t.Errorf("the package was installed inside the repository (%s)", pkgDir)
	}

	app := newApp(t)
	script := `import { createGlobusClient } from "@globus-edge/client";
const c = await createGlobusClient({ namespace: "DEFAULT" });
console.log(JSON.stringify(c.config));
c.close();`
	cmd := exec.Command("node", "--input-type=module", "-e", script)
	cmd.Dir = app
	cmd.Env = nodeEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("importing the installed package: %v\n%s", err, out)
	}
	var cfg map[string]any
	if err := json.Unmarshal(out, &cfg); err != nil || cfg["authUrl"] != "https://auth.globus.org" || cfg["httpTimeout"] != 60.0 {
		t.Errorf("the installed package's client.config = %s (%v)", out, err)
	}
}

func tarNames(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimPrefix(h.Name, "package/"))
	}
}

// TestPackingTheSourceFails: `npm pack` in js/ (the source, without the wasm) fails, saying to
// build and pack dist/js, instead of making a tarball that cannot be imported.
func TestPackingTheSourceFails(t *testing.T) {
	src := t.TempDir()
	entries, err := os.ReadDir(filepath.Join(root, "js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			copyFile(t, filepath.Join(root, "js", e.Name()), filepath.Join(src, e.Name()))
		}
	}
	out, err := npm(src, "pack", "--dry-run")
	if err == nil {
		t.Fatalf("npm pack in a copy of js/ succeeded:\n%s", out)
	}
	for _, want := range []string{"globus-edge.wasm and wasm_exec.js missing", "./build.sh js", "npm pack ./dist/js"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("npm pack's failure does not say %q:\n%s", want, out)
		}
	}
}
