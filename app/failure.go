package app

import (
	"errors"
	"net/http"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/transport"
)

// Failure is what every host says about a failed operation, decided once: the CLI's stderr
// line, the worker's JSON error body (and its entry's last-resort answer) and the JS package's
// errors are each built from one.
type Failure struct {
	// Kind is what went wrong, in the one vocabulary (KindOf).
	Kind Kind
	// Status is the HTTP status a server answers the failure with (Kind.Status).
	Status int
	// Message is for people: the error's text, which never holds a token, code or verifier.
	Message string
	// GlobusCode is Globus's own code when Globus answered (transport.APIError.Code, e.g.
	// "SERVICE_UNAVAILABLE" or "invalid_grant") or the OAuth error a redirect carried
	// ("access_denied"); empty otherwise.
	GlobusCode string
	// GlobusStatus is the HTTP status of Globus's answer; 0 when none was involved.
	GlobusStatus int
	// GlobusRequestID is the request id of Globus's answer, to quote to Globus support.
	GlobusRequestID string
}

// Describe says what err is. A nil err is the zero Failure.
func Describe(err error) Failure {
	if err == nil {
		return Failure{}
	}
	k := KindOf(err)
	f := Failure{Kind: k, Status: k.Status(), Message: err.Error()}
	// An API error inside another (the refused refresh token of a login_required) is still
	// Globus's answer.
	if api, ok := errors.AsType[*transport.APIError](err); ok {
		f.GlobusCode, f.GlobusStatus, f.GlobusRequestID = api.Code, api.HTTPStatus, api.RequestID
	} else if authz, ok := errors.AsType[*auth.AuthorizeError](err); ok {
		f.GlobusCode = oauthCode(authz.Code)
	}
	return f
}

// oauthCode is a redirect's ?error= when it looks like an OAuth error code (RFC 6749's are
// lowercase words joined by underscores); anyone can put anything in a URL, and a host passes
// this on as a code.
func oauthCode(c string) string {
	if c == "" || len(c) > 64 {
		return ""
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && r != '_' {
			return ""
		}
	}
	return c
}

// Status is the HTTP status a server answers a failure of kind k with. (A switch, not a map:
// it is the smaller code in the page's WebAssembly.)
func (k Kind) Status() int {
	switch k {
	case KindLoginRequired, KindStorageCorrupt: // the stored login cannot be read: log in again
		return http.StatusUnauthorized
	case KindStateMismatch, KindNoLogin, KindCodeRefused, KindAuthorize, KindBadCallback:
		return http.StatusBadRequest
	case KindGlobus, KindNetwork:
		return http.StatusBadGateway
	case KindTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError // KindConfig, KindStorage, KindInternal, anything new
}
