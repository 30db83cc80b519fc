//go:build js && wasm

// Command worker is the Cloudflare Worker host of globus-edge: package worker/host wires the
// service (worker/service) into the Workers runtime. Test-only routes live in another main,
// worker/testworker (`./build.sh worker -test`, into build-test/), so no build of this one
// can carry them, whatever tags or GOFLAGS say.
//
// Build it with `./build.sh worker`; run it with `npx wrangler dev` (see wrangler.toml).
package main

import "github.com/globus-edge/globus-edge/worker/host"

func main() { host.Run(nil) }
