// Package transport sends the core's HTTP requests: the Doer function type every host
// supplies, retries with backoff as the Python SDK does them, per-attempt timeouts, and the API
// error type.
//
// The core never uses http.Client: linking net/http.Transport nearly doubles the WebAssembly
// download. Hosts supply a Doer instead (net/http natively, fetch in browsers and workers):
// natively, http.Client's Do method, such as http.DefaultClient.Do, is one. Programs start from
// package app.
package transport

import "net/http"

// Doer sends one HTTP request and returns its response. It is the only way the core reaches
// the network. Implementations must honour req.Context(). Pass a method value
// (http.DefaultClient.Do, (*Client).Do, jsfetch.Doer's Do) or a function literal.
//
// It is a function type, not an interface, on purpose: converting a type whose method returns
// *http.Response to an interface makes Go's linker keep the methods of everything reachable
// from *http.Response (its TLS state, x509 certificates, pkix names ...), ~260 KB raw and
// ~69 KB gzip of the page's WebAssembly (bench/analysis.md).
type Doer func(req *http.Request) (*http.Response, error)
