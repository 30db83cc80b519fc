// Package authorizer puts Globus tokens on requests: a static access-token authorizer and a
// refresh-token authorizer that renews before expiry, writes renewed tokens back through an
// on-refresh hook, and renews once more when a service answers 401. Transport applies either
// one to a Doer, like x/oauth2's Transport.
package authorizer

import (
	"context"
	"errors"
	"net/http"

	"github.com/globus-edge/globus-edge/transport"
)

// Authorizer produces the Authorization header for each attempt.
type Authorizer interface {
	// Header returns the Authorization header value, renewing the token first if needed.
	Header(ctx context.Context) (string, error)
	// Invalidate is called after a 401 to the request sent with header; it reports whether a
	// new header is worth a retry.
	Invalidate(header string) bool
}

// AccessToken is a static bearer token (the Python SDK's AccessTokenAuthorizer). It cannot
// recover from a 401.
type AccessToken string

// Header implements Authorizer.
func (a AccessToken) Header(context.Context) (string, error) {
	if a == "" {
		return "", errors.New("authorizer: no access token")
	}
	return "Bearer " + string(a), nil
}

// Invalidate implements Authorizer: a static token cannot be renewed.
func (AccessToken) Invalidate(string) bool { return false }

// Transport sets the Authorization header from Authorizer on every request and, on a 401,
// asks the authorizer to renew and retries once. Its Do method is a transport.Doer, and it is
// an http.RoundTripper.
type Transport struct {
	// Base sends the requests. Required.
	Base transport.Doer
	// Authorizer supplies the header. Required.
	Authorizer Authorizer
}

// Do is a transport.Doer. The caller's request is not modified.
func (t *Transport) Do(req *http.Request) (*http.Response, error) {
	resp, sent, err := t.send(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !t.Authorizer.Invalidate(sent) {
		return resp, err
	}
	resp.Body.Close()
	resp, _, err = t.send(req)
	return resp, err
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) { return t.Do(req) }

// send sends req with the current header and returns the header it used.
func (t *Transport) send(req *http.Request) (*http.Response, string, error) {
	h, err := t.Authorizer.Header(req.Context())
	if err != nil {
		return nil, "", err
	}
	// A shallow copy with its own header map: the caller's request is not modified. Not
	// req.Clone, whose deep copy of forms and multipart files the core never uses and which
	// links ~20 KB more into every wasm build (bench/analysis.md).
	r := req.WithContext(req.Context())
	r.Header = req.Header.Clone()
	if req.Body != nil && req.GetBody != nil {
		if r.Body, err = req.GetBody(); err != nil {
			return nil, "", err
		}
	}
	r.Header.Set("Authorization", h)
	resp, err := t.Base(r)
	return resp, h, err
}
