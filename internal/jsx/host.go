//go:build js && wasm

package jsx

import (
	"os"
	"runtime"
	"syscall/js"
)

// Host returns the object the JavaScript host started this program with (js/instance.js,
// startInstance): the program's first argument names a global that holds it while Go starts
// (the host deletes it again once Go is ready, so other scripts cannot reach it). Go puts the
// functions the host calls on it and calls its ready function when they are in place. Without
// an argument, def names the global, which is created when missing.
func Host(def string) js.Value {
	name := def
	if len(os.Args) > 1 && os.Args[1] != "" {
		name = os.Args[1]
	}
	ns := js.Global().Get(name)
	if IsNullish(ns) {
		ns = js.Global().Get("Object").New()
		js.Global().Set(name, ns)
	}
	return ns
}

// stats is the host object ExportStats was given (undefined before): the program's one host,
// set once at start, never per request.
var stats js.Value

// settledGoroutines is the field of the host object where Promise reports, as it settles a
// Promise, how many goroutines are running besides the one settling it.
const settledGoroutines = "settledGoroutines"

// ExportStats gives the host ns.goroutines(): how many goroutines this program runs. The
// host compares the count after each request with the count when the instance was idle: a
// goroutine left running by a finished request could touch JavaScript while the instance
// serves the next one, which workerd forbids, so such an instance is retired, not reused.
// From then on each Promise (see Promise) also sets ns.settledGoroutines as it settles, so
// the host can see the count without calling back into Go (a round of Go's event handling)
// when it is already the idle one.
func ExportStats(ns js.Value) {
	ns.Set("goroutines", js.FuncOf(func(js.Value, []js.Value) any { return runtime.NumGoroutine() }))
	stats = ns
}
