//go:build !(js && wasm)

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
)

const (
	tokenPath  = "/v2/oauth2/token"
	groupsPath = "/v2/groups/my_groups"
	groupsGets = "GET /v2/groups/my_groups"
	refreshes  = "grant:refresh_token"
)

// TestNodeFaultSuite runs @globus-edge/client in Node over the tutorial's token file
// (node-file-storage.js, behind a storage whose put can throw), against the fake Globus: each
// fault at the Groups call or at the refresh ends in a GlobusError whose code is the expected
// app.Kind (and whose globusCode is Globus's own code for its answers), and no good token is lost: the file still
// holds a refresh token Globus accepts and the next call works — unless Globus refused the
// tokens, and then they are gone and the error is a LoginRequiredError. No token appears in
// any error message or in the script's output. Every case runs twice: over the file's
// synchronous methods and over the same methods returning Promises (as a KV binding's do).
// The cases run at once in one Node process (each with its own fake, file and namespace), so
// the retries' real backoff sleeps overlap; each is then reported as a subtest. Long form:
// -faults.long or GLOBUS_EDGE_FAULTS=long.
func TestNodeFaultSuite(t *testing.T) {
	d := startNodeDriver(t)
	h := &nodeHost{d: d, dir: t.TempDir()}
	fig := runFaultSuite(t, h, []bool{false, true}, func() string { return d.out.String() + d.errOut.String() })
	fig.Log(t, "Node fault suite")
}

// TestNodeFaultSuiteIsHonest runs TestNodeFaultSuite's short form with the fake's faults
// switched off: every case with faults in the fake must fail (the storage, revocation and
// corrupt-document cases may pass).
func TestNodeFaultSuiteIsHonest(t *testing.T) {
	faultsuite.CheckMutated(t, "TestNodeFaultSuite", shortCases([]bool{false, true}))
}

// jsFault is one fault a logged-in app (Node or workerd) meets in groupsCSV().
type jsFault struct {
	name    string
	refresh bool // Globus expired the access token first: the call must refresh
	faults  []globustest.Fault
	setup   func(f *globustest.Server, setDoc func([]byte) error) error // before the call (revoke, corrupt)
	timeout float64                                                     // config.httpTimeout in seconds; 0: the default
	failPut string                                                      // the storage's put throws: "all" or "document"
	kind    app.Kind                                                    // "": the call succeeds
	// code is the error's globusCode: Globus's own code of its answer (index.d.ts).
	code    string
	status  int  // the error's httpStatus, when Globus answered
	refused bool // Globus refused the tokens: they must be gone
	corrupt bool // the stored document was corrupt: it must be left as it is
	slow    bool // long form only
	// rotated is the outcome when Globus rotates refresh tokens (the long form's third run),
	// where it differs: a loss no client can avoid, counted apart.
	rotated *rotatedOutcome
	// calls is what the fake must count during the call (globustest.Server.Count): it proves
	// the fault fired and the retries ran. Where every attempt times out, the fake may not see
	// each one: those cases count nothing (their kind proves the fault). atLeast are lower
	// bounds instead, where one attempt times out on purpose: with the long form's ~200 cases
	// at once in one process on a loaded machine, the retry may time out too (seen with
	// synchronous storage and 2 s attempts; the attempts are 5 s now, the suite's cases overlap).
	calls, atLeast map[string]int
}

type rotatedOutcome struct {
	kind    app.Kind
	refused bool
	why     string
}

// oversized is a 200 answer just over the 4 MiB body cap.
var oversized = `"` + strings.Repeat("x", 4<<20) + `"`

func delays(path string, times int) []globustest.Fault {
	return []globustest.Fault{{Path: path, Delay: time.Minute, Times: times}}
}

var jsFaults = []jsFault{
	// The Groups call, with a valid access token.
	{name: "groups 503 burst absorbed", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: 2}}, calls: map[string]int{groupsGets: 3}},
	{name: "groups 503 until retries run out", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Times: -1}}, kind: app.KindGlobus, code: "SERVICE_UNAVAILABLE", status: 503, calls: map[string]int{groupsGets: 6}},
	{name: "groups 429 Retry-After absorbed", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "1"}}, calls: map[string]int{groupsGets: 2}},
	{name: "groups 429 until retries run out", faults: []globustest.Fault{{Path: groupsPath, Status: 429, RetryAfter: "0", Times: -1}}, kind: app.KindGlobus, code: "TOO_MANY_REQUESTS", status: 429, calls: map[string]int{groupsGets: 6}},
	{name: "groups one timeout absorbed", timeout: 5, faults: delays(groupsPath, 1), atLeast: map[string]int{groupsGets: 2}},
	{name: "groups timeouts", timeout: 1, faults: delays(groupsPath, -1), kind: app.KindTimeout},
	{name: "groups dropped once absorbed", faults: []globustest.Fault{{Path: groupsPath, Drop: true}}, calls: map[string]int{groupsGets: 2}},
	{name: "groups dropped connections", faults: []globustest.Fault{{Path: groupsPath, Drop: true, Times: -1}}, kind: app.KindNetwork, calls: map[string]int{groupsGets: 6}},
	{name: "groups truncated once", faults: []globustest.Fault{{Path: groupsPath, AfterHandling: true, Truncate: true}}, calls: map[string]int{groupsGets: 2}},
	{name: "groups truncated bodies", faults: []globustest.Fault{{Path: groupsPath, Body: `[{"id": "x"}]`, Truncate: true, Times: -1}}, kind: app.KindNetwork, calls: map[string]int{groupsGets: 6}},
	{name: "groups oversized body", faults: []globustest.Fault{{Path: groupsPath, Body: oversized}}, kind: app.KindGlobus, calls: map[string]int{groupsGets: 1}},
	{name: "groups malformed JSON", faults: []globustest.Fault{{Path: groupsPath, Body: `[{"id": `}}, kind: app.KindGlobus, calls: map[string]int{groupsGets: 1}},
	{name: "groups HTML error page", faults: []globustest.Fault{{Path: groupsPath, Status: 503, RetryAfter: "0", Body: "<h1>Unavailable</h1>", ContentType: "text/html", Times: -1}}, kind: app.KindGlobus, status: 503, calls: map[string]int{groupsGets: 6}},
	{name: "groups both tokens revoked", setup: revokeAll, kind: app.KindLoginRequired, status: 401, refused: true, calls: map[string]int{groupsGets: 1, refreshes: 1}},
	{name: "groups corrupt document", setup: corruptDocument, kind: app.KindStorageCorrupt, corrupt: true, calls: map[string]int{groupsGets: 0}},

	// The refresh, after Globus expired the access token (Groups answers 401 first).
	{name: "refresh 500 burst absorbed", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 500, Times: 2}}, calls: map[string]int{refreshes: 3, groupsGets: 2}},
	{name: "refresh 503 until retries run out", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 503, RetryAfter: "0", Times: -1}}, kind: app.KindGlobus, code: "SERVICE_UNAVAILABLE", status: 503, calls: map[string]int{refreshes: 6}},
	{name: "refresh 429 Retry-After absorbed", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 429, RetryAfter: "1"}}, calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "refresh 429 until retries run out", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 429, RetryAfter: "0", Times: -1}}, kind: app.KindGlobus, code: "TOO_MANY_REQUESTS", status: 429, calls: map[string]int{refreshes: 6}},
	{name: "refresh one timeout absorbed", refresh: true, timeout: 5, faults: delays(tokenPath, 1), calls: map[string]int{groupsGets: 2}, atLeast: map[string]int{refreshes: 2}},
	{name: "refresh dropped once absorbed", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Drop: true}}, calls: map[string]int{refreshes: 2, groupsGets: 2}},
	{name: "refresh answer lost after the grant", refresh: true, faults: []globustest.Fault{{Path: tokenPath, AfterHandling: true, Drop: true}}, calls: map[string]int{refreshes: 2},
		// The retry presents the refresh token Globus just replaced; storage still holds it.
		rotated: &rotatedOutcome{kind: app.KindLoginRequired, refused: true, why: "Globus rotated the refresh token and its answer was lost on the way"}},
	{name: "refresh oversized body", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Body: oversized}}, kind: app.KindGlobus, calls: map[string]int{refreshes: 1}},
	{name: "refresh malformed JSON", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Body: `{"access_token": `}}, kind: app.KindGlobus, calls: map[string]int{refreshes: 1}},
	{name: "refresh token response without a token", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Body: `{"expires_in": 10}`}}, kind: app.KindGlobus, calls: map[string]int{refreshes: 1}},
	{name: "refresh invalid_grant", refresh: true, faults: []globustest.Fault{{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant", "error_description": "refresh token expired"}`}}, kind: app.KindLoginRequired, status: 400, refused: true, calls: map[string]int{refreshes: 1}},
	{name: "refresh token revoked", refresh: true, setup: revokeAll, kind: app.KindLoginRequired, status: 401, refused: true, calls: map[string]int{refreshes: 1}},
	{name: "refresh: storage put throws", refresh: true, failPut: "all", kind: app.KindStorage},
	{name: "refresh: storing the renewed tokens throws", refresh: true, failPut: "document", kind: app.KindStorage, calls: map[string]int{refreshes: 1},
		rotated: &rotatedOutcome{kind: app.KindStorage, why: "Globus rotated the refresh token and storage could not take the new one"}},
	{name: "refresh corrupt document", refresh: true, setup: corruptDocument, kind: app.KindStorageCorrupt, corrupt: true, calls: map[string]int{refreshes: 0}},
	{name: "refresh timeouts", refresh: true, slow: true, timeout: 1, faults: delays(tokenPath, -1), kind: app.KindTimeout},
	{name: "refresh dropped connections", refresh: true, slow: true, faults: []globustest.Fault{{Path: tokenPath, Drop: true, Times: -1}}, kind: app.KindNetwork, calls: map[string]int{refreshes: 6}},
	{name: "refresh truncated bodies", refresh: true, slow: true, faults: []globustest.Fault{{Path: tokenPath, Body: `{"access_token": "x"}`, Truncate: true, Times: -1}}, kind: app.KindNetwork, calls: map[string]int{refreshes: 6}},
}

// revokeAll revokes every token the fake issued, as a user would on the Globus web site.
func revokeAll(f *globustest.Server, _ func([]byte) error) error {
	for _, tok := range f.IssuedTokens() {
		resp, err := http.PostForm(f.AuthURL()+tokenPath+"/revoke", url.Values{"token": {tok}, "client_id": {globustest.TutorialClientID}})
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	return nil
}

// corruptDoc is what corruptDocument stores: a torn write.
const corruptDoc = `{"data": {"`

func corruptDocument(_ *globustest.Server, setDoc func([]byte) error) error {
	return setDoc([]byte(corruptDoc))
}

// caseName is a case's subtest name: its storage style when the suite runs more than one, and
// rotation.
func caseName(name string, styles []bool, promises, rotate bool) string {
	if len(styles) > 1 {
		name = map[bool]string{false: "sync/", true: "promises/"}[promises] + name
	}
	if rotate {
		name = "rotating/" + name
	}
	return name
}

// shortCases are the short form's cases for faultsuite.CheckMutated.
func shortCases(styles []bool) []faultsuite.Case {
	var cases []faultsuite.Case
	for _, f := range jsFaults {
		for _, p := range styles {
			if !f.slow {
				cases = append(cases, faultsuite.Case{Name: caseName(f.name, styles, p, false), Fake: len(f.faults) > 0})
			}
		}
	}
	return cases
}
