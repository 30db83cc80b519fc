//go:build js && wasm

// Package jstest helps the js/wasm tests that run under Node, which has neither
// localStorage nor sessionStorage: it installs Map-backed stand-ins with the Web Storage
// methods globus-edge uses.
package jstest

import (
	"syscall/js"
	"testing"
)

// storageSource builds a Web Storage stand-in over a Map. Values are stored as strings, as
// browsers do. setItem throws a QuotaExceededError-named error once the map holds "quota"
// characters, so tests can check that a full storage is an error and not a panic.
const storageSource = `
const m = new Map();
let quota = Infinity;
const size = () => { let n = 0; for (const [k, v] of m) n += k.length + v.length; return n; };
return {
	getItem(k) { k = String(k); return m.has(k) ? m.get(k) : null; },
	setItem(k, v) {
		k = String(k); v = String(v);
		if (size() - (m.has(k) ? k.length + m.get(k).length : 0) + k.length + v.length > quota) {
			const e = new Error("The quota has been exceeded."); e.name = "QuotaExceededError"; throw e;
		}
		m.set(k, v);
	},
	removeItem(k) { m.delete(String(k)); },
	clear() { m.clear(); },
	key(i) { return [...m.keys()][i] ?? null; },
	get length() { return m.size; },
	setQuota(n) { quota = n; },
};`

// InstallStorage puts a fresh Map-backed storage at globalThis[name] ("localStorage" or
// "sessionStorage") for the duration of the test and returns it.
func InstallStorage(t testing.TB, name string) js.Value {
	t.Helper()
	s := js.Global().Get("Function").New(storageSource).Invoke()
	old := js.Global().Get(name)
	js.Global().Set(name, s)
	t.Cleanup(func() {
		if old.IsUndefined() {
			js.Global().Delete(name)
		} else {
			js.Global().Set(name, old)
		}
	})
	return s
}

// Eval runs a JavaScript function body and returns its result (tests use it to build
// values and fixtures).
func Eval(body string, args ...any) js.Value {
	params := make([]any, 0, len(args)+1)
	for i := range args {
		params = append(params, "a"+string(rune('0'+i)))
	}
	params = append(params, body)
	return js.Global().Get("Function").New(params...).Invoke(args...)
}
