//go:build js && wasm

// Command testworker is the worker with test-only routes, built by `./build.sh worker -test`
// into build-test/ for the end-to-end tests and the benchmarks' soak; never deploy it. It is a
// main of its own over package worker/host, so the production main (worker/) cannot carry these
// routes whatever the build's tags or environment say.
//
//	GET /__test/instance  "ID N BYTES": this instance's id, how many requests it served and
//	                      the size of its linear memory
//	GET /__test/panic     panics in the handler (the entry answers 500 and retires the instance)
//	GET /__test/crash     ends the Go program mid-request, as a fatal error would
//	GET /__test/leak      answers, but leaves a goroutine running after the answer
//	GET /__test/hang      never answers and ignores its deadline (the entry's backstop answers)
//
// With the var WORKERTEST_EXIT_AT_START set, the Go program exits before it is ready, as one
// whose start-up fails would.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/globus-edge/globus-edge/worker/host"
)

func main() { host.Run(withTestRoutes) }

// instance is this Go instance's identity, so tests can tell reuse from a fresh start.
type instance struct {
	id     string
	served atomic.Int64
	ns     js.Value
}

// withTestRoutes adds the routes above in front of h.
func withTestRoutes(ns js.Value, h http.Handler) http.Handler {
	if cloudflare.Getenv("WORKERTEST_EXIT_AT_START") != "" {
		os.Exit(3)
	}
	b := make([]byte, 6)
	rand.Read(b)
	in := &instance{id: hex.EncodeToString(b), ns: ns}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := in.served.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/__test/") {
			h.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case "/__test/instance":
			mem := in.ns.Call("memoryBytes").Int()
			fmt.Fprintf(w, "%s %d %d\n", in.id, n, mem)
		case "/__test/panic":
			panic("test-only route /__test/panic")
		case "/__test/crash":
			go panic("test-only route /__test/crash") // not recovered: the program ends
			select {}
		case "/__test/leak":
			go time.Sleep(time.Hour)
			fmt.Fprintln(w, "leaked one goroutine")
		case "/__test/hang":
			select {}
		default:
			http.NotFound(w, r)
		}
	})
}
