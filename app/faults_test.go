package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

const (
	tokenPath  = "/v2/oauth2/token"
	revokePath = "/v2/oauth2/token/revoke"
	groupsPath = "/v2/groups/my_groups"
)

// inject returns a setup that injects faults.
func inject(fs ...globustest.Fault) func(*faultHarness) {
	return func(h *faultHarness) {
		for _, f := range fs {
			h.fake.Inject(f)
		}
	}
}

// timeouts makes the next times attempts (-1: all) time out: Globus holds its answer far
// longer than the App's per-attempt timeout (the fake stops waiting when the client gives up).
// The timeout is short when every attempt fails, and a second when one attempt must then
// succeed in time: a loopback answer takes milliseconds even on a loaded machine.
func timeouts(path string, times int) func(*faultHarness) {
	return func(h *faultHarness) {
		h.app.Transport.Timeout = 50 * time.Millisecond
		if times > 0 {
			h.app.Transport.Timeout = time.Second
		}
		h.fake.Inject(globustest.Fault{Path: path, Delay: time.Minute, Times: times})
	}
}

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
// step, and storage failing under it.
var coreFaults = []faultCase{
	// Groups, with a valid access token.
	{name: "5xx burst absorbed", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Status: 503, Times: 2}), plain: absorbed},
	{name: "5xx until retries run out", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Status: 502, Times: -1}), plain: globusErr},
	{name: "429 Retry-After absorbed", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Status: 429, RetryAfter: "3", Times: 2}), plain: absorbed},
	{name: "429 until retries run out", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Status: 429, RetryAfter: "1", Times: -1}), plain: globusErr},
	{name: "one timeout absorbed", phase: "groups", setup: timeouts(groupsPath, 1), plain: absorbed},
	{name: "timeouts", phase: "groups", setup: timeouts(groupsPath, -1), plain: timeoutErr},
	{name: "truncated body absorbed", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, AfterHandling: true, Truncate: true}), plain: absorbed},
	{name: "truncated bodies", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, AfterHandling: true, Truncate: true, Times: -1}), plain: networkErr},
	{name: "dropped connections", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Drop: true, Times: -1}), plain: networkErr},
	{name: "oversized body", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Body: oversized}), plain: globusErr},
	{name: "malformed JSON", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Body: `[{"id": `}), plain: globusErr},
	{name: "HTML error page", phase: "groups", setup: inject(globustest.Fault{Path: groupsPath, Status: 502, Body: "<h1>Bad gateway</h1>", ContentType: "text/html", Times: -1}), plain: globusErr},
	{name: "access token revoked", phase: "groups", setup: revokeAt(false), plain: absorbed},
	{name: "both tokens revoked", phase: "groups", setup: revokeAt(true), plain: refused},
	{name: "access token without refresh token revoked", phase: "groups", setup: accessOnlyRevoked, plain: refused},
	{name: "storage read fails", phase: "groups", setup: failLoad, plain: storageErr},
	{name: "value sealed with another key", phase: "groups", setup: otherKey, plain: corrupt, keepBytes: true},

	// Refresh, with an expired access token.
	{name: "5xx burst absorbed", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Status: 500, Times: 3}), plain: absorbed},
	{name: "5xx until retries run out", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Status: 503, Times: -1}), plain: globusErr},
	{name: "429 until retries run out", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Status: 429, RetryAfter: "2", Times: -1}), plain: globusErr},
	{name: "timeouts", phase: "refresh", setup: timeouts(tokenPath, -1), plain: timeoutErr},
	{name: "truncated bodies", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Status: 200, Body: `{"access_token": "x", "resource_server": "groups.api.globus.org", "expires_in": 10}`, Truncate: true, Times: -1}), plain: networkErr},
	{name: "oversized body", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Body: oversized}), plain: globusErr},
	{name: "malformed JSON", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Body: `{"access_token": `}), plain: globusErr},
	{name: "token response without a token", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Body: `{"expires_in": 10}`}), plain: globusErr},
	{name: "invalid_grant", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, Status: 400, Body: `{"error": "invalid_grant", "error_description": "refresh token expired"}`}), plain: refused},
	{name: "refresh token revoked", phase: "refresh", setup: revokeAt(true), plain: refused},
	{name: "answer lost after the grant", phase: "refresh", setup: inject(globustest.Fault{Path: tokenPath, AfterHandling: true, Drop: true}), plain: absorbed,
		rotating: &rotatedLost}, // today's rule: the retry's refused token is the stored one, so the login ends
	{name: "storage write fails", phase: "refresh", setup: failSave, plain: storageErr, rotating: &rotatedNoKey},
	{name: "storage read fails", phase: "refresh", setup: failLoad, plain: storageErr},
	{name: "value sealed with another key", phase: "refresh", setup: otherKey, plain: corrupt, keepBytes: true},

	// Login: the code exchange.
	{name: "5xx burst absorbed", phase: "login", setup: inject(globustest.Fault{Path: tokenPath, Status: 502, Times: 2}), plain: absorbed},
	{name: "5xx until retries run out", phase: "login", setup: inject(globustest.Fault{Path: tokenPath, Status: 503, Times: -1}), plain: globusErr},
	{name: "timeouts", phase: "login", setup: timeouts(tokenPath, -1), plain: timeoutErr},
	{name: "malformed JSON", phase: "login", setup: inject(globustest.Fault{Path: tokenPath, Body: `{"access_token": `}), plain: globusErr},
	{name: "oversized body", phase: "login", setup: inject(globustest.Fault{Path: tokenPath, Body: oversized}), plain: globusErr},
	{name: "answer lost after the grant", phase: "login", setup: inject(globustest.Fault{Path: tokenPath, AfterHandling: true, Drop: true}), plain: outcome{kind: app.KindCodeRefused}},
	{name: "storage write fails", phase: "login", setup: failSave, plain: storageErr},

	// Logout: revocation and storage.
	{name: "revoke 5xx", phase: "logout", setup: inject(globustest.Fault{Path: revokePath, Status: 503, Times: -1}), plain: globusErr},
	{name: "revoke timeouts", phase: "logout", setup: timeouts(revokePath, -1), plain: timeoutErr},
	{name: "storage write fails", phase: "logout", setup: failSave, plain: storageErr},
}

// TestFaultSuite is the core's fault suite (every host runs this code): each fault ends in a
// clear app.Kind and no good token is lost. The long form: go test ./app -run TestFaultSuite
// -faults.long (or GLOBUS_EDGE_FAULTS=long).
func TestFaultSuite(t *testing.T) {
	fig := runFaultCases(t, coreFaults)
	fig.Log(t, "core fault suite")
	if fig.Lost > 0 {
		t.Errorf("%d good tokens lost", fig.Lost)
	}
}
