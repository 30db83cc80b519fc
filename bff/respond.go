package bff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	// Error is a stable machine-readable code, e.g. "login_required".
	Error string `json:"error"`
	// Message is for people; it never contains a token, code, verifier or session id.
	Message string `json:"message"`
	// RequestID is also in the X-Request-Id header and in the log line of the failure.
	RequestID string `json:"request_id"`
}

// Error codes of ErrorBody.Error.
const (
	CodeLoginRequired    = "login_required"
	CodeInvalidSession   = "invalid_session"
	CodeInvalidState     = "invalid_state"
	CodeBadCallback      = "bad_callback"
	CodeCrossOrigin      = "cross_origin"
	CodeGlobusError      = "globus_error"
	CodeStorageError     = "storage_error"
	CodeConfiguration    = "configuration_error"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeBadRequest       = "bad_request"
	CodeInternal         = "internal_error"
)

// exchange is one request being answered.
type exchange struct {
	h  *Handler
	w  http.ResponseWriter
	r  *http.Request
	id string
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	return hex.EncodeToString(b)
}

// fail answers an error. cause goes to the log only; it must not carry secrets (the core's
// errors never include tokens, codes or verifiers, and request URLs are logged without query).
func (x *exchange) fail(status int, code, message string, cause error) {
	if cause != nil {
		x.h.logf("bff: %s %s %s: %d %s: %s: %v", x.id, x.r.Method, x.r.URL.Path, status, code, message, cause)
	} else {
		x.h.logf("bff: %s %s %s: %d %s: %s", x.id, x.r.Method, x.r.URL.Path, status, code, message)
	}
	x.writeJSON(status, ErrorBody{Error: code, Message: message, RequestID: x.id})
}

func (x *exchange) writeJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal_error","message":"encoding the response failed","request_id":"`+x.id+`"}`)
	}
	x.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	x.w.WriteHeader(status)
	x.w.Write(append(b, '\n'))
}

// failErr answers an error returned by the core or by KV with the status it deserves.
func (x *exchange) failErr(what string, err error) {
	var (
		apiErr *transport.APIError
		netErr *transport.NetworkError
		authz  *auth.AuthorizeError
		kvErr  *kvError
	)
	switch {
	case IsConfigError(err):
		x.fail(http.StatusInternalServerError, CodeConfiguration, err.Error(), nil)
	case errors.Is(err, app.ErrLoginRequired):
		x.clearSession()
		x.fail(http.StatusUnauthorized, CodeLoginRequired, "not logged in (or the login expired): log in again", err)
	case errors.Is(err, tokens.ErrCorrupt):
		x.clearSession()
		x.fail(http.StatusUnauthorized, CodeInvalidSession, "the stored session cannot be read: log in again", err)
	case errors.As(err, &kvErr):
		x.fail(http.StatusInternalServerError, CodeStorageError, what+": the session store failed", err)
	case errors.As(err, &authz):
		x.fail(http.StatusBadRequest, oauthCode(authz.Code), "Globus Auth did not log you in: "+authz.Error(), nil)
	case errors.As(err, &apiErr):
		x.fail(http.StatusBadGateway, CodeGlobusError, what+": "+apiErr.Error(), nil)
	case errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded):
		x.fail(http.StatusBadGateway, CodeGlobusError, what+": Globus could not be reached", err)
	default:
		x.fail(http.StatusInternalServerError, CodeInternal, what+" failed", err)
	}
}

// oauthCode passes on an OAuth error code from a redirect when it looks like one.
func oauthCode(c string) string {
	if c == "" || len(c) > 64 {
		return CodeBadCallback
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && r != '_' {
			return CodeBadCallback
		}
	}
	return c
}
