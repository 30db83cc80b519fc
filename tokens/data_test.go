package tokens

import (
	"testing"
	"time"
)

// TestNeedsRenewal pins the one expiry rule: renew when the access token is missing, of
// unknown expiry, or within ExpiresAdjust (60 s) of expiring.
func TestNeedsRenewal(t *testing.T) {
	exp := time.Unix(1_800_000_000, 0)
	d := Data{AccessToken: "at", ExpiresAtSeconds: exp.Unix()}
	for _, c := range []struct {
		name string
		d    Data
		now  time.Time
		want bool
	}{
		{"fresh", d, exp.Add(-61 * time.Second), false},
		{"exactly 60 s before", d, exp.Add(-60 * time.Second), false},
		{"59 s before", d, exp.Add(-59 * time.Second), true},
		{"expired", d, exp.Add(time.Second), true},
		{"no access token", Data{ExpiresAtSeconds: exp.Unix()}, exp.Add(-time.Hour), true},
		{"unknown expiry", Data{AccessToken: "at"}, exp.Add(-time.Hour), true},
	} {
		if got := c.d.NeedsRenewal(c.now); got != c.want {
			t.Errorf("%s: NeedsRenewal = %v, want %v", c.name, got, c.want)
		}
	}
}
