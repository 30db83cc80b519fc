// Package transport sends the core's HTTP requests: the Doer interface every host implements,
// retries with backoff as the Python SDK does them, per-attempt timeouts, and the API error type.
//
// The core never uses http.Client: linking net/http.Transport nearly doubles the WebAssembly
// download. Hosts supply a Doer instead (net/http natively, fetch in browsers and workers):
// natively, an *http.Client such as http.DefaultClient is one. Programs start from package app.
package transport

import "net/http"

// Doer sends one HTTP request and returns its response. It is the only way the core reaches
// the network. Implementations must honour req.Context().
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// DoerFunc adapts a function to the Doer interface.
type DoerFunc func(*http.Request) (*http.Response, error)

// Do calls f(req).
func (f DoerFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }
