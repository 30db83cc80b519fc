package service_test

import (
	"context"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/internal/workerload"
)

// TestWorkerLoad runs the service natively over KV as Cloudflare documents it (kvstore.Cloud, one
// location: one write per key per second) under the load the worker gets in
// workerd (internal/workerload, the same driver as worker/e2e's TestWorkerUnderLoad): 8 clients
// at once sharing 4 sessions, /groups (JSON and CSV) and /healthz, a logout and new login every
// 97 requests, Groups 503 bursts and server-side expiries between requests, rotating refresh
// tokens. Every answer must be the expected one, no session lost, and each expiry costs at
// most one refresh per session. Short form 800 requests; -faults.long or
// GLOBUS_EDGE_FAULTS=long: 5,000.
func TestWorkerLoad(t *testing.T) {
	h := newHarness(t, options{fake: globustest.Options{RotateRefreshTokens: true}})
	h.swap(faultHandler(t, h, h.cloud.Location("a"), h.keys, 0)) // no log lines kept: thousands of requests
	cfg := workerload.Config{Base: h.srv.URL, Fake: h.fake, Clients: 8, Sessions: 4, Requests: 800, Expiries: 3, Bursts: 3}
	if faultsuite.Long() {
		cfg.Requests, cfg.Expiries, cfg.Bursts = 5000, 10, 20
	}
	res, err := workerload.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests %v in %v: %d unexpected, %d sessions lost, %d refreshes for %d sessions × %d expiries; KV %+v",
		res.Requests, res.ByRoute, res.Elapsed, res.Failures, res.Lost, res.Refreshes, cfg.Sessions, cfg.Expiries, h.cloud.Counts())
	if res.Failures != 0 || res.Lost != 0 {
		t.Errorf("%d unexpected answers, %d sessions lost: %q", res.Failures, res.Lost, res.Unexpected)
	}
	if res.Refreshes == 0 || res.Refreshes > cfg.Sessions*cfg.Expiries {
		t.Errorf("%d refreshes, want 1..%d (sessions × expiries)", res.Refreshes, cfg.Sessions*cfg.Expiries)
	}
	if res.Logouts == 0 {
		t.Error("no logout ran mid-load")
	}
}
