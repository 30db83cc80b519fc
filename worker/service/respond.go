package service

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/globus-edge/globus-edge/app"
)

//go:generate go test -run TestLastResortModule -update .

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	// Error is a stable machine-readable code: the failure's app.Kind (e.g. "login_required",
	// "authorize_error"), or one of this service's own refusals (CodeNotFound, ...).
	Error string `json:"error"`
	// Message is for people; it never contains a token, code, verifier or session id.
	Message string `json:"message"`
	// RequestID is also in the X-Request-Id header and in the log line of the failure.
	RequestID string `json:"request_id"`
	// GlobusCode is Globus's own code when Globus answered (e.g. "SERVICE_UNAVAILABLE") or the
	// OAuth error of the redirect ("access_denied"): app.Failure.GlobusCode.
	GlobusCode string `json:"globus_code,omitempty"`
	// GlobusStatus is the HTTP status of Globus's answer, when there was one.
	GlobusStatus int `json:"globus_status,omitempty"`
}

// Codes of ErrorBody.Error besides the core's failures, whose code is their app.Kind
// (app.Describe gives it).
const (
	// This service's own refusals, made before the core is involved.
	CodeInvalidSession   = "invalid_session" // a malformed session cookie
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

// requestIDBytes is how many random bytes make a request id (written in hex). The worker's
// JS entry makes its ids the same way, from lastresort.mjs generated here.
const requestIDBytes = 8

// newRequestID is the one request-id generator of the service.
func newRequestID() string {
	b := make([]byte, requestIDBytes)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	return hex.EncodeToString(b)
}

// fail answers an error. cause goes to the log only; it must not carry secrets (the core's
// errors never include tokens, codes or verifiers, and request URLs are logged without query).
func (x *reply) fail(status int, code, message string, cause error) {
	x.failBody(status, ErrorBody{Error: code, Message: message}, cause)
}

func (x *reply) failBody(status int, body ErrorBody, cause error) {
	if cause != nil {
		x.h.logf("service: %s %s %s: %d %s: %s: %v", x.id, x.r.Method, x.r.URL.Path, status, body.Error, body.Message, cause)
	} else {
		x.h.logf("service: %s %s %s: %d %s: %s", x.id, x.r.Method, x.r.URL.Path, status, body.Error, body.Message)
	}
	body.RequestID = x.id
	x.writeJSON(status, body)
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

// kindMessage says in words what happened and what to do; what is the step that failed.
func kindMessage(f app.Failure, what string) string {
	switch f.Kind {
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
	case app.KindBadCallback:
		return "the callback carries neither a code nor an error"
	case app.KindAuthorize, app.KindConfig, app.KindGlobus:
		return what + ": " + f.Message // their messages name no secret
	case app.KindStorage:
		return what + ": the session store failed"
	case app.KindNetwork:
		return what + ": Globus could not be reached"
	case app.KindTimeout:
		return what + ": Globus did not answer in time"
	}
	return what + " failed"
}

// failErr answers an error returned by the core or by KV as app.Describe says: the kind's
// status, the kind as the code, Globus's code and status when Globus answered. The session
// cookie is expired when the session is gone. An unreadable session keeps its cookie: the
// record is kept too, and when the cause is the configuration (a key removed from
// TOKEN_ENCRYPTION_KEY too early) restoring it brings every session back; a new login
// replaces the cookie anyway.
func (x *reply) failErr(what string, err error) {
	f := app.Describe(err)
	cause := err
	if f.Kind == app.KindAuthorize || f.Kind == app.KindConfig || f.Kind == app.KindGlobus {
		cause = nil // already in the message
	}
	x.failAs(f, kindMessage(f, what), cause)
}

// failAs answers the failure f with message; cause goes to the log line only.
func (x *reply) failAs(f app.Failure, message string, cause error) {
	if f.Kind == app.KindLoginRequired {
		x.clearSession()
	}
	x.failBody(f.Status, ErrorBody{Error: string(f.Kind), Message: message, GlobusCode: f.GlobusCode, GlobusStatus: f.GlobusStatus}, cause)
}
