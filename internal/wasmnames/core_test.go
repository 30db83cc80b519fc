//go:build !(js && wasm)

package wasmnames

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildWasm builds a js/wasm program and returns its bytes.
func buildWasm(t *testing.T, pkg string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "prog.wasm")
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The core must not link net/http.Transport: it nearly doubles the page's download.
func TestCoreDoesNotLinkHTTPTransport(t *testing.T) {
	wasm := buildWasm(t, "./testdata/coreprog")
	names, err := Functions(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 1000 {
		t.Fatalf("only %d function names: name section misread", len(names))
	}
	has := func(n string) bool { ok, _ := Contains(wasm, n); return ok }
	if !has("github.com/globus-edge/globus-edge/app.(*App).MyGroups") {
		t.Fatal("the check cannot see the core's own functions")
	}
	if has("net/http.(*Transport).roundTrip") {
		t.Fatal("the core links net/http.(*Transport).roundTrip (an http.Client is used somewhere)")
	}
}

// The core must not put a type whose method returns *http.Response in an interface (it did,
// when transport.Doer and authorizer.Refresher were interfaces): the linker would keep the
// methods of everything *http.Response reaches, pkix.Name.String first among them, ~69 KB gzip
// of the page (bench/analysis.md). doerprog, the core plus one such interface value, proves
// the check can fail.
func TestCoreKeepsNoResponseMethods(t *testing.T) {
	const name = "crypto/x509/pkix.Name.String"
	for prog, want := range map[string]bool{"./testdata/coreprog": false, "./testdata/doerprog": true} {
		wasm := buildWasm(t, prog)
		if ok, err := Contains(wasm, "github.com/globus-edge/globus-edge/app.(*App).MyGroups"); err != nil || !ok {
			t.Fatalf("%s: the check cannot see the core's own functions: found=%v err=%v", prog, ok, err)
		}
		if ok, err := Contains(wasm, name); err != nil || ok != want {
			t.Errorf("%s links %s: %v, want %v (err %v)", prog, name, ok, want, err)
		}
	}
}

// The check itself must be able to fail: a program using http.DefaultClient links it.
func TestCheckDetectsHTTPClient(t *testing.T) {
	wasm := buildWasm(t, "./testdata/clientprog")
	if ok, err := Contains(wasm, "net/http.(*Transport).roundTrip"); err != nil || !ok {
		t.Fatalf("http.Get program: found=%v err=%v", ok, err)
	}
}

// The size breakdown must account for the code section and attribute the core's own code.
func TestByPackage(t *testing.T) {
	wasm := buildWasm(t, "./testdata/coreprog")
	pkgs, err := ByPackage(wasm)
	if err != nil {
		t.Fatal(err)
	}
	total, found := 0, map[string]int{}
	for _, p := range pkgs {
		total += p.Bytes
		found[p.Package] = p.Bytes
	}
	if total < len(wasm)/3 || total > len(wasm) {
		t.Fatalf("code bytes %d of a %d-byte module", total, len(wasm))
	}
	if found["runtime"] == 0 || found[Mangle("github.com/globus-edge/globus-edge/app")] == 0 {
		t.Fatalf("packages missing: %v", pkgs[:min(10, len(pkgs))])
	}
}

// Sizes belong to the right names: Go's linker names only its own functions, so the name
// section's indices start after the imports, and a breakdown that ignored them would give each
// function a neighbour's size (the entry stub would look large and the allocator tiny).
func TestFunctionSizesFollowIndices(t *testing.T) {
	sizes, err := FunctionSizes(buildWasm(t, "./testdata/coreprog"))
	if err != nil {
		t.Fatal(err)
	}
	stub, alloc := sizes["_rt0_wasm_js"], sizes["runtime.mallocgc"]
	if stub == 0 || alloc < 10*stub {
		t.Fatalf("_rt0_wasm_js (a few instructions) %d bytes, runtime.mallocgc %d bytes: sizes are attributed to the wrong functions", stub, alloc)
	}
}

// Compare names what one build links beyond another: the core beyond a one-call http.Get
// program includes the core's own packages, and a build compared with itself differs nowhere.
func TestCompare(t *testing.T) {
	core, client := buildWasm(t, "./testdata/coreprog"), buildWasm(t, "./testdata/clientprog")
	same, err := Compare(core, core)
	if err != nil || len(same) != 0 {
		t.Fatalf("a build against itself: %v %v", same, err)
	}
	delta, err := Compare(client, core)
	if err != nil {
		t.Fatal(err)
	}
	grew := map[string]int{}
	for _, p := range delta {
		grew[p.Package] = p.Bytes
	}
	if grew[Mangle("github.com/globus-edge/globus-edge/app")] <= 0 || grew[Mangle("github.com/globus-edge/globus-edge/tokens")] <= 0 {
		t.Fatalf("the core's packages are not in what it links beyond the client program: %v", delta[:min(10, len(delta))])
	}
}
