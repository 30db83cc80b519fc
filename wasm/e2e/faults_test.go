//go:build !(js && wasm)

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
)

// pageFault is one fault the page meets when the user clicks Reload.
type pageFault struct {
	name    string
	refresh bool // Globus expired the access token first: the reload must refresh
	faults  []globustest.Fault
	js      string // run in the page before the reload (e.g. make Web Storage throw)
	state   string // the page's state afterwards
	meta    string // what #error-meta must say ("" when no error is shown)
	refused bool   // Globus refused the tokens: storage must hold none
}

// throwing replaces a Storage method by one that throws, as a full quota or disabled storage
// does; restoreStorage puts the originals back.
func throwing(method, name string) string {
	return fmt.Sprintf(`window.__orig = window.__orig || {}; window.__orig[%q] = Storage.prototype[%[1]q];
		Storage.prototype[%[1]q] = function () { throw new DOMException("injected", %q); }; true`, method, name)
}

const restoreStorage = `for (const [k, f] of Object.entries(window.__orig || {})) Storage.prototype[k] = f; true`

const (
	groupsPath = "/v2/groups/my_groups"
	tokenPath  = "/v2/oauth2/token"
)

var pageFaults = []pageFault{
	{name: "groups 503 until retries run out", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, state: "failed", meta: "HTTP status 503"},
	{name: "groups 429 until retries run out", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Status: 429, RetryAfter: "0", Times: -1}}, state: "failed", meta: "HTTP status 429"},
	{name: "groups malformed JSON", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Body: `[{"id": `}}, state: "failed", meta: "code globus_error"},
	{name: "groups truncated once", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, AfterHandling: true, Truncate: true}}, state: "logged-in"},
	{name: "refresh 503 until retries run out", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, state: "failed", meta: "HTTP status 503"},
	{name: "refresh malformed JSON", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Body: `{"access_token": `}}, state: "failed", meta: "code globus_error"},
	{name: "refresh invalid_grant", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant"}`}}, state: "logged-out", refused: true},
	{name: "refresh: Web Storage full", refresh: true, js: throwing("setItem", "QuotaExceededError"), state: "failed", meta: "code storage_error"},
	{name: "Web Storage unreadable", js: throwing("getItem", "SecurityError"), state: "failed", meta: "code storage_error"},
}

// TestPageFaultSuite: each fault ends in the page's failed view naming the error (or the
// logged-out view when Globus refused the tokens), and no good token is lost: localStorage
// still holds a refresh token Globus accepts, and Reload works once the fault is over.
func TestPageFaultSuite(t *testing.T) {
	reps := 1
	if faultsuite.Long() {
		reps = 3
	}
	var fig faultsuite.Figures
	for _, f := range pageFaults {
		for range reps {
			fig.Run(t, f.name, func(t *testing.T) (bool, bool) { return runPageFault(t, f), false })
		}
	}
	fig.Log(t, "page fault suite")
}

func runPageFault(t *testing.T, f pageFault) (lost bool) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	if f.refresh {
		fake.ExpireAccessTokens()
	}
	for _, fault := range f.faults {
		fake.Inject(fault)
	}
	if f.js != "" {
		eval[bool](p, f.js)
	}
	p.click("#reload-groups")
	cond := fmt.Sprintf("document.body.dataset.state === %q", f.state)
	if f.meta != "" {
		cond += fmt.Sprintf(` && document.getElementById("error-meta").textContent.includes(%q)`, f.meta)
	}
	if f.state == "logged-in" {
		cond += ` && document.getElementById("groups-body").rows.length > 0`
	}
	p.waitUntil(cond)
	fake.ClearFaults()
	eval[bool](p, restoreStorage)
	for _, tok := range fake.IssuedTokens() {
		if strings.Contains(p.text("body"), tok) {
			t.Error("a token is shown on the page")
		}
	}
	if f.refused {
		if p.storedTokens(storageKey) != nil {
			t.Error("Globus refused the tokens but localStorage still holds them")
		}
		return false
	}
	if tok := p.groupsToken(); tok.RefreshToken == "" || !fake.TokenActive(tok.RefreshToken) {
		t.Error("good token lost: localStorage holds no refresh token Globus accepts")
		return true
	}
	p.click("#reload-groups")
	p.waitUntil(`document.body.dataset.state === "logged-in" && document.getElementById("groups-body").rows.length > 0`)
	return false
}
