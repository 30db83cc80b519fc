//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/transport"
)

// errorInfo describes err for JavaScript: name (the shim's Error subclass), message,
// httpStatus (0 when no HTTP answer was involved), code, requestId and loginRequired. The code
// is the core's app.Kind, except that an answer from Globus keeps Globus's own code (e.g.
// "invalid_grant", "FORBIDDEN") and an ?error= redirect its OAuth error (e.g. "access_denied"),
// which say more. It only translates: what an error means was decided in the core.
func errorInfo(err error) map[string]any {
	kind := app.KindOf(err)
	info := map[string]any{
		"name": "GlobusError", "message": err.Error(), "httpStatus": 0,
		"code": string(kind), "requestId": "", "loginRequired": kind == app.KindLoginRequired,
	}
	if kind == app.KindLoginRequired {
		info["name"] = "LoginRequiredError"
	}
	var (
		api   *transport.APIError
		authz *auth.AuthorizeError
	)
	// An API error inside a login-required error (the refused refresh token) keeps its status.
	if errors.As(err, &api) {
		info["httpStatus"], info["requestId"] = api.HTTPStatus, api.RequestID
		if (kind == app.KindGlobus || kind == app.KindCodeRefused) && api.Code != "" {
			info["code"] = api.Code
		}
	}
	if kind == app.KindAuthorize && errors.As(err, &authz) {
		info["code"] = authz.Code
	}
	return info
}

// errorValue is errorInfo as a JavaScript object, the rejection value of every Promise.
func errorValue(err error) js.Value { return js.ValueOf(errorInfo(err)) }

// configError marks a bad client configuration (app.KindConfig).
type configError struct{ err error }

func (e configError) Error() string { return "globus-edge: invalid config: " + e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// Is makes a configError match config.ErrInvalid, the mark app.KindOf looks for.
func (e configError) Is(target error) bool { return target == config.ErrInvalid }
