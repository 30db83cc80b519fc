//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
	"github.com/globus-edge/globus-edge/wasm/internal/jsx"
)

// Error codes for failures that are not a Globus API answer. API errors carry Globus's own
// code (e.g. "invalid_grant"), an ?error= redirect its OAuth error (e.g. "access_denied").
const (
	codeLoginRequired = "login_required"
	codeStateMismatch = "state_mismatch"
	codeNoLogin       = "no_login_in_progress"
	codeNetwork       = "network_error"
	codeTimeout       = "timeout"
	codeCorrupt       = "storage_corrupt"
	codeStorage       = "storage_error"
	codeConfig        = "invalid_config"
)

// errorInfo describes err for JavaScript: name (the shim's Error subclass), message,
// httpStatus (0 when no HTTP answer was involved), code, requestId and loginRequired. It only
// classifies; every decision about what an error means was made in the core.
func errorInfo(err error) map[string]any {
	info := map[string]any{
		"name": "GlobusError", "message": err.Error(), "httpStatus": 0,
		"code": "", "requestId": "", "loginRequired": false,
	}
	var (
		api   *transport.APIError
		authz *auth.AuthorizeError
		netw  *transport.NetworkError
		jsErr *jsx.Error
		cfg   configError
	)
	switch {
	case errors.Is(err, app.ErrLoginRequired):
		info["name"], info["code"], info["loginRequired"] = "LoginRequiredError", codeLoginRequired, true
	case errors.As(err, &api):
		info["httpStatus"], info["code"], info["requestId"] = api.HTTPStatus, api.Code, api.RequestID
	case errors.As(err, &authz):
		info["code"] = authz.Code
	case errors.Is(err, auth.ErrStateMismatch):
		info["code"] = codeStateMismatch
	case errors.Is(err, errNoLogin):
		info["code"] = codeNoLogin
	case errors.Is(err, tokens.ErrCorrupt):
		info["code"] = codeCorrupt
	case errors.Is(err, context.DeadlineExceeded):
		info["code"] = codeTimeout
	case errors.As(err, &netw):
		info["code"] = codeNetwork
	case errors.As(err, &cfg):
		info["code"] = codeConfig
	case errors.As(err, &jsErr):
		info["code"] = codeStorage // the only JavaScript calls outside fetch are Web Storage
	}
	// An API error inside a login-required error (the refused refresh token) keeps its status.
	if info["loginRequired"] == true && errors.As(err, &api) {
		info["httpStatus"], info["requestId"] = api.HTTPStatus, api.RequestID
	}
	return info
}

// errorValue is errorInfo as a JavaScript object, the rejection value of every Promise.
func errorValue(err error) js.Value { return js.ValueOf(errorInfo(err)) }

// configError marks a bad client configuration.
type configError struct{ err error }

func (e configError) Error() string { return "globus-edge: invalid config: " + e.err.Error() }
func (e configError) Unwrap() error { return e.err }
