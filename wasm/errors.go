//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/globus-edge/globus-edge/app"
)

// errorInfo describes err for JavaScript as the core does (app.Describe): name (the shim's
// Error subclass), message, code (always the Kind), serverStatus (the HTTP status a server
// answers it with, as the Go worker does), globusCode, httpStatus and requestId
// (Globus's own code, status and request id when Globus answered, or the redirect's OAuth
// error as globusCode) and loginRequired. It only translates: what an error means was
// decided in the core.
func errorInfo(err error) map[string]any {
	f := app.Describe(err)
	info := map[string]any{
		"name": "GlobusError", "message": f.Message, "code": string(f.Kind), "serverStatus": f.Status,
		"globusCode": f.GlobusCode, "httpStatus": f.GlobusStatus, "requestId": f.GlobusRequestID,
		"loginRequired": f.Kind == app.KindLoginRequired,
	}
	if f.Kind == app.KindLoginRequired {
		info["name"] = "LoginRequiredError"
	}
	return info
}

// errorValue is errorInfo as a JavaScript object, the rejection value of every Promise.
func errorValue(err error) js.Value { return js.ValueOf(errorInfo(err)) }
