package app

import (
	"context"
	"errors"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// Kind says what went wrong, in the one vocabulary every host reports: the CLI on its stderr
// line, the worker in its JSON error body, the JS package in its errors' code. Describe gives
// the rest of what a host says about a failure (Failure).
type Kind string

// The kinds, most specific first (KindOf checks them in this order).
const (
	// KindLoginRequired: no usable tokens (never logged in, logged out, refresh refused).
	KindLoginRequired Kind = "login_required"
	// KindStateMismatch: a redirect's state is not the login in progress's.
	KindStateMismatch Kind = "state_mismatch"
	// KindNoLogin: a login was to be finished but none is in progress (used, expired, never begun).
	KindNoLogin Kind = "no_login_in_progress"
	// KindCodeRefused: Globus Auth refused the authorization code (used, expired, mistyped).
	KindCodeRefused Kind = "invalid_grant"
	// KindAuthorize: Globus Auth redirected back with ?error= (e.g. the user declined consent).
	KindAuthorize Kind = "authorize_error"
	// KindBadCallback: a redirect carrying neither a code nor an error (not Auth's answer).
	KindBadCallback Kind = "bad_callback"
	// KindStorageCorrupt: stored token data cannot be read; it is left as it is.
	KindStorageCorrupt Kind = "storage_corrupt"
	// KindStorage: the token storage itself failed (disk, Web Storage, KV).
	KindStorage Kind = "storage_error"
	// KindConfig: a missing or malformed setting.
	KindConfig Kind = "invalid_config"
	// KindTimeout: Globus did not answer in time, after the retries.
	KindTimeout Kind = "timeout"
	// KindNetwork: Globus could not be reached, after the retries.
	KindNetwork Kind = "network_error"
	// KindGlobus: Globus answered with an error, after the retries, or with a body that is
	// malformed or over the size cap.
	KindGlobus Kind = "globus_error"
	// KindInternal: anything else (a bug).
	KindInternal Kind = "internal_error"
)

// KindOf classifies err. The order matters: a refused refresh token is an API error wrapped in
// ErrLoginRequired, and a corrupt record is read through the storage.
func KindOf(err error) Kind {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrLoginRequired):
		return KindLoginRequired
	case errors.Is(err, auth.ErrStateMismatch):
		return KindStateMismatch
	case errors.Is(err, auth.ErrNoLogin):
		return KindNoLogin
	case isType[*auth.AuthorizeError](err):
		return KindAuthorize
	case errors.Is(err, auth.ErrNoAnswer):
		return KindBadCallback
	case errors.Is(err, tokens.ErrCorrupt):
		return KindStorageCorrupt
	case errors.Is(err, config.ErrInvalid):
		return KindConfig
	case isType[*tokens.StorageError](err):
		return KindStorage
	case isType[*transport.APIError](err):
		if auth.IsInvalidGrant(err) {
			return KindCodeRefused // a refused refresh token is ErrLoginRequired, above
		}
		return KindGlobus
	case errors.Is(err, transport.ErrMalformedResponse), errors.Is(err, transport.ErrBodyTooLarge):
		return KindGlobus // a 2xx answer that is not what the API defines, or a flood
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case isType[*transport.NetworkError](err):
		return KindNetwork
	}
	return KindInternal
}

// isType reports whether err's tree holds an E. errors.AsType rather than errors.As: As
// inspects its target by reflection, which keeps tens of KB of type information in every
// WebAssembly build (bench/analysis.md).
func isType[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}
