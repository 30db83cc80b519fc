//go:build js && wasm

// Command worker is the Cloudflare Worker host of globus-edge. It only wires things together:
// syumai/workers translates requests and responses, the TOKENS KV namespace becomes a kvstore.KV,
// the worker's vars and secrets become a service.Config, and fetch sends the outbound requests.
// Everything the service does is in package service.
//
// Build it with `./build.sh worker`; run it with `npx wrangler dev` (see wrangler.toml).
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/globus-edge/globus-edge/worker/service"
)

// kvBinding is the name of the KV namespace binding in wrangler.toml.
const kvBinding = "TOKENS"

func main() {
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler().ServeHTTP(w, r)
	}))
}

// handler builds the backend from this request's bindings. The runtime starts a fresh Go
// instance for every request, so there is nothing worth caching.
func handler() http.Handler {
	store, err := openKV(kvBinding)
	if err != nil {
		return service.Unavailable(err)
	}
	h, err := service.NewFromEnv(cloudflare.Getenv, fetchDoer{fetch.NewClient()}, store)
	if err != nil {
		return service.Unavailable(err)
	}
	return h
}
