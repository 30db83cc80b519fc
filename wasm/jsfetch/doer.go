//go:build js && wasm

// Package jsfetch is a transport.Doer over the JavaScript fetch API, for browsers, Node and
// workers. It exists so the page never links net/http's Transport (http.Client), which
// nearly doubles the WebAssembly download; only the http.Request and http.Response types
// are used.
package jsfetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"syscall/js"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/transport"
)

// Doer sends requests with fetch. The zero value uses globalThis.fetch and sends no cookies
// (Globus APIs authenticate with bearer tokens; cookies would only widen what a request
// carries cross-origin).
type Doer struct {
	// Fetch is the fetch function; undefined (the zero js.Value) means globalThis.fetch.
	// Either is called without a receiver (see Do).
	Fetch js.Value
	// Credentials is fetch's credentials mode; empty means "omit" in browsers and Node, and no
	// field at all in workerd (see credentials).
	Credentials string
}

// credentials is the credentials field to send, or "" for none. workerd has no cookie jar, so
// the field means nothing there. The workerd measured here (miniflare 4.20260426.0) accepts
// "omit" and "same-origin" at every compatibility date from 2022-11-30 to 2026-04-01, but older
// releases threw "The 'credentials' field on 'RequestInitializerDict' is not implemented":
// leaving it out keeps those working and changes nothing.
func (d Doer) credentials() string {
	if d.Credentials != "" {
		return d.Credentials
	}
	if isWorkerd() {
		return ""
	}
	return "omit"
}

// isWorkerd reports whether this is Cloudflare's runtime, which names itself in
// navigator.userAgent.
func isWorkerd() bool {
	nav := js.Global().Get("navigator")
	return nav.Type() == js.TypeObject && nav.Get("userAgent").Type() == js.TypeString &&
		nav.Get("userAgent").String() == "Cloudflare-Workers"
}

// The JavaScript classes every request uses, looked up once (they are the realm's, not a
// request's); fetch itself is looked up per call, so a page or test may replace it.
var (
	abortControllerClass = js.Global().Get("AbortController")
	objectClass          = js.Global().Get("Object")
	headersClass         = js.Global().Get("Headers")
	uint8ArrayClass      = js.Global().Get("Uint8Array")
	arrayClass           = js.Global().Get("Array")
)

// Do implements transport.Doer. The request's context aborts the fetch (AbortController),
// including the reading of the body, and the error then wraps ctx.Err(), so a per-attempt
// timeout is reported as context.DeadlineExceeded. The whole body is read before Do returns.
func (d Doer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	init, abort, err := d.init(req)
	if err != nil {
		return nil, err
	}
	// AfterFunc runs abort in its own goroutine when ctx ends; the fetch Promise (or the
	// body read) then rejects with an AbortError and the Awaits below return.
	stop := context.AfterFunc(ctx, abort)
	defer stop()
	fetch := d.Fetch
	if fetch.IsUndefined() {
		fetch = js.Global().Get("fetch")
	}
	var p js.Value
	// Invoked without a receiver (this = undefined), never as a method: the Go worker's loader
	// (syumai's wasm_exec.js) hands Go a Proxy of globalThis, and workerd throws "Illegal
	// invocation" for a fetch whose this is anything but the real global or undefined.
	if err := jsx.Try(func() { p = fetch.Invoke(req.URL.String(), init) }); err != nil {
		return nil, d.fail(ctx, err)
	}
	// Await with a background context: after an abort the Promise settles promptly, and
	// waiting for it lets the fetch machinery be released before returning.
	resp, err := jsx.Await(context.Background(), p)
	if err != nil {
		return nil, d.fail(ctx, err)
	}
	return d.response(ctx, req, resp, abort)
}

// init builds fetch's second argument and returns the function that aborts the request.
func (d Doer) init(req *http.Request) (js.Value, func(), error) {
	controller := abortControllerClass.New()
	init := objectClass.New()
	init.Set("method", req.Method)
	init.Set("signal", controller.Get("signal"))
	if creds := d.credentials(); creds != "" {
		init.Set("credentials", creds)
	}
	headers := headersClass.New()
	if err := jsx.Try(func() {
		for k, vs := range req.Header {
			for _, v := range vs {
				headers.Call("append", k, v)
			}
		}
	}); err != nil {
		return js.Undefined(), nil, fmt.Errorf("fetch: request headers: %w", err)
	}
	init.Set("headers", headers)
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return js.Undefined(), nil, fmt.Errorf("fetch: reading the request body: %w", err)
		}
		arr := uint8ArrayClass.New(len(b))
		js.CopyBytesToJS(arr, b)
		init.Set("body", arr)
	}
	return init, func() { controller.Call("abort") }, nil
}

// response turns a fetch Response into an *http.Response with the whole body read.
func (d Doer) response(ctx context.Context, req *http.Request, r js.Value, abort func()) (*http.Response, error) {
	body, err := readBody(r, abort)
	if err != nil {
		return nil, d.fail(ctx, err)
	}

	// Array.from(headers) gives [name, value] pairs in one call; a forEach callback would make
	// JS call back into Go once per header, each a round of Go's event handling.
	header := http.Header{}
	pairs := arrayClass.Call("from", r.Get("headers"))
	for i, n := 0, pairs.Length(); i < n; i++ {
		p := pairs.Index(i)
		header.Add(p.Index(0).String(), p.Index(1).String())
	}

	status := r.Get("status").Int()
	text := r.Get("statusText").String()
	if text == "" {
		text = http.StatusText(status)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, text),
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

// readBody reads a fetch Response's body stream chunk by chunk, so an answer larger than
// transport.MaxBodySize is refused once that many bytes arrived (or at once, when its
// Content-Length says so) and never held whole, in JavaScript or in Go: arrayBuffer() would
// read a 40 MiB answer into both before the transport's cap could refuse it. The chunks stay
// JavaScript's until the end, and Go copies an accepted answer once into a buffer of its
// size, so a refused one costs Go's memory nothing. A refused answer is aborted, which closes
// its connection. Content-Length only ever refuses: a compressed answer grows past it when
// decoded, so the count of bytes received is what bounds the read.
func readBody(r js.Value, abort func()) ([]byte, error) {
	tooLarge := func() ([]byte, error) {
		abort()
		return nil, fmt.Errorf("reading the response body: %w", transport.ErrBodyTooLarge)
	}
	if cl := r.Get("headers").Call("get", "Content-Length"); cl.Type() == js.TypeString {
		if n, err := strconv.ParseInt(cl.String(), 10, 64); err == nil && n > transport.MaxBodySize {
			return tooLarge()
		}
	}
	stream := r.Get("body")
	if jsx.IsNullish(stream) {
		return nil, nil
	}
	reader := stream.Call("getReader")
	var chunks []js.Value
	size := 0
	for {
		res, err := jsx.Await(context.Background(), reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("reading the response body: %w", err)
		}
		if res.Get("done").Truthy() {
			break
		}
		chunk := res.Get("value")
		size += chunk.Get("byteLength").Int()
		if size > transport.MaxBodySize {
			return tooLarge()
		}
		chunks = append(chunks, chunk)
	}
	out := make([]byte, size)
	at := 0
	for _, c := range chunks {
		at += js.CopyBytesToGo(out[at:], c)
	}
	return out, nil
}
