package service

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/app"
)

var update = flag.Bool("update", false, "rewrite ../lastresort.mjs (go generate ./worker/service)")

// lastResortMessage is what the worker's entry says when no Go instance could answer.
const lastResortMessage = "the worker failed while answering; try again"

// TestLastResortModule: worker/lastresort.mjs is what this package answers for an
// internal_error — its status, its common headers (Referrer-Policy included), its JSON body
// byte for byte and its request ids' format — written as the JavaScript the worker's entry
// runs when no Go instance can answer (none could start, or one exited mid-request). It fails
// when the committed file is stale; -update (go generate ./worker/service) rewrites it.
func TestLastResortModule(t *testing.T) {
	got := lastResortModule(t)
	const path = "../lastresort.mjs"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != got {
		t.Fatalf("worker/lastresort.mjs is stale: run go generate ./worker/service\n got:\n%s\nwant:\n%s", have, got)
	}
}

// recorder is an http.ResponseWriter that keeps what is written.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func lastResortModule(t *testing.T) string {
	// Marks stand for the values the JS functions take; each is replaced by its variable.
	const idMark, codeMark, msgMark = "REQUEST-ID-MARK", "CODE-MARK", "MESSAGE-MARK"
	rec := &recorder{header: http.Header{}}
	x := &reply{h: &Handler{}, w: rec, id: idMark}
	x.setCommonHeaders()
	x.writeJSON(app.KindInternal.Status(), ErrorBody{Error: codeMark, Message: msgMark, RequestID: idMark})

	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var headers []string
	for _, k := range slices.Sorted(maps.Keys(rec.header)) {
		v := rec.header.Get(k)
		if len(rec.header[k]) != 1 {
			t.Fatalf("header %s has %d values", k, len(rec.header[k]))
		}
		if v == idMark {
			headers = append(headers, fmt.Sprintf("      %s: id,", js(k)))
		} else {
			headers = append(headers, fmt.Sprintf("      %s: %s,", js(k), js(v)))
		}
	}
	// The body, cut at each mark (with its quotes: the JS side quotes with JSON.stringify).
	body := rec.body.String()
	var parts []string
	for _, m := range []string{codeMark, msgMark, idMark} {
		before, after, ok := strings.Cut(body, js(m))
		if !ok || strings.Contains(after, js(m)) {
			t.Fatalf("the body %q does not hold %s once", rec.body.String(), m)
		}
		parts, body = append(parts, js(before)), after
	}
	parts = append(parts, js(body))
	var refusals []string
	for _, r := range entryRefusals {
		refusals = append(refusals, fmt.Sprintf("  %s: Object.freeze({ status: %d, code: %s }),", r.name, r.status, js(r.code)))
	}
	return fmt.Sprintf(`// lastresort.mjs — GENERATED from worker/service by `+"`go generate ./worker/service`"+`
// (TestLastResortModule, which fails when this file is stale): do not edit. worker/entry.mjs
// answers with it when no Go instance can (none could start, or one exited mid-request) and
// when it refuses a request before taking one: the service's own error answers, with its
// headers and body, and its request ids.

/** A fresh request id, made as worker/service makes its own: %d random bytes in hex. */
export function requestId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(%d)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The entry's own refusals, with the status and code worker/service gives them. */
export const refusals = Object.freeze({
%s
});

/**
 * An error answer as worker/service writes it: status, the JSON error body (code, message,
 * request id id) and the service's common headers, plus extra headers. (Go's encoder escapes
 * <, > and &; the entry's messages hold none.)
 */
export function errorAnswer(status, code, message, id, extra = {}) {
  const body = %s + JSON.stringify(code) + %s + JSON.stringify(message) + %s + JSON.stringify(id) + %s;
  return new Response(body, {
    status,
    headers: {
%s
      ...extra,
    },
  });
}

/** The service's %d %s answer under request id id, as worker/service writes it. */
export function lastResort(id) {
  return errorAnswer(%d, %s, %s, id);
}
`, requestIDBytes, requestIDBytes, strings.Join(refusals, "\n"), parts[0], parts[1], parts[2], parts[3],
		strings.Join(headers, "\n"), rec.status, string(app.KindInternal), app.KindInternal.Status(), js(string(app.KindInternal)), js(lastResortMessage))
}
