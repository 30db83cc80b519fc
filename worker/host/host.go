//go:build js && wasm

// Package host wires the worker's service (worker/service) into the Workers runtime, for the
// worker's two mains: the production one (worker/) and the test build's (worker/testworker,
// which adds test-only routes; no build tag decides which routes a build carries).
//
// Requests and answers cross whole between the JS entry (worker/entry.mjs, over the runtime
// shared with the JS package, js/instance.js) and Go (serve.go); syumai/workers gives the vars
// and secrets (cloudflare.Getenv) and the readiness signal; the TOKENS KV namespace is a
// wasm/jsstorage.KV, the storage adapter of the JS package; wasm/jsfetch sends the outbound
// requests. syumai's own request/response translation is not used: it crossed the JS boundary
// once per header and per body chunk, and was 42% of a /healthz's CPU (bench/analysis.md); nor
// is its KV, whose promise helper leaves a js.Func registered per awaited call, a leak in an
// instance that serves many requests.
//
// One Go instance serves many requests, one at a time (the entry's pool; see js/instance.js
// for why). So Run never returns, and nothing here holds per-request state: the handler is
// built once per instance from env, which is the same for every request of an isolate;
// per-request data arrives with the request. The per-request ExecutionContext is not handed
// to Go: the service needs no waitUntil.
package host

import (
	"fmt"
	"net/http"
	"syscall/js"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/wasm/jsfetch"
	"github.com/globus-edge/globus-edge/wasm/jsstorage"
	"github.com/globus-edge/globus-edge/worker/service"
)

// KVBinding is the name of the KV namespace binding in wrangler.toml.
const KVBinding = "TOKENS"

// CoordinatorBinding is the name of the Durable Object namespace binding of SessionCoordinator
// in wrangler.toml; without it the worker runs in KV-only mode.
const CoordinatorBinding = "SESSIONS"

// defaultHost names the global the entry hands this program's host object in when it passes
// no name (see jsx.Host).
const defaultHost = "__globusEdgeWorker"

// Run serves requests for the entry and never returns. wrap, when not nil, wraps the
// service's handler; it gets the host object (the test build reads the instance's memory
// through it).
func Run(wrap func(ns js.Value, h http.Handler) http.Handler) {
	ns := jsx.Host(defaultHost)
	h := handler(jsfetch.Doer{Helper: ns.Get("fetch")})
	if wrap != nil {
		h = wrap(ns, h)
	}
	exportServe(ns, h)
	jsx.ExportStats(ns)
	workers.Ready()
	select {} // the entry's pool decides when this instance ends
}

// handler builds the service from the isolate's bindings, sending requests through doer.
func handler(doer jsfetch.Doer) http.Handler {
	store, err := openKV(KVBinding)
	if err != nil {
		return service.Unavailable(err)
	}
	h, err := service.NewFromEnv(cloudflare.Getenv, doer.Do, store)
	if err != nil {
		return service.Unavailable(err)
	}
	if v := cloudflare.GetBinding(CoordinatorBinding); !jsx.IsNullish(v) {
		if err := jsstorage.CheckCoordinators(v); err != nil {
			return service.Unavailable(config.Invalid(CoordinatorBinding, "must be a Durable Object namespace binding of the class SessionCoordinator (wrangler.toml [[durable_objects.bindings]])"))
		}
		h.Coordinators = jsstorage.Coordinators{NS: v}
	}
	return h
}

// openKV returns the named KV namespace binding as a kvstore.KV; an unbound name is a
// configuration error.
func openKV(binding string) (jsstorage.KV, error) {
	v := cloudflare.GetBinding(binding)
	if err := jsstorage.Check(v); err != nil {
		return jsstorage.KV{}, &config.Error{Missing: []string{fmt.Sprintf("KV namespace binding %s (wrangler.toml [[kv_namespaces]])", binding)}}
	}
	return jsstorage.KV{Obj: v}, nil
}
