//go:build js && wasm

// Package jsfetch is a transport.Doer (Doer's Do method) over the JavaScript fetch API, for
// browsers, Node and workers. It exists so the page never links net/http's Transport
// (http.Client), which nearly doubles the WebAssembly download; only the http.Request and
// http.Response types are used.
package jsfetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/transport"
)

// Doer sends requests with fetch, through the JavaScript host's fetch helper (js/instance.js
// goFetch, given to Go as ns.fetch), which crosses from Go to JavaScript once per request and
// once back: the request whole, then the answer whole, its body read and capped in JavaScript.
// Crossing field by field (the init, each header, each chunk of the body, each answer header)
// cost about a fifth of a worker request's CPU in workerd (bench/analysis.md).
type Doer struct {
	// Helper is the host's fetch helper (ns.fetch of js/instance.js). Required.
	Helper js.Value
	// Fetch is the fetch function; undefined (the zero js.Value) means globalThis.fetch, looked
	// up per request. Either is called without a receiver: workerd throws "Illegal invocation"
	// for a fetch called as a method of anything but the global.
	Fetch js.Value
	// Credentials is fetch's credentials mode; empty means "omit" in browsers and Node, and no
	// field at all in workerd, which has no cookie jar and whose older releases threw "The
	// 'credentials' field on 'RequestInitializerDict' is not implemented" (the helper decides).
	// The zero value sends no cookies: Globus APIs authenticate with bearer tokens, and cookies
	// would only widen what a request carries cross-origin.
	Credentials string
}

// tooLargeName is the name of the helper's refusal of an answer over its cap.
const tooLargeName = "BodyTooLargeError"

// uint8ArrayClass is the realm's Uint8Array, looked up once.
var uint8ArrayClass = js.Global().Get("Uint8Array")

// Do is a transport.Doer. The request's context aborts the fetch (the helper's
// AbortController), including the reading of the body, and the error then wraps ctx.Err(), so
// a per-attempt timeout is reported as context.DeadlineExceeded. The whole body is read before
// Do returns; an answer larger than transport.MaxBodySize is refused with
// transport.ErrBodyTooLarge as soon as that many bytes arrived (or at once, when its
// Content-Length says so), and never held whole, in JavaScript or in Go. Content-Length only
// ever refuses: a compressed answer grows past it when decoded.
func (d Doer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if d.Helper.Type() != js.TypeFunction {
		return nil, errors.New("fetch: no fetch helper: Go must be started by js/instance.js, which gives it ns.fetch")
	}
	lines, err := headerLines(req.Header)
	if err != nil {
		return nil, err
	}
	body := js.Null()
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("fetch: reading the request body: %w", err)
		}
		body = uint8ArrayClass.New(len(b))
		js.CopyBytesToJS(body, b)
	}
	var p js.Value
	if err := jsx.Try(func() {
		p = d.Helper.Invoke(d.Fetch, req.URL.String(), req.Method, lines, body, d.Credentials, transport.MaxBodySize)
	}); err != nil {
		return nil, d.fail(ctx, err)
	}
	// AfterFunc runs abort in its own goroutine when ctx ends; the helper's Promise then
	// rejects with an AbortError and the Await below returns.
	stop := context.AfterFunc(ctx, func() { jsx.Try(func() { p.Call("abort") }) })
	defer stop()
	// Await with a background context: after an abort the Promise settles promptly, and
	// waiting for it lets the fetch machinery be released before returning.
	answer, err := jsx.Await(context.Background(), p)
	if je, ok := errors.AsType[*jsx.Error](err); ok && je.Name == tooLargeName {
		return nil, fmt.Errorf("fetch: reading the response body: %w", transport.ErrBodyTooLarge)
	}
	if err != nil {
		return nil, d.fail(ctx, err)
	}
	return response(req, answer)
}

// headerLines is req's header as the helper takes it: "name:value" lines. A name or value
// holding a line break is refused, as fetch itself would refuse it.
func headerLines(h http.Header) (string, error) {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			if strings.ContainsAny(k, "\r\n:") || strings.ContainsAny(v, "\r\n") {
				return "", fmt.Errorf("fetch: request headers: invalid header %q", k)
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(k)
			b.WriteByte(':')
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// response turns the helper's answer, [head, body], into an *http.Response.
func response(req *http.Request, answer js.Value) (*http.Response, error) {
	head := answer.Index(0).String()
	var body []byte
	if b := answer.Index(1); !jsx.IsNullish(b) {
		body = make([]byte, b.Length())
		js.CopyBytesToGo(body, b)
	}
	statusLine, rest, _ := strings.Cut(head, "\n")
	text, rest, _ := strings.Cut(rest, "\n")
	status, err := strconv.Atoi(statusLine)
	if err != nil {
		return nil, fmt.Errorf("fetch: the helper's answer has no status: %q", statusLine)
	}
	if text == "" {
		text = http.StatusText(status)
	}
	header := http.Header{}
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		k, v, _ := strings.Cut(line, ":")
		header.Add(k, v)
	}
	return &http.Response{
		Status:        statusLine + " " + text,
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// fail reports an aborted request as ctx.Err() (so callers can tell a timeout) and anything
// else as a fetch failure. Browsers say only "TypeError: Failed to fetch" for DNS, TLS, CORS
// and CSP failures alike; the details are in the browser console.
func (d Doer) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("fetch aborted: %w", ctx.Err())
	}
	return fmt.Errorf("fetch: %w", err)
}
