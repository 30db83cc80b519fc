//go:build js && wasm && workertest

package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// instanceID names this Go instance, so tests can tell reuse from a fresh start.
var instanceID = func() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

// served counts the requests this instance answered (test builds only).
var served atomic.Int64

// withTestRoutes adds routes that only `./build.sh worker -test` builds (build tag
// workertest, output in build-test/, never deployed):
//
//	GET /__test/instance  "ID N BYTES": this instance's id, how many requests it served and
//	                      the size of its linear memory
//	GET /__test/panic     crashes the Go program mid-request
//	GET /__test/leak      answers, but leaves a goroutine running after the answer
//
// With the var WORKERTEST_EXIT_AT_START set, the Go program exits before it is ready, as one
// whose start-up fails would.
func withTestRoutes(h http.Handler) http.Handler {
	if cloudflare.Getenv("WORKERTEST_EXIT_AT_START") != "" {
		os.Exit(3)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/__test/") {
			h.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case "/__test/instance":
			mem := binding().Call("memoryBytes").Int()
			fmt.Fprintf(w, "%s %d %d\n", instanceID, n, mem)
		case "/__test/panic":
			panic("test-only route /__test/panic")
		case "/__test/leak":
			go time.Sleep(time.Hour)
			fmt.Fprintln(w, "leaked one goroutine")
		default:
			http.NotFound(w, r)
		}
	})
}
