//go:build !(js && wasm)

package e2e

import (
	"context"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/internal/workerload"
)

// TestWorkerUnderLoad runs the pooled worker in workerd under 8 concurrent clients sharing 4
// sessions, with server-side expiries, Groups 503 bursts, logouts and new logins mid-run:
// every answer must be the expected one, no session may be lost, each expiry costs at most one
// refresh per session, and workerd must not log a cross-request warning (checked at cleanup).
// The long form (-faults.long or GLOBUS_EDGE_FAULTS=long, as the fault suites) runs 5,000
// requests instead of 600.
func TestWorkerUnderLoad(t *testing.T) {
	cfg := workerload.Config{Clients: 8, Sessions: 4, Requests: 600, Expiries: 2, Bursts: 2}
	if faultsuite.Long() {
		cfg.Requests, cfg.Expiries, cfg.Bursts = 5000, 5, 10
	}
	p := newPoolRig(t, globustest.Options{RotateRefreshTokens: true})
	cfg.Base, cfg.Fake = p.w.URL, p.fake
	res, err := workerload.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests %v in %v: %d unexpected, %d sessions lost, %d refreshes for %d sessions × %d expiries, %d logins, %d logouts",
		res.Requests, res.ByRoute, res.Elapsed, res.Failures, res.Lost, res.Refreshes, cfg.Sessions, cfg.Expiries, res.Logins, res.Logouts)
	if res.Failures != 0 || res.Lost != 0 {
		t.Errorf("%d unexpected answers, %d sessions lost: %q", res.Failures, res.Lost, res.Unexpected)
	}
	if res.Requests != cfg.Requests+res.ByRoute["logout"] {
		t.Errorf("%d requests checked, want %d", res.Requests, cfg.Requests+res.ByRoute["logout"])
	}
	if res.Refreshes == 0 || res.Refreshes > cfg.Sessions*cfg.Expiries {
		t.Errorf("%d refreshes, want 1..%d (sessions × expiries)", res.Refreshes, cfg.Sessions*cfg.Expiries)
	}
	if res.Logouts == 0 {
		t.Error("no logout ran mid-load")
	}
}
