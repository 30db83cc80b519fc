//go:build !(js && wasm)

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/globus-edge/globus-edge/internal/wasmnames"
)

// transportRoundTrip is linked as soon as anything uses an http.Client; it nearly doubles the
// page's download (reference/platform.md: 1.57 MB → 2.84 MB gzip).
const transportRoundTrip = "net/http.(*Transport).roundTrip"

// responseMethods is linked when a type whose method returns *http.Response is put in an
// interface (transport.Doer and authorizer.Refresher were interfaces): the linker then keeps
// the methods of everything *http.Response reaches, ~69 KB gzip of the page
// (bench/analysis.md).
const responseMethods = "crypto/x509/pkix.Name.String"

// TestPageWasmHasNoHTTPTransport: the page's wasm must not link net/http's Transport, nor the
// methods an interface holding a Doer would keep (responseMethods). The page's own wasm is
// stripped (-s), so the name section is read from a twin built with the same flags but -s;
// control programs that do use http.Client and do hold a Doer in an interface prove each check
// can fail.
func TestPageWasmHasNoHTTPTransport(t *testing.T) {
	names := funcNames(t, "./wasm")
	for _, must := range []string{"main.main", "github.com/globus-edge/globus-edge/app.(*App).MyGroups"} {
		if !names[wasmnames.Mangle(must)] {
			t.Fatalf("the name section lacks %s: the parser is broken", must)
		}
	}
	if names[wasmnames.Mangle(transportRoundTrip)] {
		t.Errorf("the page's wasm links %s (something uses an http.Client)", transportRoundTrip)
	}
	if control := funcNames(t, "./internal/wasmnames/testdata/clientprog"); !control[wasmnames.Mangle(transportRoundTrip)] {
		t.Errorf("the control program with an http.Client does not show %s: the check cannot fail", transportRoundTrip)
	}
	if names[wasmnames.Mangle(responseMethods)] {
		t.Errorf("the page's wasm links %s (a type whose method returns *http.Response is put in an interface)", responseMethods)
	}
	if control := funcNames(t, "./internal/wasmnames/testdata/doerprog"); !control[wasmnames.Mangle(responseMethods)] {
		t.Errorf("the control program with a Doer interface value does not show %s: the check cannot fail", responseMethods)
	}

	// The shipped (stripped) wasm keeps function names for stack traces (pclntab) as plain
	// bytes: a second, independent look.
	page, err := os.ReadFile(filepath.Join(webDir(), pageWasmName(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{transportRoundTrip, responseMethods} {
		if bytes.Contains(page, []byte(name)) {
			t.Errorf("the shipped wasm mentions %s", name)
		}
	}
	// The page's size budget (gzip) is held by internal/sizebudget, with the worker's.
}

// funcNames builds pkg for js/wasm like ./build.sh web does, minus -s, and reads its names.
func funcNames(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	list, err := wasmnames.Functions(b)
	if err != nil {
		t.Fatalf("%s: %v", pkg, err)
	}
	names := make(map[string]bool, len(list))
	for _, n := range list {
		names[n] = true
	}
	return names
}

// pageWasmName is the built page's content-hashed wasm file name (globus-edge.<12 hex>.wasm),
// checked against its bytes and against what index.html preloads.
func pageWasmName(t *testing.T) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(webDir(), "globus-edge.*.wasm"))
	if len(matches) != 1 {
		t.Fatalf("want one hashed wasm in the page, found %q", matches)
	}
	name := filepath.Base(matches[0])
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); name != "globus-edge."+hex.EncodeToString(sum[:])[:12]+".wasm" {
		t.Errorf("%s is not named for its content", name)
	}
	html, err := os.ReadFile(filepath.Join(webDir(), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte(`<link rel="preload" href="`+name+`" as="fetch" crossorigin`)) {
		t.Errorf("index.html does not preload %s", name)
	}
	return name
}
