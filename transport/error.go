package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
)

// APIError is a non-2xx/3xx answer from a Globus service, parsed the way the Python SDK's
// GlobusAPIError parses it, plus the OAuth "error"/"error_description" fields that the Python
// SDK drops.
type APIError struct {
	Method, URL string
	// HTTPStatus is the response status code.
	HTTPStatus int
	// Code is the error code: an OAuth "error", a Groups/Auth "code", or the code all
	// sub-errors share. Empty when the body names none.
	Code string
	// Message is the "; "-joined messages, or empty.
	Message string
	// RequestID is the body's request_id, or the single distinct errors[].id of an Auth error.
	RequestID string
	// Errors holds the sub-errors of a JSON:API style body.
	Errors []SubError
	// RetryAfter is the raw Retry-After header, if any.
	RetryAfter string
	// Body is the raw response body (Globus error bodies never carry tokens).
	Body []byte
}

// SubError is one element of an "errors" array.
type SubError struct {
	Code, Message, ID string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "globus: %s %s: HTTP %d", e.Method, e.URL, e.HTTPStatus)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// NewAPIError parses an error response body. Bodies that are not JSON keep only status and body.
func NewAPIError(method, url string, status int, contentType string, body []byte) *APIError {
	e := &APIError{Method: method, URL: stripQuery(url), HTTPStatus: status, Body: body}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return e
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return e
	}
	e.RequestID = str(doc["request_id"])
	var msgs []string
	if errs, ok := doc["errors"].([]any); ok {
		codes, ids := map[string]bool{}, map[string]bool{}
		for _, raw := range errs {
			m, _ := raw.(map[string]any)
			se := SubError{Code: str(m["code"]), ID: str(m["id"])}
			se.Message = firstNonEmpty(str(m["message"]), str(m["detail"]), str(m["title"]))
			e.Errors = append(e.Errors, se)
			codes[se.Code] = true
			if se.ID != "" {
				ids[se.ID] = true
			}
			if se.Message != "" {
				msgs = append(msgs, se.Message)
			}
		}
		if len(codes) == 1 {
			for c := range codes {
				e.Code = c
			}
		}
		if e.RequestID == "" && len(ids) == 1 {
			for id := range ids {
				e.RequestID = id
			}
		}
	}
	if c := str(doc["code"]); c != "" {
		e.Code = c
	}
	if len(msgs) == 0 {
		if m := firstNonEmpty(str(doc["message"]), str(doc["detail"])); m != "" {
			msgs = append(msgs, m)
		}
	}
	// OAuth error bodies ({"error", "error_description"}) fill what is still missing.
	if e.Code == "" {
		e.Code = str(doc["error"])
	}
	if len(msgs) == 0 {
		if d := str(doc["error_description"]); d != "" {
			msgs = append(msgs, d)
		}
	}
	e.Message = strings.Join(msgs, "; ")
	return e
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// stripQuery keeps error messages free of query strings (which may carry codes or states).
func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// NetworkError is a request that never produced an HTTP response (connection refused, DNS,
// timeout), after all retries.
type NetworkError struct {
	Method, URL string
	Err         error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("globus: %s %s: network error: %v", e.Method, stripQuery(e.URL), e.Err)
}

// Unwrap returns the underlying error (context.DeadlineExceeded for timeouts).
func (e *NetworkError) Unwrap() error { return e.Err }

// Timeout reports whether the request failed because an attempt timed out.
func (e *NetworkError) Timeout() bool { return errors.Is(e.Err, context.DeadlineExceeded) }
