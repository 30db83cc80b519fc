//go:build !(js && wasm)

package main

import (
	"fmt"
	"time"
)

// workerDurable measures what Durable Object mode costs our worker: the same build with the
// SESSIONS binding ("durable.test") against itself without it ("ours.test", KV-only mode) in
// the same workerd, on a steady GET /groups (Durable Object mode reads the session's object
// instead of KV) and on a GET /groups that refreshes (Globus expired the token: a 401, the
// refresh under the object's lock and the object's compare-and-set, then the retry). Local KV
// and a local object: what is measured is the work of the hop, not a network's distance to it.
func (b *bench) workerDurable(r *workerRig) error {
	n, refreshes := 400, 40
	if b.quick {
		n, refreshes = 4, 2
	}
	const base = "our worker in KV-only mode (no SESSIONS binding), same run"
	for _, conc := range []int{1, 4} {
		dl, kl, drps, krps, err := sideBySide(r.durable, r.ours, "/groups", n, conc, nil)
		if err != nil {
			return err
		}
		cond := fmt.Sprintf("miniflare 4.20260426.0 (one workerd), loopback, fake Globus, %d requests, concurrency %d; one SessionCoordinator per session, local", n, conc)
		b.addLoadRows("worker", fmt.Sprintf("Durable Object mode, steady GET /groups, concurrency %d", conc), base, cond, dl, kl, drps, krps)
	}
	// Refreshes, one at a time, the two modes in turn (each expiry renews both sessions).
	var dl, kl []float64
	r.fake.ResetCounts()
	for i := range refreshes {
		r.fake.ExpireAccessTokens()
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		for _, durable := range order {
			c, lat := r.ours, &kl
			if durable {
				c, lat = r.durable, &dl
			}
			t0 := time.Now()
			if err := getOK(c, "/groups"); err != nil {
				return fmt.Errorf("a refreshing GET /groups: %w", err)
			}
			*lat = append(*lat, ms(time.Since(t0)))
		}
	}
	grants := r.fake.Count("grant:refresh_token")
	cond := fmt.Sprintf("miniflare 4.20260426.0 (one workerd), loopback, fake Globus, %d refreshes in each mode, one at a time (the modes in turn); Globus expired the token: a 401, the refresh, the retry", refreshes)
	fig := "Durable Object mode, GET /groups that refreshes"
	b.add(Row{Section: "worker", Figure: fig + ": p50 latency", Unit: "ms", Ours: percentile(dl, 50), Baseline: percentile(kl, 50), BaseName: base, Conditions: cond})
	b.add(Row{Section: "worker", Figure: fig + ": p95 latency", Unit: "ms", Ours: percentile(dl, 95), Baseline: percentile(kl, 95), BaseName: base, Conditions: cond})
	if grants < 2*refreshes {
		return fmt.Errorf("the refresh figures saw %d refresh grants for %d refreshing requests", grants, 2*refreshes)
	}
	return nil
}
