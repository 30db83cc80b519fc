//go:build js && wasm

// Command wasm is globus-edge in a web page: the core (app.App) compiled to WebAssembly,
// with fetch for HTTP and Web Storage for tokens. The JavaScript shim (js/instance.js, as for
// the Go worker) starts it with the name of a global namespace object as its first argument;
// main puts newClient, version and goroutines on that object, calls its ready function, and
// then waits for calls forever.
package main

import (
	"syscall/js"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/jsstorage"
)

// defaultNamespace is the global used when the shim passes no name.
const defaultNamespace = "__globusEdge"

// host is what the shim hands this program when it starts it.
type host struct {
	// locks is the realm's lock table, shared by every Go instance the shim starts (see
	// jsstorage.Locks).
	locks jsstorage.Locks
	// deadline bounds each call of a client (ns.deadlineMs; a pooled instance in workerd gets
	// one, so no call holds its instance for ever); zero means none.
	deadline time.Duration
	// fetch is the host's fetch helper (ns.fetch; see jsfetch.Doer).
	fetch js.Value
}

func main() {
	ns := jsx.Host(defaultNamespace)
	ns.Set("version", tokens.Version)
	h := host{locks: jsstorage.Locks{Table: ns.Get("locks")}, fetch: ns.Get("fetch")}
	if d := ns.Get("deadlineMs"); d.Type() == js.TypeNumber && d.Float() > 0 {
		h.deadline = time.Duration(d.Float() * float64(time.Millisecond))
	}
	// newClient(config) resolves to a client object; see client.object.
	ns.Set("newClient", js.FuncOf(func(_ js.Value, args []js.Value) any { return newClientPromise(args, h) }))
	jsx.ExportStats(ns)
	if ready := ns.Get("ready"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	// main must not return: the exported functions run on this program's goroutines.
	select {}
}

// newClientPromise is newClient(config) as JavaScript sees it: a Promise of the client object.
func newClientPromise(args []js.Value, h host) js.Value {
	cfg := arg(args, 0, js.Undefined())
	return jsx.Promise(func() (any, error) {
		c, err := newClient(cfg, h)
		if err != nil {
			return nil, err
		}
		return c.object(), nil
	}, errorValue)
}
