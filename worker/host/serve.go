//go:build js && wasm

package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall/js"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/worker/service"
)

// The JavaScript classes every answer uses, looked up once (they are the realm's).
var (
	uint8ArrayClass = js.Global().Get("Uint8Array")
	arrayClass      = js.Global().Get("Array")
	errorClass      = js.Global().Get("Error")
)

// exportServe gives the entry ns.serve(method, url, headers, body, deadlineMs) → Promise of
// [status, headers, body]: the request and the answer cross between JS and Go whole, headers
// as one JSON list of [name, value] pairs and bodies as one Uint8Array (or null). syumai's
// translation crossed once per header and wrapped every value in a js.Value with a finalizer:
// 42% of a /healthz's CPU under Node (bench/profile-worker.mjs). Bodies are small (the entry
// caps requests before it takes an instance; answers are a page, JSON or CSV), so nothing is
// streamed, and the answer is complete when the Promise resolves.
//
// deadlineMs bounds the request's Go work: the handler's context ends then, which aborts its
// fetches and lease waits, so the service answers (504 timeout) instead of holding the
// instance. A panic in the handler rejects the Promise (jsx.Promise) rather than ending the
// program with the request unanswered; the entry answers 500 and retires the instance.
func exportServe(ns js.Value, h http.Handler) {
	ns.Set("serve", js.FuncOf(func(_ js.Value, args []js.Value) any {
		in, err := readRequest(args)
		if err != nil {
			return jsx.Promise(func() (any, error) { return nil, err }, jsError)
		}
		return jsx.Promise(func() (any, error) {
			status, hdr, out, err := serveOne(h, in)
			if err != nil {
				return nil, err
			}
			arr := uint8ArrayClass.New(len(out))
			js.CopyBytesToJS(arr, out)
			return arrayClass.New(status, hdr, arr), nil
		}, jsError)
	}))
}

// jsError is what the entry's serve rejects with.
func jsError(err error) js.Value { return errorClass.New(err.Error()) }

// request is what crosses from the entry for one request.
type request struct {
	method, url, headers string
	body                 []byte
	deadline             time.Duration
}

// readRequest copies the arguments of serve into Go; it runs inside the callback, so the body
// is copied before the entry's Uint8Array can change.
func readRequest(args []js.Value) (request, error) {
	if len(args) != 5 {
		return request{}, fmt.Errorf("serve: want method, url, headers, body, deadlineMs; got %d arguments", len(args))
	}
	in := request{method: args[0].String(), url: args[1].String(), headers: args[2].String()}
	if b := args[3]; b.Truthy() {
		in.body = make([]byte, b.Length())
		js.CopyBytesToGo(in.body, b)
	}
	if d := args[4]; d.Type() == js.TypeNumber && d.Float() > 0 {
		in.deadline = time.Duration(d.Float() * float64(time.Millisecond))
	}
	return in, nil
}

// serveOne runs h on one request and returns its status, headers (JSON pairs) and body. An
// error means the entry handed over something malformed (its bug, not the client's).
func serveOne(h http.Handler, in request) (int, string, []byte, error) {
	var pairs [][2]string
	if err := json.Unmarshal([]byte(in.headers), &pairs); err != nil {
		return 0, "", nil, fmt.Errorf("serve: request headers: %w", err)
	}
	header := make(http.Header, len(pairs))
	for _, p := range pairs {
		header.Add(p[0], p[1])
	}
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if in.deadline > 0 {
		ctx, cancel = context.WithTimeout(ctx, in.deadline)
	}
	defer cancel()
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	if req, ok := newRequest(ctx, in, header); ok {
		h.ServeHTTP(rec, req)
	} else {
		// The runtime's URL parser (WHATWG) takes what net/url refuses, such as "/%zz": the
		// client's mistake, answered here, and this instance keeps serving.
		service.BadURL(rec, req)
	}
	out := make([][2]string, 0, len(rec.header))
	for k, vs := range rec.header {
		for _, v := range vs {
			out = append(out, [2]string{k, v})
		}
	}
	hj, _ := json.Marshal(out) // strings only: cannot fail
	return rec.status, string(hj), rec.body, nil
}

// newRequest builds the http.Request; ok is false when its URL does not parse, and the
// request then carries the method, the headers and only the URL's path: net/url's error would
// quote the whole URL, and a query can hold a code or a state, which must reach no log line.
func newRequest(ctx context.Context, in request, header http.Header) (req *http.Request, ok bool) {
	var body io.Reader = http.NoBody
	if in.body != nil {
		body = bytes.NewReader(in.body)
	}
	req, err := http.NewRequestWithContext(ctx, in.method, in.url, body)
	if err != nil {
		bad := &http.Request{Method: in.method, URL: &url.URL{Path: pathOf(in.url)}, Header: header, Body: http.NoBody}
		return bad.WithContext(ctx), false
	}
	req.Header = header
	req.Host = req.URL.Host
	return req, true
}

// pathOf returns the path of an absolute URL as the runtime hands it over, without query or
// fragment.
func pathOf(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		raw = raw[i+3:]
		if j := strings.IndexByte(raw, '/'); j >= 0 {
			raw = raw[j:]
		} else {
			raw = "/"
		}
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	return raw
}

// recorder is an http.ResponseWriter that keeps the status and body.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	r.body = append(r.body, p...)
	return len(p), nil
}
