package auth

import (
	"errors"
	"fmt"
	"net/url"
)

// Redirect is Globus Auth's answer on the redirect URI, read from its query: the state, and
// either a code or an OAuth error (RFC 6749 §4.1.2 and §4.1.2.1).
type Redirect struct {
	State, Code, Error, ErrorDescription string
}

// ParseRedirect reads the answer from a redirect's query.
func ParseRedirect(q url.Values) Redirect {
	return Redirect{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), ErrorDescription: q.Get("error_description")}
}

// ErrNoAnswer is a redirect carrying neither a code nor an error: not an answer of Globus Auth
// (a hand-made or truncated URL).
var ErrNoAnswer = errors.New("auth: the redirect carries neither a code nor an error")

// CodeFor checks the answer against the login f it claims to finish and returns its code.
// The order is every host's: a state that is not f's is ErrStateMismatch before anything else
// in the answer is honoured; then a code is taken; then an error is an *AuthorizeError;
// neither is ErrNoAnswer.
func (r Redirect) CodeFor(f *Flow) (string, error) {
	if err := f.CheckState(r.State); err != nil {
		return "", err
	}
	switch {
	case r.Code != "":
		return r.Code, nil
	case r.Error != "":
		return "", &AuthorizeError{Code: r.Error, Description: r.ErrorDescription}
	}
	return "", ErrNoAnswer
}

// AuthorizeError is an ?error=... redirect from Globus Auth (e.g. the user declined consent).
type AuthorizeError struct {
	Code, Description string
}

func (e *AuthorizeError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("auth: login failed: %s: %s", e.Code, e.Description)
	}
	return "auth: login failed: " + e.Code
}
