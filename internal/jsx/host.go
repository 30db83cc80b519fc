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

// ExportStats gives the host ns.goroutines(): how many goroutines this program runs. The
// host compares the count after each request with the count when the instance was idle: a
// goroutine left running by a finished request could touch JavaScript while the instance
// serves the next one, which workerd forbids, so such an instance is retired, not reused.
func ExportStats(ns js.Value) {
	ns.Set("goroutines", js.FuncOf(func(js.Value, []js.Value) any { return runtime.NumGoroutine() }))
}
