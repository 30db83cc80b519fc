package service_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/worker/service"
)

// Concurrent requests of one session, each with its own core (as each worker request is its
// own Go instance), find the access token expired at the server while refresh tokens rotate.
// The refresh lease in KV makes them share the refresh, and nobody is logged out.
func TestConcurrentRequestsShareARefresh(t *testing.T) {
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}})
	sid := h.browser().login()
	h.fake.ExpireAccessTokens()
	// A slow token endpoint keeps the first refresh in flight while the others find the 401.
	h.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", Delay: 300 * time.Millisecond, Times: -1})
	err := parallel.Run(20, func(int) error {
		req, _ := http.NewRequest("GET", h.srv.URL+"/groups", nil)
		req.AddCookie(&http.Cookie{Name: service.SessionCookie, Value: sid})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("GET /groups = %d %s", resp.StatusCode, body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two writers can both read an empty lease, both write and each read back its own value
	// before the other's write lands: at most two refreshes, against 20 without the lease.
	if n := h.fake.Count("grant:refresh_token"); n < 1 || n > 2 {
		t.Fatalf("%d refreshes for 20 concurrent requests", n)
	}
	for k := range h.kv.Snapshot() {
		if strings.HasPrefix(k, "lease/") {
			t.Fatalf("lease %s left behind", k)
		}
	}
	if d := h.groupsToken(sid); !h.fake.TokenActive(d.RefreshToken) {
		t.Fatal("the stored refresh token is not the live one")
	}
}
