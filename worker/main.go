//go:build js && wasm

// Command worker is the Cloudflare Worker host of globus-edge. It only wires things together:
// requests and answers cross whole between the JS entry and Go (serve.go), syumai/workers gives
// the vars and secrets (a service.Config), the TOKENS KV namespace (a kvstore.KV) and the
// readiness signal, and wasm/jsfetch sends the outbound requests. Everything the service does
// is in package worker/service.
//
// syumai's own request/response translation (workers.ServeNonBlock) is not used: it crossed
// the JS boundary once per header and per body chunk, and was 42% of a /healthz's CPU
// (bench/analysis.md); serve.go crosses once each way.
//
// One Go instance serves many requests, one at a time: worker/entry.mjs keeps a small pool of
// instances per isolate (see its header for why). So main never returns, and nothing here
// holds per-request state: the handler is built once per instance from env, which is the same
// for every request of an isolate; per-request data arrives with the request. The per-request
// ExecutionContext is not handed to Go: the service needs no waitUntil.
//
// Build it with `./build.sh worker`; run it with `npx wrangler dev` (see wrangler.toml).
package main

import (
	"net/http"
	"runtime"
	"syscall/js"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"github.com/globus-edge/globus-edge/wasm/jsfetch"
	"github.com/globus-edge/globus-edge/worker/service"
)

// kvBinding is the name of the KV namespace binding in wrangler.toml.
const kvBinding = "TOKENS"

func main() {
	exportServe(withTestRoutes(handler()))
	exportStats()
	workers.Ready()
	select {} // the entry's pool decides when this instance ends
}

// handler builds the service from the isolate's bindings.
func handler() http.Handler {
	store, err := openKV(kvBinding)
	if err != nil {
		return service.Unavailable(err)
	}
	h, err := service.NewFromEnv(cloudflare.Getenv, jsfetch.Doer{}, store)
	if err != nil {
		return service.Unavailable(err)
	}
	return h
}

// exportStats gives the entry binding.goStats(): {goroutines}. The entry compares the count
// after each request with the count when the instance was idle: a goroutine left running by a
// finished request could touch JS while the instance serves the next request, which workerd
// forbids, so such an instance is retired instead of reused.
func exportStats() {
	binding().Set("goStats", js.FuncOf(func(js.Value, []js.Value) any {
		return map[string]any{"goroutines": runtime.NumGoroutine()}
	}))
}

// binding is the object the entry shares with this instance (context.binding, as syumai's
// loader hands it over): Go puts the functions the entry calls on it.
func binding() js.Value { return js.Global().Get("context").Get("binding") }
