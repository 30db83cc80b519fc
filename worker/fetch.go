//go:build js && wasm

package main

import (
	"net/http"
	"syscall/js"

	"github.com/syumai/workers/cloudflare/fetch"
)

// fetchDoer sends the core's requests with the runtime's fetch (Go's own net/http client
// panics inside workerd). It is a transport.Doer.
type fetchDoer struct{ c *fetch.Client }

type fetched struct {
	resp *http.Response
	err  error
}

// Do implements transport.Doer. syumai's fetch takes no context, so Do stops waiting when
// req's context ends (the per-attempt timeout) and leaves the fetch to finish on its own.
func (d fetchDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := make(chan fetched, 1)
	go func() {
		resp, err := d.c.Do(&fetch.Request{Request: req}, nil)
		done <- fetched{resp, err}
	}()
	select {
	case f := <-done:
		if f.err != nil {
			return nil, f.err
		}
		// A response without a body (JS null) would panic on the first Read.
		if raw, ok := f.resp.Body.(interface{ GetRawJSBody() js.Value }); ok && raw.GetRawJSBody().IsNull() {
			f.resp.Body = http.NoBody
		}
		return f.resp, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
