package service

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
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
	// Failures of the core, by kind (app.Kind is the one vocabulary; see kindStatus).
	CodeLoginRequired  = string(app.KindLoginRequired)
	CodeStorageCorrupt = string(app.KindStorageCorrupt)
	CodeStateMismatch  = string(app.KindStateMismatch)
	CodeNoLogin        = string(app.KindNoLogin)
	CodeCodeRefused    = string(app.KindCodeRefused)
	CodeGlobusError    = string(app.KindGlobus)
	CodeTimeout        = string(app.KindTimeout)
	CodeStorageError   = string(app.KindStorage)
	CodeConfiguration  = string(app.KindConfig)
	CodeInternal       = string(app.KindInternal)
	// Requests this service refuses before the core is involved.
	CodeInvalidSession   = "invalid_session" // a malformed session cookie
	CodeBadCallback      = "bad_callback"
	CodeCrossOrigin      = "cross_origin"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeBadRequest       = "bad_request"
)

// reply is one request being answered: the handler, the request, its writer and its id.
type reply struct {
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
func (x *reply) fail(status int, code, message string, cause error) {
	if cause != nil {
		x.h.logf("service: %s %s %s: %d %s: %s: %v", x.id, x.r.Method, x.r.URL.Path, status, code, message, cause)
	} else {
		x.h.logf("service: %s %s %s: %d %s: %s", x.id, x.r.Method, x.r.URL.Path, status, code, message)
	}
	x.writeJSON(status, ErrorBody{Error: code, Message: message, RequestID: x.id})
}

func (x *reply) writeJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal_error","message":"encoding the response failed","request_id":"`+x.id+`"}`)
	}
	x.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	x.w.WriteHeader(status)
	x.w.Write(append(b, '\n'))
}

// kindStatus is this host's answer to each kind of failure the core reports (app.KindOf):
// the HTTP status; the JSON error code is the kind's own name.
var kindStatus = map[app.Kind]int{
	app.KindLoginRequired:  http.StatusUnauthorized,
	app.KindStorageCorrupt: http.StatusUnauthorized, // the session cannot be read: log in again
	app.KindStateMismatch:  http.StatusBadRequest,
	app.KindNoLogin:        http.StatusBadRequest,
	app.KindCodeRefused:    http.StatusBadRequest,
	app.KindAuthorize:      http.StatusBadRequest,
	app.KindConfig:         http.StatusInternalServerError,
	app.KindStorage:        http.StatusInternalServerError,
	app.KindGlobus:         http.StatusBadGateway,
	app.KindNetwork:        http.StatusBadGateway,
	app.KindTimeout:        http.StatusGatewayTimeout,
	app.KindInternal:       http.StatusInternalServerError,
}

// kindMessage says in words what happened and what to do; what is the step that failed.
func kindMessage(k app.Kind, what string, err error) string {
	switch k {
	case app.KindLoginRequired:
		return "not logged in (or the login expired): log in again"
	case app.KindStorageCorrupt:
		return "the stored session cannot be read: log in again"
	case app.KindStateMismatch:
		return "the state does not match the login started in this browser"
	case app.KindNoLogin:
		return "no login is in progress in this browser (it expired or was used already): log in again"
	case app.KindCodeRefused:
		return "Globus Auth refused the authorization code (expired, already used or not for this login): log in again"
	case app.KindAuthorize, app.KindConfig, app.KindGlobus:
		return what + ": " + err.Error() // their messages name no secret
	case app.KindStorage:
		return what + ": the session store failed"
	case app.KindNetwork:
		return what + ": Globus could not be reached"
	case app.KindTimeout:
		return what + ": Globus did not answer in time"
	}
	return what + " failed"
}

// failErr answers an error returned by the core or by KV with the status its kind deserves.
// The session cookie is expired when the session is gone. An unreadable session keeps its
// cookie: the record is kept too, and when the cause is the configuration (a key removed from
// TOKEN_ENCRYPTION_KEY too early) restoring it brings every session back; a new login replaces
// the cookie anyway.
func (x *reply) failErr(what string, err error) {
	k := app.KindOf(err)
	code := string(k)
	var authz *auth.AuthorizeError
	if k == app.KindAuthorize && errors.As(err, &authz) {
		code = oauthCode(authz.Code)
	}
	if k == app.KindLoginRequired {
		x.clearSession()
	}
	cause := err
	if k == app.KindAuthorize || k == app.KindConfig || k == app.KindGlobus {
		cause = nil // already in the message
	}
	x.fail(kindStatus[k], code, kindMessage(k, what, err), cause)
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
