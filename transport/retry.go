package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry policy defaults, as in the Python SDK's RetryConfig.
const (
	DefaultMaxRetries = 5
	DefaultMaxSleep   = 10 * time.Second
)

// Client sends requests through a Doer with the Python SDK's retry policy: up to MaxRetries
// retries on 429/500/502/503/504 and on network errors, sleeping (0.25+0.5*rand)*2^attempt
// seconds capped at MaxSleep, or an integer Retry-After on 429/503 (also capped). Every
// attempt gets its own Timeout. Response bodies are read into memory before Do returns, so the
// caller may close nothing and the per-attempt timeout covers the body too.
//
// Client's Do method is itself a Doer, so authorizers and service clients can stack on it.
type Client struct {
	// Doer sends each attempt. Required.
	Doer Doer
	// Timeout bounds each attempt, body included. Zero means no timeout.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt. Negative means none;
	// zero means DefaultMaxRetries. Set NoRetries for none.
	MaxRetries int
	// MaxSleep caps every backoff; zero means DefaultMaxSleep.
	MaxSleep time.Duration
	// Sleep waits between attempts; nil means a context-aware time.Sleep. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NoRetries is a MaxRetries value that disables retries.
const NoRetries = -1

// Do sends req with retries. A request with a body must have GetBody set (http.NewRequest
// sets it for bytes/strings readers) so the body can be sent again.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	max := c.MaxRetries
	if max == 0 {
		max = DefaultMaxRetries
	} else if max < 0 {
		max = 0
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.once(req)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("globus: %s %s: %w", req.Method, stripQuery(req.URL.String()), ctx.Err())
		}
		if errors.Is(err, ErrBodyTooLarge) { // asking again would fetch the same flood
			return nil, fmt.Errorf("globus: %s %s: %w", req.Method, stripQuery(req.URL.String()), err)
		}
		retry := err != nil || isTransient(resp.StatusCode)
		if !retry || attempt >= max {
			if err != nil {
				return nil, &NetworkError{Method: req.Method, URL: req.URL.String(), Err: err}
			}
			return resp, nil
		}
		if err := c.sleep(ctx, c.backoff(attempt, resp)); err != nil {
			return nil, fmt.Errorf("globus: %s %s: %w", req.Method, stripQuery(req.URL.String()), err)
		}
	}
}

// once sends one attempt under the per-attempt timeout and buffers the body.
func (c *Client) once(req *http.Request) (*http.Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if c.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
	}
	defer cancel()
	// A shallow copy: nothing below modifies the request (a Doer must not), and req.Clone's
	// deep copy links ~20 KB more into every wasm build (bench/analysis.md).
	r := req.WithContext(ctx)
	if req.Body != nil && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	resp, err := c.Doer(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := readBody(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, nil
}

func isTransient(status int) bool {
	switch status {
	case 429, 500, 502, 503, 504:
		return true
	}
	return false
}

func (c *Client) backoff(attempt int, resp *http.Response) time.Duration {
	maxSleep := c.MaxSleep
	if maxSleep == 0 {
		maxSleep = DefaultMaxSleep
	}
	d := time.Duration((0.25 + 0.5*rand.Float64()) * float64(time.Second) * float64(int(1)<<attempt))
	if resp != nil && (resp.StatusCode == 429 || resp.StatusCode == 503) {
		// Only the integer form of Retry-After counts, as in the Python SDK.
		if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
			d = time.Duration(s) * time.Second
		}
	}
	return min(d, maxSleep)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
