package app_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/tokens"
)

const (
	tokenPath  = "/v2/oauth2/token"
	revokePath = "/v2/oauth2/token/revoke"
	groupsPath = "/v2/groups/my_groups"
)

// The fake's counters a case expects (globustest.Server.Count), counted over the call alone.
const (
	groupsGets = "GET /v2/groups/my_groups"
	refreshes  = "grant:refresh_token"
	exchanges  = "grant:authorization_code"
	revokes    = "revoke"
)

// Per-attempt timeouts of the timeout cases: short when every attempt times out (the fake may
// then see fewer attempts than were sent: a case counts the retries instead), and a second
// when one attempt must then succeed in time (a loopback answer takes milliseconds even on a
// loaded machine). Globus holds its answer far longer (delay); the fake stops waiting when the
// client gives up.
const (
	allTimeOut = 50 * time.Millisecond
	oneTimeOut = time.Second
)

// delay holds Globus's answer at path for times attempts (-1: all).
func delay(path string, times int) []globustest.Fault {
	return []globustest.Fault{{Path: path, Delay: time.Minute, Times: times}}
}

// fault is one fault, for the table.
func fault(f globustest.Fault) []globustest.Fault { return []globustest.Fault{f} }

// waits is n waits of d each: what the retries sleep when Globus says Retry-After d.
func waits(d time.Duration, n int) []time.Duration { return slices.Repeat([]time.Duration{d}, n) }

// oversized is a 200 answer just over the body cap.
var oversized = `[` + strings.Repeat(`"x",`, 4<<20/4) + `"x"]`

// revokeAt revokes the stored access token, or both tokens, at Globus (as a user would on
// the Globus web site).
func revokeAt(both bool) func(*faultHarness) {
	return func(h *faultHarness) {
		d := h.stored(h.t)
		revoke := func(tok string) {
			resp, err := http.PostForm(h.fake.AuthURL()+revokePath, url.Values{"token": {tok}, "client_id": {globustest.TutorialClientID}})
			if err != nil || resp.StatusCode != http.StatusOK {
				h.t.Fatalf("revoking at the fake: %v", err)
			}
			resp.Body.Close()
		}
		revoke(d.AccessToken)
		if both {
			revoke(d.RefreshToken)
		}
	}
}

// otherKey makes the App read storage with another encryption key (a KV value sealed under a
// key that is not configured, or tampered with): AEAD authentication fails.
func otherKey(h *faultHarness) {
	keys, err := tokens.ParseKeyring(keySpec(2))
	if err != nil {
		h.t.Fatal(err)
	}
	h.app.Storage = tokens.NewDocumentStorage(tokens.SealedBlob{Blob: h.blob, Keys: keys, AdditionalData: sealAD})
}

// accessOnlyRevoked leaves storage with the Groups access token alone (a login without
// access_type=offline, or a Python SDK file written so), then revokes it at Globus: nothing
// can renew it.
func accessOnlyRevoked(h *faultHarness) {
	d := h.stored(h.t)
	d.RefreshToken = ""
	doc := tokens.NewDocument()
	doc.Data[tokens.DefaultNamespace] = map[string]tokens.Data{d.ResourceServer: *d}
	if err := h.store.Blob.Save(context.Background(), doc.Encode()); err != nil {
		h.t.Fatal(err)
	}
	revokeAt(false)(h)
}

func failSave(h *faultHarness) { h.blob.failSave.Store(true) }
func failLoad(h *faultHarness) { h.blob.failLoad.Store(true) }

var (
	absorbed     = outcome{} // the retries absorb the fault: the call succeeds
	globusErr    = outcome{kind: app.KindGlobus}
	timeoutErr   = outcome{kind: app.KindTimeout}
	networkErr   = outcome{kind: app.KindNetwork}
	storageErr   = outcome{kind: app.KindStorage}
	corrupt      = outcome{kind: app.KindStorageCorrupt}
	refused      = outcome{kind: app.KindLoginRequired, refused: true}
	rotatedLost  = outcome{kind: app.KindLoginRequired, refused: true, inherent: "Globus rotated the refresh token and its answer was lost on the way"}
	rotatedNoKey = outcome{kind: app.KindStorage, inherent: "Globus rotated the refresh token and storage could not take the new one"}
)

// coreFaults are the faults every host meets through the core: Globus misbehaving at each
// step, and storage failing under it. calls (or, where every attempt times out and an attempt
// may give up before it reaches the fake, retries) proves each fault in the fake fired and the
// retries ran: without the fault the call would make one request.
var coreFaults = []faultCase{
	// Groups, with a valid access token.
	{name: "5xx burst absorbed", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Status: 503, Times: 2}), calls: fakeCalls{groupsGets: 3}, plain: absorbed},
	{name: "5xx until retries run out", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Status: 502, Times: -1}), calls: fakeCalls{groupsGets: 6}, plain: globusErr},
	{name: "429 Retry-After absorbed", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Status: 429, RetryAfter: "3", Times: 2}), calls: fakeCalls{groupsGets: 3}, sleeps: waits(3*time.Second, 2), plain: absorbed},
	{name: "429 until retries run out", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Status: 429, RetryAfter: "1", Times: -1}), calls: fakeCalls{groupsGets: 6}, sleeps: waits(time.Second, 5), plain: globusErr},
	{name: "one timeout absorbed", phase: "groups", faults: delay(groupsPath, 1), timeout: oneTimeOut, calls: fakeCalls{groupsGets: 2}, plain: absorbed},
	{name: "timeouts", phase: "groups", faults: delay(groupsPath, -1), timeout: allTimeOut, retries: 5, plain: timeoutErr},
	{name: "truncated body absorbed", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, AfterHandling: true, Truncate: true}), calls: fakeCalls{groupsGets: 2}, plain: absorbed},
	{name: "truncated bodies", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, AfterHandling: true, Truncate: true, Times: -1}), calls: fakeCalls{groupsGets: 6}, plain: networkErr},
	{name: "dropped connection absorbed", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Drop: true}), calls: fakeCalls{groupsGets: 2}, plain: absorbed},
	{name: "dropped connections", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Drop: true, Times: -1}), calls: fakeCalls{groupsGets: 6}, plain: networkErr},
	{name: "oversized body", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Body: oversized}), calls: fakeCalls{groupsGets: 1}, plain: globusErr},
	{name: "malformed JSON", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Body: `[{"id": `}), calls: fakeCalls{groupsGets: 1}, plain: globusErr},
	{name: "HTML error page", phase: "groups", faults: fault(globustest.Fault{Path: groupsPath, Status: 502, Body: "<h1>Bad gateway</h1>", ContentType: "text/html", Times: -1}), calls: fakeCalls{groupsGets: 6}, plain: globusErr},
	{name: "access token revoked", phase: "groups", setup: revokeAt(false), calls: fakeCalls{groupsGets: 2, refreshes: 1}, plain: absorbed},
	{name: "both tokens revoked", phase: "groups", setup: revokeAt(true), calls: fakeCalls{groupsGets: 1, refreshes: 1}, plain: refused},
	{name: "access token without refresh token revoked", phase: "groups", setup: accessOnlyRevoked, calls: fakeCalls{groupsGets: 1, refreshes: 0}, plain: refused},
	{name: "storage read fails", phase: "groups", setup: failLoad, calls: fakeCalls{groupsGets: 0}, plain: storageErr},
	{name: "value sealed with another key", phase: "groups", setup: otherKey, calls: fakeCalls{groupsGets: 0}, plain: corrupt, keepBytes: true},

	// Refresh, with an expired access token.
	{name: "5xx burst absorbed", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Status: 500, Times: 3}), calls: fakeCalls{refreshes: 4, groupsGets: 1}, plain: absorbed},
	{name: "5xx until retries run out", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Status: 503, Times: -1}), calls: fakeCalls{refreshes: 6, groupsGets: 0}, plain: globusErr},
	{name: "429 Retry-After absorbed", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Status: 429, RetryAfter: "4"}), calls: fakeCalls{refreshes: 2, groupsGets: 1}, sleeps: waits(4*time.Second, 1), plain: absorbed},
	{name: "429 until retries run out", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Status: 429, RetryAfter: "2", Times: -1}), calls: fakeCalls{refreshes: 6}, sleeps: waits(2*time.Second, 5), plain: globusErr},
	{name: "one timeout absorbed", phase: "refresh", faults: delay(tokenPath, 1), timeout: oneTimeOut, calls: fakeCalls{refreshes: 2, groupsGets: 1}, plain: absorbed},
	{name: "timeouts", phase: "refresh", faults: delay(tokenPath, -1), timeout: allTimeOut, retries: 5, plain: timeoutErr},
	{name: "dropped connection absorbed", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Drop: true}), calls: fakeCalls{refreshes: 2, groupsGets: 1}, plain: absorbed},
	{name: "truncated bodies", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Status: 200, Body: `{"access_token": "x", "resource_server": "groups.api.globus.org", "expires_in": 10}`, Truncate: true, Times: -1}), calls: fakeCalls{refreshes: 6}, plain: networkErr},
	{name: "oversized body", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Body: oversized}), calls: fakeCalls{refreshes: 1, groupsGets: 0}, plain: globusErr},
	{name: "malformed JSON", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Body: `{"access_token": `}), calls: fakeCalls{refreshes: 1, groupsGets: 0}, plain: globusErr},
	{name: "token response without a token", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Body: `{"expires_in": 10}`}), calls: fakeCalls{refreshes: 1, groupsGets: 0}, plain: globusErr},
	{name: "invalid_grant", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant", "error_description": "refresh token expired"}`}), calls: fakeCalls{refreshes: 1, groupsGets: 0}, plain: refused},
	{name: "refresh token revoked", phase: "refresh", setup: revokeAt(true), calls: fakeCalls{refreshes: 1, groupsGets: 0}, plain: refused},
	// The first grant is handled (and, with rotation, the refresh token replaced) but its answer
	// is dropped; the retry is a second grant.
	{name: "answer lost after the grant", phase: "refresh", faults: fault(globustest.Fault{Path: tokenPath, AfterHandling: true, Drop: true}), calls: fakeCalls{refreshes: 2, groupsGets: 1}, plain: absorbed,
		rotating: &rotatedLost, rotatingCalls: fakeCalls{refreshes: 2, groupsGets: 0}}, // today's rule: the retry's refused token is the stored one, so the login ends
	{name: "storage write fails", phase: "refresh", setup: failSave, calls: fakeCalls{refreshes: 1}, plain: storageErr, rotating: &rotatedNoKey},
	{name: "storage read fails", phase: "refresh", setup: failLoad, calls: fakeCalls{refreshes: 0}, plain: storageErr},
	{name: "value sealed with another key", phase: "refresh", setup: otherKey, calls: fakeCalls{refreshes: 0}, plain: corrupt, keepBytes: true},

	// Login: the code exchange.
	{name: "5xx burst absorbed", phase: "login", faults: fault(globustest.Fault{Path: tokenPath, Status: 502, Times: 2}), calls: fakeCalls{exchanges: 3}, plain: absorbed},
	{name: "5xx until retries run out", phase: "login", faults: fault(globustest.Fault{Path: tokenPath, Status: 503, Times: -1}), calls: fakeCalls{exchanges: 6}, plain: globusErr},
	{name: "one timeout absorbed", phase: "login", faults: delay(tokenPath, 1), timeout: oneTimeOut, calls: fakeCalls{exchanges: 2}, plain: absorbed},
	{name: "timeouts", phase: "login", faults: delay(tokenPath, -1), timeout: allTimeOut, retries: 5, plain: timeoutErr},
	{name: "malformed JSON", phase: "login", faults: fault(globustest.Fault{Path: tokenPath, Body: `{"access_token": `}), calls: fakeCalls{exchanges: 1}, plain: globusErr},
	{name: "oversized body", phase: "login", faults: fault(globustest.Fault{Path: tokenPath, Body: oversized}), calls: fakeCalls{exchanges: 1}, plain: globusErr},
	// The code is spent by the first exchange, whose answer is dropped: the retry is refused.
	{name: "answer lost after the grant", phase: "login", faults: fault(globustest.Fault{Path: tokenPath, AfterHandling: true, Drop: true}), calls: fakeCalls{exchanges: 2}, plain: outcome{kind: app.KindCodeRefused}},
	{name: "storage write fails", phase: "login", setup: failSave, calls: fakeCalls{exchanges: 1}, plain: storageErr},

	// Logout: revocation (of the access and the refresh token) and storage.
	{name: "revoke 5xx burst absorbed", phase: "logout", faults: fault(globustest.Fault{Path: revokePath, Status: 503, Times: 2}), calls: fakeCalls{revokes: 4}, plain: absorbed},
	{name: "revoke 5xx", phase: "logout", faults: fault(globustest.Fault{Path: revokePath, Status: 503, Times: -1}), calls: fakeCalls{revokes: 12}, plain: globusErr},
	{name: "revoke timeouts", phase: "logout", faults: delay(revokePath, -1), timeout: allTimeOut, retries: 10, plain: timeoutErr},
	{name: "storage write fails", phase: "logout", setup: failSave, calls: fakeCalls{revokes: 0}, plain: storageErr},
}

// TestFaultSuite is the core's fault suite (every host runs this code): each fault ends in a
// clear app.Kind, fired (the calls it caused were made) and no good token is lost. The long
// form: go test ./app -run TestFaultSuite -faults.long (or GLOBUS_EDGE_FAULTS=long).
func TestFaultSuite(t *testing.T) {
	fig := runFaultCases(t, coreFaults)
	fig.Log(t, "core fault suite")
	if fig.Lost > 0 {
		t.Errorf("%d good tokens lost", fig.Lost)
	}
}

// TestFaultSuiteIsHonest runs TestFaultSuite with the fake's faults switched off: every case
// whose fault is in the fake must fail. The cases with the fault elsewhere (storage, the key,
// tokens revoked at Globus) are those without faults in the table.
func TestFaultSuiteIsHonest(t *testing.T) {
	var cases []faultsuite.Case
	for _, c := range coreFaults {
		cases = append(cases, faultsuite.Case{Name: c.subtest(false), Fake: len(c.faults) > 0})
	}
	faultsuite.CheckMutated(t, "TestFaultSuite", cases)
}
