//go:build !(js && wasm)

package main

import "fmt"

// roundTrips is what one host's operations cost in calls to Globus (and KV, for the worker).
type roundTrips struct {
	login, steadyAuth, expiredRefreshes, concurrentRefreshes int
	note                                                     string
}

// protocolMinimum is the reference: 1 token POST for login, 0 Auth calls for a valid token,
// 1 refresh for an expired one (also for 20 concurrent callers, when they can share it).
var protocolMinimum = roundTrips{login: 1, steadyAuth: 0, expiredRefreshes: 1, concurrentRefreshes: 1}

func (b *bench) roundTrips() error {
	hosts := []struct {
		name string
		get  func(*bench) (roundTrips, error)
	}{
		{"CLI", func(*bench) (roundTrips, error) { return cliRoundTrips() }},
		{"page", (*bench).pageRoundTrips},
		{"worker", (*bench).workerRoundTrips},
	}
	for _, h := range hosts {
		rt, err := h.get(b)
		if err != nil {
			return fmt.Errorf("%s: %w", h.name, err)
		}
		base := "protocol minimum (reference)"
		add := func(fig string, ours, min int) {
			b.add(Row{Section: "round trips", Figure: h.name + ": " + fig, Unit: "calls", Ours: float64(ours), Baseline: float64(min), BaseName: base, Conditions: rt.note})
		}
		add("login, token POSTs", rt.login, protocolMinimum.login)
		add("steady-state groups call, Auth calls", rt.steadyAuth, protocolMinimum.steadyAuth)
		add("call with an expired token, refreshes", rt.expiredRefreshes, protocolMinimum.expiredRefreshes)
		add("20 concurrent calls with an expired token, refreshes", rt.concurrentRefreshes, protocolMinimum.concurrentRefreshes)
	}
	return nil
}
