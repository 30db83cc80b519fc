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
	// calls is what the fake must count during the reload (globustest.Server.Count): it proves
	// the fault fired and the retries ran.
	calls map[string]int
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
	groupsGets = "GET /v2/groups/my_groups"
	refreshes  = "grant:refresh_token"
)

var pageFaults = []pageFault{
	{name: "groups 503 burst absorbed", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Status: 503, RetryAfter: "0", Times: 2}}, state: "logged-in", calls: map[string]int{groupsGets: 3}},
	{name: "groups 503 until retries run out", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, state: "failed", meta: "HTTP status 503", calls: map[string]int{groupsGets: 6}},
	{name: "groups 429 Retry-After absorbed", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Status: 429, RetryAfter: "1"}}, state: "logged-in", calls: map[string]int{groupsGets: 2}},
	{name: "groups 429 until retries run out", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Status: 429, RetryAfter: "0", Times: -1}}, state: "failed", meta: "HTTP status 429", calls: map[string]int{groupsGets: 6}},
	{name: "groups malformed JSON", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, Body: `[{"id": `}}, state: "failed", meta: "code globus_error", calls: map[string]int{groupsGets: 1}},
	{name: "groups truncated once", faults: []globustest.Fault{{Method: "GET", Path: groupsPath, AfterHandling: true, Truncate: true}}, state: "logged-in", calls: map[string]int{groupsGets: 2}},
	{name: "refresh 503 burst absorbed", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Status: 503, RetryAfter: "0", Times: 2}}, state: "logged-in", calls: map[string]int{refreshes: 3, groupsGets: 2}},
	{name: "refresh 503 until retries run out", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, state: "failed", meta: "HTTP status 503", calls: map[string]int{refreshes: 6, groupsGets: 1}},
	{name: "refresh malformed JSON", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Body: `{"access_token": `}}, state: "failed", meta: "code globus_error", calls: map[string]int{refreshes: 1}},
	// The first grant is handled but its answer is dropped; the retry is a second grant.
	{name: "refresh answer lost after the grant", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, AfterHandling: true, Drop: true}}, state: "logged-in", calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "refresh invalid_grant", refresh: true, faults: []globustest.Fault{{Method: "POST", Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant"}`}}, state: "logged-out", refused: true, calls: map[string]int{refreshes: 1}},
	{name: "refresh: Web Storage full", refresh: true, js: throwing("setItem", "QuotaExceededError"), state: "failed", meta: "code storage_error"},
	{name: "Web Storage unreadable", js: throwing("getItem", "SecurityError"), state: "failed", meta: "code storage_error", calls: map[string]int{groupsGets: 0}},
}

// TestPageFaultSuite: each fault ends in the page's failed view naming the error (or the
// logged-out view when Globus refused the tokens, or the table when the retries absorb it),
// fired (the fake counted the calls it caused), and no good token is lost: localStorage
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

// TestPageFaultSuiteIsHonest runs TestPageFaultSuite with the fake's faults switched off:
// every case with faults in the fake must fail (the Web Storage cases may pass). A browser
// login per case makes the suite too slow to run twice in the short form: long form only.
func TestPageFaultSuiteIsHonest(t *testing.T) {
	if !faultsuite.Long() {
		t.Skip("long form only (-faults.long or GLOBUS_EDGE_FAULTS=long)")
	}
	var cases []faultsuite.Case
	for _, f := range pageFaults {
		cases = append(cases, faultsuite.Case{Name: f.name, Fake: len(f.faults) > 0})
	}
	faultsuite.CheckMutated(t, "TestPageFaultSuite", cases)
}

// reload clicks Reload and waits until cond holds for the new answer: the rows shown before
// are marked, so an old table does not count as the reloaded one.
func reload(p *page, cond string) {
	p.t.Helper()
	eval[bool](p, `for (const tr of document.querySelectorAll("#groups-body tr")) tr.dataset.old = "1"; true`)
	p.click("#reload-groups")
	p.waitUntil(cond)
}

// loggedInCond: the page shows a reloaded table.
const loggedInCond = `document.body.dataset.state === "logged-in" && document.getElementById("groups-body").rows.length > 0 && !document.querySelector("#groups-body tr[data-old]")`

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
	fake.ResetCounts()
	cond := fmt.Sprintf("document.body.dataset.state === %q", f.state)
	if f.meta != "" {
		cond += fmt.Sprintf(` && document.getElementById("error-meta").textContent.includes(%q)`, f.meta)
	}
	if f.state == "logged-in" {
		cond = loggedInCond
	}
	reload(p, cond)
	faultsuite.CheckCalls(t.Errorf, fake, f.calls, nil)
	fake.ClearFaults() // a fault not used up fails the case here (globustest.NewT)
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
	reload(p, loggedInCond)
	return false
}
