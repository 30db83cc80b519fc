//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
	"testing"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// browserStorage installs Map-backed localStorage and sessionStorage for one test.
func browserStorage(t *testing.T) (local, session js.Value) {
	return jstest.InstallStorage(t, "localStorage"), jstest.InstallStorage(t, "sessionStorage")
}

// obj builds a JavaScript object from a JSON-like literal.
func obj(t *testing.T, literal string) js.Value {
	t.Helper()
	return jstest.Eval("return (" + literal + ");")
}

// call invokes a client method through its JavaScript face and awaits the Promise; a
// rejection is returned as the rejected value.
func call(t *testing.T, o js.Value, method string, args ...any) (js.Value, js.Value) {
	t.Helper()
	v, err := jsx.Await(context.Background(), o.Call(method, args...))
	if err != nil {
		je, ok := err.(*jsx.Error)
		if !ok {
			t.Fatalf("%s: %v", method, err)
		}
		return js.Undefined(), je.Value
	}
	return v, js.Undefined()
}

// testHost is what js/instance.js hands the program: here only its fetch helper.
func testHost(t *testing.T) host { return host{fetch: jstest.FetchHelper(t)} }
