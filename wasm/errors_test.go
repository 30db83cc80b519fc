//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
	"github.com/globus-edge/globus-edge/wasm/internal/jsx"
)

// TestErrorInfo: code is always the Kind; Globus's own code, status and request id travel
// apart (the full table of failures is app.TestDescribe's).
func TestErrorInfo(t *testing.T) {
	api := transport.NewAPIError("GET", "https://groups.api.globus.org/v2/groups/my_groups?x=1", 503,
		"application/json", []byte(`{"code":"SERVICE_UNAVAILABLE","detail":"down","request_id":"req-123"}`))
	refused := transport.NewAPIError("POST", "https://auth.globus.org/v2/oauth2/token", 400,
		"application/json", []byte(`{"error":"invalid_grant","error_description":"gone","request_id":"req-9"}`))
	type want struct {
		name, code, globusCode, requestID string
		status                            int
		loginRequired                     bool
	}
	cases := []struct {
		err  error
		want want
	}{
		{fmt.Errorf("groups: listing my groups: %w", api), want{"GlobusError", "globus_error", "SERVICE_UNAVAILABLE", "req-123", 503, false}},
		{fmt.Errorf("auth: exchanging the code: %w", refused), want{"GlobusError", "invalid_grant", "invalid_grant", "req-9", 400, false}},
		{app.ErrLoginRequired, want{"LoginRequiredError", "login_required", "", "", 0, true}},
		{fmt.Errorf("%w: refused: %w", app.ErrLoginRequired, refused), want{"LoginRequiredError", "login_required", "invalid_grant", "req-9", 400, true}},
		{&auth.AuthorizeError{Code: "access_denied", Description: "no"}, want{"GlobusError", "authorize_error", "access_denied", "", 0, false}},
		{auth.ErrNoAnswer, want{"GlobusError", "bad_callback", "", "", 0, false}},
		{fmt.Errorf("x: %w", auth.ErrStateMismatch), want{"GlobusError", "state_mismatch", "", "", 0, false}},
		{fmt.Errorf("%w: bad", tokens.ErrCorrupt), want{"GlobusError", "storage_corrupt", "", "", 0, false}},
		{&transport.NetworkError{Method: "GET", URL: "u", Err: &jsx.Error{Name: "TypeError", Message: "Failed to fetch"}}, want{"GlobusError", "network_error", "", "", 0, false}},
		{&transport.NetworkError{Method: "GET", URL: "u", Err: context.DeadlineExceeded}, want{"GlobusError", "timeout", "", "", 0, false}},
		{invalid("config.storage", "is bad"), want{"GlobusError", "invalid_config", "", "", 0, false}},
		{&tokens.StorageError{Op: "tokens: writing storage", Err: &jsx.Error{Name: "QuotaExceededError"}}, want{"GlobusError", "storage_error", "", "", 0, false}},
		{errors.New("something else"), want{"GlobusError", "internal_error", "", "", 0, false}},
	}
	for _, c := range cases {
		info := errorInfo(c.err)
		got := want{info["name"].(string), info["code"].(string), info["globusCode"].(string), info["requestId"].(string), info["httpStatus"].(int), info["loginRequired"].(bool)}
		if got != c.want {
			t.Errorf("errorInfo(%v) = %+v, want %+v", c.err, got, c.want)
		}
		if info["serverStatus"] != app.Describe(c.err).Status {
			t.Errorf("errorInfo(%v): serverStatus %v, want app.Describe's", c.err, info["serverStatus"])
		}
		if info["message"] != c.err.Error() {
			t.Errorf("message %q, want %q", info["message"], c.err.Error())
		}
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
