package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/globustest"
)

// lostAnswers are the two ways a token response is lost after Globus processed the request:
// the connection breaks, or the answer comes after the client's timeout.
var lostAnswers = map[string]globustest.Fault{
	"dropped":  {Path: "/v2/oauth2/token", AfterHandling: true, Drop: true},
	"too late": {Path: "/v2/oauth2/token", AfterHandling: true, Delay: 5 * time.Second},
}

// A code exchange whose answer is lost is retried (as the Python SDK retries it) and the retry
// meets invalid_grant: the code is spent (the fake, like Auth, revokes what it issued). The
// user must be told plainly to log in again, nothing is stored, and nothing stays live.
func TestCodeExchangeAnswerLost(t *testing.T) {
	for name, fault := range lostAnswers {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, globustest.Options{})
			h.app.Transport.Timeout = 300 * time.Millisecond
			ctx := context.Background()
			flow, err := h.app.StartLogin(auth.FlowOptions{})
			if err != nil {
				t.Fatal(err)
			}
			loc, err := h.fake.Authorize(ctx, flow.AuthorizeURL)
			if err != nil {
				t.Fatal(err)
			}
			h.fake.Inject(fault)
			err = h.app.FinishRedirect(ctx, flow, loc.Query())
			if !strings.Contains(err.Error(), "log in again") || !auth.IsInvalidGrant(err) {
				t.Fatalf("err %v; want a plain 'log in again' wrapping invalid_grant", err)
			}
			if h.fake.Count("grant:authorization_code") != 2 {
				t.Fatalf("counts %v: want the exchange and one retry", h.fake.Counts())
			}
			if h.stored(t) != nil {
				t.Fatal("tokens stored after a failed login")
			}
			for _, tok := range h.fake.IssuedTokens() {
				if h.fake.TokenActive(tok) {
					t.Fatal("a token issued for the lost answer is still active")
				}
			}
		})
	}
}

// A refresh whose answer is lost: without rotation the retry simply works; with rotation the
// retry presents the refresh token Globus just rotated away and meets invalid_grant, and since
// storage still holds that refused token the login is dropped (today's rule), with a plain
// "log in again".
func TestRefreshAnswerLost(t *testing.T) {
	for name, fault := range lostAnswers {
		for _, rotate := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: " rotating"}[rotate], func(t *testing.T) {
				h := newHarness(t, globustest.Options{RotateRefreshTokens: rotate})
				h.login(t)
				h.app.Transport.Timeout = 300 * time.Millisecond
				d := h.stored(t)
				h.app.Now = func() time.Time { return d.ExpiresAt() }
				h.fake.Inject(fault)
				gs, err := h.app.MyGroups(context.Background())
				if h.fake.Count("grant:refresh_token") != 2 {
					t.Fatalf("counts %v: want the refresh and one retry", h.fake.Counts())
				}
				if !rotate {
					if err != nil || len(gs) == 0 {
						t.Fatalf("without rotation the retry must succeed: %v", err)
					}
					if now := h.stored(t); now == nil || now.RefreshToken != d.RefreshToken || now.AccessToken == d.AccessToken {
						t.Fatal("the renewed tokens were not stored")
					}
					return
				}
				if !errors.Is(err, app.ErrLoginRequired) || !strings.Contains(err.Error(), "log in again") {
					t.Fatalf("err %v; want ErrLoginRequired saying to log in again", err)
				}
				if h.stored(t) != nil {
					t.Fatal("the refused refresh token was kept although storage still held it")
				}
			})
		}
	}
}
