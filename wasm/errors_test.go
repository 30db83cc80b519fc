//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// TestErrorInfo: the JS error is app.Describe's failure, field by field (its table of
// failures is app.TestDescribe's): code is always the kind, Globus's own code is globusCode.
func TestErrorInfo(t *testing.T) {
	refused := transport.NewAPIError("POST", "https://auth.globus.org/v2/oauth2/token", 400,
		"application/json", []byte(`{"error":"invalid_grant","error_description":"gone","request_id":"req-9"}`))
	for _, err := range []error{
		fmt.Errorf("%w: refused: %w", app.ErrLoginRequired, refused),
		&auth.AuthorizeError{Code: "access_denied", Description: "no"},
		&transport.NetworkError{Method: "GET", URL: "u", Err: &jsx.Error{Name: "TypeError", Message: "Failed to fetch"}},
		invalid("config.storage", "is bad"),
		&tokens.StorageError{Op: "tokens: writing storage", Err: &jsx.Error{Name: "QuotaExceededError"}},
		errors.New("something else"),
	} {
		f, info := app.Describe(err), describe(err)
		name := map[bool]string{true: "LoginRequiredError", false: "GlobusError"}[f.Kind == app.KindLoginRequired]
		want := errorInfo{Name: name, Message: err.Error(), Code: string(f.Kind), ServerStatus: f.Status,
			GlobusCode: f.GlobusCode, HTTPStatus: f.GlobusStatus, RequestID: f.GlobusRequestID, LoginRequired: f.Kind == app.KindLoginRequired}
		if info != want {
			t.Errorf("describe(%v) = %+v, want %+v", err, info, want)
		}
	}
	if info := describe(fmt.Errorf("auth: %w", refused)); info.Code != "invalid_grant" || info.GlobusCode != "invalid_grant" || info.HTTPStatus != 400 {
		t.Errorf("a refused code: %+v", info)
	}
}

// TestErrorValueCrossesToJS checks the object JavaScript receives, field by field.
func TestErrorValueCrossesToJS(t *testing.T) {
	api := transport.NewAPIError("GET", "https://g/x", 401, "application/json",
		[]byte(`{"code":"AUTHENTICATION_ERROR","detail":"bad token","request_id":"r1"}`))
	v := errorValue(fmt.Errorf("%w: %w", app.ErrLoginRequired, api))
	if v.Get("name").String() != "LoginRequiredError" || !v.Get("loginRequired").Bool() ||
		v.Get("httpStatus").Int() != 401 || v.Get("requestId").String() != "r1" ||
		v.Get("code").String() != "login_required" || v.Get("globusCode").String() != "AUTHENTICATION_ERROR" || v.Get("message").String() == "" {
		t.Fatalf("errorValue = %v", jsonString(v))
	}
}
