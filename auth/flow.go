// Package auth is the Globus Auth login client: the native-app PKCE flow (authorize URL, code
// exchange), refresh and revocation, on golang.org/x/oauth2's PKCE helpers. It reproduces the
// Python SDK's NativeAppAuthClient; a confidential client (secret, HTTP Basic) is an option.
//
// Most programs start from package app, which runs this flow, stores the tokens and refreshes
// them; use auth directly for the login steps alone.
package auth

import (
	"crypto/subtle"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// DefaultState is the Python SDK's fixed default state. Only the paste-the-code CLI opts into
// it, to reproduce the tutorial's authorize URL; everything else gets a RandomState.
const DefaultState = "_default"

// FlowOptions are the parameters of oauth2_start_flow and oauth2_get_authorize_url.
// Empty values are left out of the authorize URL, as the Python SDK drops "missing" ones.
type FlowOptions struct {
	// Scopes requested (required).
	Scopes []string
	// RedirectURI; empty means Auth's /v2/web/auth-code page.
	RedirectURI string
	// State; empty means a fresh RandomState.
	State string
	// Verifier; empty means a fresh x/oauth2 GenerateVerifier (43 chars).
	Verifier string
	// RefreshTokens asks for refresh tokens (access_type=offline; else online).
	RefreshTokens bool
	// PrefillNamedGrant pre-fills the consent label.
	PrefillNamedGrant string
	// Session requirements (comma-joined in the URL).
	SessionRequiredIdentities, SessionRequiredSingleDomain, SessionRequiredPolicies []string
	// SessionRequiredMFA is sent as Python's True/False when non-nil.
	SessionRequiredMFA *bool
	// SessionMessage is shown on the login page.
	SessionMessage string
	// Prompt, e.g. "login" to force identity-provider re-authentication.
	Prompt string
	// QueryParams are added last and override earlier keys.
	QueryParams url.Values
}

// Flow is one login in progress: what the authorize URL was built from and what the code
// exchange needs. It is plain data so hosts can keep it between requests (sessionStorage, KV).
type Flow struct {
	ClientID     string `json:"client_id"`
	AuthorizeURL string `json:"authorize_url,omitempty"`
	RedirectURI  string `json:"redirect_uri"`
	State        string `json:"state"`
	Verifier     string `json:"verifier"`
	// ReturnTo is where a host that redirects sends the user once the login is finished (the
	// worker's same-origin return_to path); the flow itself does not use it.
	ReturnTo string `json:"return_to,omitempty"`
}

// validVerifier is RFC 7636's rule: 43-128 characters of [A-Za-z0-9~_.-]. A loop rather than a
// regexp: package regexp alone adds about 260 KB to every WebAssembly build.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range []byte(v) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '~' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// StartFlow prepares a login: it checks the options, makes the PKCE verifier and builds the
// authorize URL with the Python SDK's parameter order and encoding.
func (c *Client) StartFlow(o FlowOptions) (*Flow, error) {
	if len(o.Scopes) == 0 {
		return nil, errors.New("auth: at least one scope is required")
	}
	f := &Flow{ClientID: c.ClientID, RedirectURI: o.RedirectURI, State: o.State, Verifier: o.Verifier}
	if f.RedirectURI == "" {
		f.RedirectURI = c.BaseURL + "/v2/web/auth-code"
	}
	if f.State == "" {
		f.State = RandomState()
	}
	if f.Verifier == "" {
		f.Verifier = oauth2.GenerateVerifier()
	} else if !validVerifier(f.Verifier) {
		return nil, errors.New("auth: a PKCE verifier must be 43-128 characters of [A-Za-z0-9~_.-]")
	}
	accessType := "online"
	if o.RefreshTokens {
		accessType = "offline"
	}
	mfa := ""
	if o.SessionRequiredMFA != nil {
		mfa = "False"
		if *o.SessionRequiredMFA {
			mfa = "True"
		}
	}
	// The Python SDK's order; one table and one loop keep the function small in the wasm.
	var q ordered
	for _, p := range [...][2]string{
		{"client_id", c.ClientID},
		{"redirect_uri", f.RedirectURI},
		{"scope", strings.Join(o.Scopes, " ")},
		{"state", f.State},
		{"response_type", "code"},
		{"code_challenge", oauth2.S256ChallengeFromVerifier(f.Verifier)},
		{"code_challenge_method", "S256"},
		{"access_type", accessType},
		{"prefill_named_grant", o.PrefillNamedGrant},
		{"session_required_identities", strings.Join(o.SessionRequiredIdentities, ",")},
		{"session_required_single_domain", strings.Join(o.SessionRequiredSingleDomain, ",")},
		{"session_required_policies", strings.Join(o.SessionRequiredPolicies, ",")},
		{"session_required_mfa", mfa},
		{"session_message", o.SessionMessage},
		{"prompt", o.Prompt},
	} {
		q.add(p[0], p[1])
	}
	for _, k := range slices.Sorted(maps.Keys(o.QueryParams)) {
		q.set(k, o.QueryParams.Get(k))
	}
	f.AuthorizeURL = c.BaseURL + "/v2/oauth2/authorize?" + q.encode()
	return f, nil
}

// CheckState compares the state that came back with the redirect to the flow's, in constant
// time. A mismatch means the redirect was not started by this browser or process: refuse the
// code.
func (f *Flow) CheckState(got string) error {
	if subtle.ConstantTimeCompare([]byte(got), []byte(f.State)) != 1 {
		return ErrStateMismatch
	}
	return nil
}

// ErrStateMismatch is returned when a redirect's state is not the flow's.
var ErrStateMismatch = errors.New("auth: the state returned by Globus Auth does not match this login (refusing the code)")

// ordered is a query string that keeps insertion order (url.Values sorts keys).
type ordered struct{ keys, vals []string }

func (q *ordered) add(k, v string) {
	if v != "" {
		q.keys, q.vals = append(q.keys, k), append(q.vals, v)
	}
}

func (q *ordered) set(k, v string) {
	for i, have := range q.keys {
		if have == k {
			q.vals[i] = v
			return
		}
	}
	q.add(k, v)
}

// encode uses url.QueryEscape, which matches Python's quote_plus (spaces become '+').
func (q *ordered) encode() string {
	var b strings.Builder
	for i, k := range q.keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(q.vals[i]))
	}
	return b.String()
}
