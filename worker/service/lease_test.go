package service_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// getStatus sends GET path with the session cookie sid to base and returns the status, or an
// error naming the answer when it is not want.
func getStatus(base, path, sid string, want int) error {
	req, _ := http.NewRequest("GET", base+path, nil)
	req.AddCookie(&http.Cookie{Name: service.SessionCookie, Value: sid})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("GET %s = %d %s", path, resp.StatusCode, body)
	}
	return nil
}

// Concurrent requests of one session, each with its own core (as each worker request is its
// own Go instance), find the access token expired at the server while refresh tokens rotate.
// The refresh lease in KV makes them share the refresh, and nobody is logged out. On KV with
// the write rule the lease is exact within a location: the racing lease writes after the first
// are refused (429) and their requests wait; the holder's store frees it.
func TestConcurrentRequestsShareARefresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}})
	sid := h.browser().login()
	h.fake.ExpireAccessTokens()
	// A slow token endpoint keeps the first refresh in flight while the others find the 401.
	h.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", Delay: 300 * time.Millisecond, Times: -1})
	h.cloud.ResetCounts()
	err := parallel.Run(20, func(int) error { return getStatus(h.srv.URL, "/groups", sid, 200) })
	if err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 {
		t.Fatalf("%d refreshes for 20 concurrent requests, want 1", n)
	}
	counts := h.cloud.Counts()
	t.Logf("KV operations for 20 concurrent requests and their refresh: %+v", counts)
	if n := counts["lease/"]; n.Writes != 1 || n.Deletes != 0 {
		t.Errorf("lease operations %+v, want one write (the store releases it)", n)
	}
	if n := counts["session/"]; n.Writes != 1 {
		t.Errorf("record operations %+v, want one write", n)
	}
	if d := h.groupsToken(sid); !h.fake.TokenActive(d.RefreshToken) {
		t.Fatal("the stored refresh token is not the live one")
	}
}

// A lease left by a holder that crashed, in a storage that ignored its TTL, delays the
// session's next refresh only until its own expiry (issue: before, every refresh and logout
// then waited 10 s and ran unlocked, for ever). kvstore's TestStaleLeaseWithoutTTLDelays…
// proves the bound on a clock; here the whole route runs through it.
func TestStaleLeaseWithoutTTLDelaysTheRefreshToItsExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	rec, _, _ := h.kv.Get(t.Context(), kvstore.SessionKey(sid))
	until := time.Now().Add(2 * time.Second)
	stale, _ := json.Marshal(map[string]any{"holder": "crashed", "until": until.UnixMilli(), "base": kvstore.Fingerprint(rec)})
	h.kv.Put(t.Context(), kvstore.LeaseKey(sid), string(stale), 0) // no TTL: it never expires
	h.fake.ExpireAccessTokens()
	start := time.Now()
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("/groups = %d %s", r.StatusCode, r.body)
	}
	t.Logf("refresh behind a stale lease expiring in %v answered after %v", until.Sub(start).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if time.Now().Before(until) {
		t.Error("the refresh did not wait for the lease's expiry")
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}
