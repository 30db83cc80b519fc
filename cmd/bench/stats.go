//go:build !(js && wasm)

package main

import (
	"sort"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile of xs (nearest rank); xs is not modified.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func median(xs []float64) float64 { return percentile(xs, 50) }

// authCalls counts every request that reached the fake's Auth endpoints.
func authCalls(f *globustest.Server) int {
	n := 0
	for k, v := range f.Counts() {
		if strings.Contains(k, "/v2/oauth2/") {
			n += v
		}
	}
	return n
}
