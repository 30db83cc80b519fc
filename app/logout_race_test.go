package app_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

// waitFor polls cond until it holds; the limit only guards against a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// logoutDuringRefresh starts a MyGroups on refresher whose refresh Globus has already
// granted but answers slowly, logs out through logouter while that answer is on its way, and
// returns MyGroups' error. The renewed tokens exist at Globus before the logout starts.
func logoutDuringRefresh(t *testing.T, h *harness, refresher, logouter *app.App) error {
	t.Helper()
	d := h.stored(t)
	refresher.Now = func() time.Time { return d.ExpiresAt() }
	h.fake.ExpireAccessTokens() // the replaced access token is dead too, so every live token counts
	h.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", AfterHandling: true, Delay: time.Second})
	issued := len(h.fake.IssuedTokens())
	done := make(chan error, 1)
	go func() { _, err := refresher.MyGroups(context.Background()); done <- err }()
	waitFor(t, "the refresh to be granted", func() bool { return len(h.fake.IssuedTokens()) > issued })
	if err := logouter.Logout(context.Background()); err != nil {
		t.Fatalf("logout: %v", err)
	}
	return <-done
}

// checkLoggedOut fails unless storage is empty and every token Globus issued is dead.
func checkLoggedOut(t *testing.T, h *harness, storage tokens.Storage) {
	t.Helper()
	if d, err := storage.Get(context.Background(), "groups.api.globus.org"); err != nil || d != nil {
		t.Fatalf("after logout storage holds %v (err %v): a renewal brought the login back", d != nil, err)
	}
	for i, tok := range h.fake.IssuedTokens() {
		if h.fake.TokenActive(tok) {
			t.Errorf("token %d issued by Globus is still active after logout", i)
		}
	}
}

// A logout while a refresh is in flight (same App, memory storage) waits for it and then
// removes and revokes the renewed tokens; without the refresh lock the renewal wrote the
// tokens back after the logout.
func TestLogoutWaitsForRefreshInFlight(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	err := logoutDuringRefresh(t, h, h.app, h.app)
	if err != nil && !errors.Is(err, app.ErrLoginRequired) {
		t.Fatalf("the call racing the logout: %v", err)
	}
	checkLoggedOut(t, h, h.app.Storage)
}

// Two Apps over one blob share no lock (two processes without a lock file, two KV locations): the
// logout goes through at once, and the renewal that finishes afterwards finds the record gone,
// so it revokes what it got instead of storing it.
func TestRenewalAfterLogoutIsRevokedNotStored(t *testing.T) {
	h := newHarness(t, globustest.Options{RotateRefreshTokens: true})
	h.login(t)
	cfg := config.Config{AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), ClientID: globustest.TutorialClientID, Timeout: 5 * time.Second}
	other := app.New(cfg, http.DefaultClient.Do, tokens.NewDocumentStorage(h.blob), "")
	err := logoutDuringRefresh(t, h, h.app, other)
	if !errors.Is(err, app.ErrLoginRequired) {
		t.Fatalf("the renewal that lost to a logout: %v, want ErrLoginRequired", err)
	}
	checkLoggedOut(t, h, h.app.Storage)
}
