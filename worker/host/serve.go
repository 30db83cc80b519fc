//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"syscall/js"
)

// exportServe gives the entry binding.serve(method, url, headers, body) → Promise of
// [status, headers, body]: the request and the answer cross between JS and Go whole, headers
// as one JSON list of [name, value] pairs and bodies as one Uint8Array. syumai's translation
// crossed once per header and wrapped every value in a js.Value with a finalizer: 42% of a
// /healthz's CPU under Node (bench/profile-worker.mjs). Bodies are small here (a page, JSON,
// CSV), so nothing is streamed, and the answer is complete when the Promise resolves.
func exportServe(h http.Handler) {
	promise, errorClass := js.Global().Get("Promise"), js.Global().Get("Error")
	uint8Array, array := js.Global().Get("Uint8Array"), js.Global().Get("Array")
	binding().Set("serve", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 4 {
			return promise.Call("reject", errorClass.New("serve: want method, url, headers, body"))
		}
		method, url, headers := args[0].String(), args[1].String(), args[2].String()
		var body []byte
		if b := args[3]; b.Truthy() {
			body = make([]byte, b.Length())
			js.CopyBytesToGo(body, b)
		}
		var run js.Func
		run = js.FuncOf(func(_ js.Value, p []js.Value) any {
			run.Release()
			resolve, reject := p[0], p[1]
			go func() {
				status, hdr, out, err := serveOne(h, method, url, headers, body)
				if err != nil {
					reject.Invoke(errorClass.New(err.Error()))
					return
				}
				arr := uint8Array.New(len(out))
				js.CopyBytesToJS(arr, out)
				resolve.Invoke(array.New(status, hdr, arr))
			}()
			return nil
		})
		return promise.New(run)
	}))
}

// serveOne runs h on one request and returns its status, headers (JSON pairs) and body.
func serveOne(h http.Handler, method, url, headers string, body []byte) (int, string, []byte, error) {
	var pairs [][2]string
	if err := json.Unmarshal([]byte(headers), &pairs); err != nil {
		return 0, "", nil, fmt.Errorf("serve: request headers: %w", err)
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		return 0, "", nil, fmt.Errorf("serve: %w", err)
	}
	for _, p := range pairs {
		req.Header.Add(p[0], p[1])
	}
	req.Host = req.URL.Host
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(rec, req)
	out := make([][2]string, 0, len(rec.header))
	for k, vs := range rec.header {
		for _, v := range vs {
			out = append(out, [2]string{k, v})
		}
	}
	hj, err := json.Marshal(out)
	if err != nil {
		return 0, "", nil, fmt.Errorf("serve: response headers: %w", err)
	}
	return rec.status, string(hj), rec.body, nil
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
