//go:build js && wasm

// Command wasm is globus-edge in a web page: the core (app.App) compiled to WebAssembly,
// with fetch for HTTP and Web Storage for tokens. The JavaScript shim (js/) starts it with
// the name of a global namespace object as its first argument; main puts newClient and
// version on that object, calls its ready function, and then waits for calls forever.
package main

import (
	"os"
	"syscall/js"

	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/internal/jsx"
	"github.com/globus-edge/globus-edge/wasm/jsstorage"
)

// defaultNamespace is the global used when the shim passes no name.
const defaultNamespace = "__globusEdge"

func main() {
	name := defaultNamespace
	if len(os.Args) > 1 && os.Args[1] != "" {
		name = os.Args[1]
	}
	ns := js.Global().Get(name)
	if jsx.IsNullish(ns) {
		ns = js.Global().Get("Object").New()
		js.Global().Set(name, ns)
	}
	ns.Set("version", tokens.Version)
	// newClient(config) resolves to a client object; see client.object.
	// The realm's lock table, shared by every Go instance the shim starts (see jsstorage.Locks).
	locks := jsstorage.Locks{Table: ns.Get("locks")}
	ns.Set("newClient", js.FuncOf(func(_ js.Value, args []js.Value) any { return newClientPromise(args, locks) }))
	if ready := ns.Get("ready"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	// main must not return: the exported functions run on this program's goroutines.
	select {}
}

// newClientPromise is newClient(config) as JavaScript sees it: a Promise of the client object.
func newClientPromise(args []js.Value, locks jsstorage.Locks) js.Value {
	cfg := arg(args, 0, js.Undefined())
	return jsx.Promise(func() (any, error) {
		c, err := newClient(cfg, locks)
		if err != nil {
			return nil, err
		}
		return c.object(), nil
	}, errorValue)
}
