//go:build js && wasm

package jstest

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"syscall/js"
	"testing"

	"github.com/globus-edge/globus-edge/internal/jsx"
)

// instanceModule is the repository's js/instance.js, imported once per test binary.
var instanceModule = sync.OnceValues(func() (js.Value, error) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "js", "instance.js")
	return jsx.Await(context.Background(), Eval("return import(a0);", "file://"+filepath.ToSlash(path)))
})

// FetchHelper returns the fetch helper the JavaScript host gives Go as ns.fetch (js/instance.js
// goFetch), so tests run Go against the helper the page, the JS package and the worker use.
func FetchHelper(t testing.TB) js.Value {
	t.Helper()
	m, err := instanceModule()
	if err != nil {
		t.Fatalf("importing js/instance.js: %v", err)
	}
	return m.Get("goFetch")
}
