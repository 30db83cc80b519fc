package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// PostForm sends a form-encoded POST through d and returns the body of a 2xx answer; any
// other status is an *APIError. header may add headers (e.g. Authorization for a confidential
// client).
func PostForm(ctx context.Context, d Doer, u string, form url.Values, header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("globus: building request: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(d, req)
}

// GetJSON sends a GET with Accept: application/json and returns the body of a 2xx answer.
func GetJSON(ctx context.Context, d Doer, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("globus: building request: %w", err)
	}
	return send(d, req)
}

func send(d Doer, req *http.Request) ([]byte, error) {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Globus-Client-Info", "product=globus-edge,version=0.1")
	resp, err := d(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("globus: %s %s: reading body: %w", req.Method, stripQuery(req.URL.String()), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := NewAPIError(req.Method, req.URL.String(), resp.StatusCode, resp.Header.Get("Content-Type"), body)
		e.RetryAfter = resp.Header.Get("Retry-After")
		return nil, e
	}
	return body, nil
}

// ErrMalformedResponse marks a successful (2xx) answer whose body is not what the API
// defines: not JSON, or without the fields it must have. Like an error status, it is Globus
// (or a proxy in front of it) failing, not the caller; hosts report both the same way.
var ErrMalformedResponse = errors.New("malformed response")

// DecodeJSON unmarshals a successful body, wrapping a malformed one in ErrMalformedResponse.
func DecodeJSON(what string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("globus: %s: %w: %w", what, ErrMalformedResponse, err)
	}
	return nil
}
