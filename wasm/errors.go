//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/internal/jsx"
)

// errorInfo is what JavaScript learns of an error (js/errors.js makes its Error subclass of
// it): the core's description of the failure (app.Describe), field by field. It only
// translates: what an error means was decided in the core.
type errorInfo struct {
	// Name is the Error subclass: GlobusError, or LoginRequiredError.
	Name    string `json:"name"`
	Message string `json:"message"`
	// Code is always the kind, never Globus's own code (that is GlobusCode).
	Code string `json:"code"`
	// ServerStatus is the HTTP status a server answers the kind with, as the Go worker does.
	ServerStatus int `json:"serverStatus"`
	// GlobusCode, HTTPStatus and RequestID are Globus's code, status and request id when
	// Globus answered; GlobusCode is the OAuth error of an ?error= redirect.
	GlobusCode    string `json:"globusCode"`
	HTTPStatus    int    `json:"httpStatus"`
	RequestID     string `json:"requestId"`
	LoginRequired bool   `json:"loginRequired"`
}

// describe is err as JavaScript sees it.
func describe(err error) errorInfo {
	f := app.Describe(err)
	e := errorInfo{Name: "GlobusError", Message: f.Message, Code: string(f.Kind), ServerStatus: f.Status,
		GlobusCode: f.GlobusCode, HTTPStatus: f.GlobusStatus, RequestID: f.GlobusRequestID, LoginRequired: f.Kind == app.KindLoginRequired}
	if e.LoginRequired {
		e.Name = "LoginRequiredError"
	}
	return e
}

// errorValue is describe(err) as a JavaScript object, the rejection value of every Promise.
// (JSON, not js.ValueOf of a map: the smaller code in a build near its size budget.)
func errorValue(err error) js.Value {
	v, _ := jsx.JSON(describe(err)) // a struct of strings, ints and a bool always encodes
	return v
}
