// Package failtable is the one table of failures every host must describe alike. Each case
// sets up a fault (at the fake Globus or in storage), runs one step, and names the Kind the
// core gives it (app.Describe): the word the CLI's stderr line, the worker's JSON, the page and
// the JS package must all report, with Globus's own code apart where the host shows it. Each
// host's test runs the table through its own harness: cmd/globus-groups (the real binary),
// worker/service (natively), wasm/e2e (the page in headless Chromium) and js/e2e (the package
// in Node).
package failtable

import (
	"net/url"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
)

// Paths of the fake Globus the faults target.
const (
	GroupsPath = "/v2/groups/my_groups"
	TokenPath  = "/v2/oauth2/token"
)

// Step is what the user does when the failure happens.
type Step int

const (
	// Groups: a logged-in user asks for their groups (the CLI's run, the worker's /groups, the
	// page's Reload, the JS package's groupsCSV).
	Groups Step = iota
	// Redirect: a user comes back from Globus Auth to the redirect URI with Case.Answer (the
	// worker's /callback, the page's address, the JS package's handleRedirect). The CLI, whose
	// code is pasted, has no such step.
	Redirect
)

// Case is one failure.
type Case struct {
	Name string
	Step Step
	// Expire: Globus expired the access token first, so the Groups call refreshes.
	Expire bool
	// Faults are injected at the fake Globus just before the step.
	Faults []globustest.Fault
	// Timeout is the per-attempt HTTP timeout during the step (GLOBUS_SDK_HTTP_TIMEOUT,
	// httpTimeout); zero means the host's usual one.
	Timeout time.Duration
	// Corrupt: the stored token document is replaced by CorruptDocument before the step.
	Corrupt bool
	// Answer is the redirect's query for a Redirect step, given the state of the login in
	// progress (the one the host's authorize URL carried).
	Answer func(state string) url.Values
	// Kind is what every host reports.
	Kind app.Kind
	// GlobusCode is Globus's own code (or the redirect's OAuth error) where a host reports it
	// apart: the worker's globus_code, the JS package's globusCode, the page's "Globus code".
	GlobusCode string
}

// CorruptDocument is what a Corrupt case stores: a torn write of the token document.
const CorruptDocument = `{"data": {"`

// lastAttempt makes the retries run out at once (503s with Retry-After: 0), then applies
// last to the final attempt: the kind is that attempt's failure, reached without the real
// backoff.
func lastAttempt(path string, last globustest.Fault) []globustest.Fault {
	last.Path = path
	return []globustest.Fault{{Path: path, Status: 503, RetryAfter: "0", Times: 5}, last}
}

// Cases is the table.
var Cases = []Case{
	{Name: "groups 503 until the retries run out", Faults: []globustest.Fault{{Path: GroupsPath, Status: 503, RetryAfter: "0", Times: -1}},
		Kind: app.KindGlobus, GlobusCode: "SERVICE_UNAVAILABLE"},
	{Name: "groups malformed answer", Faults: []globustest.Fault{{Path: GroupsPath, Body: `[{"id": `}}, Kind: app.KindGlobus},
	{Name: "groups times out on the last attempt", Timeout: time.Second, Faults: lastAttempt(GroupsPath, globustest.Fault{Delay: time.Minute}),
		Kind: app.KindTimeout},
	// A cut answer, not a dropped connection: HTTP clients retry a GET whose reused connection
	// closed before any answer on their own, so a single drop may never reach the core.
	{Name: "groups answer cut on the last attempt", Faults: lastAttempt(GroupsPath, globustest.Fault{Body: `[{"id": "x"}]`, Truncate: true}),
		Kind: app.KindNetwork},
	{Name: "refresh refused (invalid_grant)", Expire: true,
		Faults: []globustest.Fault{{Path: TokenPath, Status: 400, Body: `{"error": "invalid_grant", "error_description": "refresh token expired"}`}},
		Kind:   app.KindLoginRequired, GlobusCode: "invalid_grant"},
	{Name: "refresh 503 until the retries run out", Expire: true, Faults: []globustest.Fault{{Path: TokenPath, Status: 503, RetryAfter: "0", Times: -1}},
		Kind: app.KindGlobus, GlobusCode: "SERVICE_UNAVAILABLE"},
	{Name: "stored tokens corrupt", Corrupt: true, Kind: app.KindStorageCorrupt},
	{Name: "redirect with another login's state", Step: Redirect, Kind: app.KindStateMismatch,
		Answer: func(string) url.Values { return url.Values{"state": {"forged-state"}, "code": {"stolen-code"}} }},
	{Name: "redirect with neither code nor error", Step: Redirect, Kind: app.KindBadCallback,
		Answer: func(state string) url.Values { return url.Values{"state": {state}, "code": {""}} }},
	{Name: "redirect with ?error=access_denied", Step: Redirect, Kind: app.KindAuthorize, GlobusCode: "access_denied",
		Answer: func(state string) url.Values {
			return url.Values{"state": {state}, "error": {"access_denied"}, "error_description": {"The user declined"}}
		}},
	{Name: "redirect with a code Globus refuses", Step: Redirect, Kind: app.KindCodeRefused, GlobusCode: "invalid_grant",
		Answer: func(state string) url.Values {
			return url.Values{"state": {state}, "code": {"not-a-code-globus-issued"}}
		}},
}
