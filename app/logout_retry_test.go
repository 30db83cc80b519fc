package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

// A logout that lands between a call's refresh and its retry (another tab or worker request
// logs out and revokes the tokens just renewed) makes the retry meet a 401. That is the user
// being logged out, login_required, not a Globus failure; before, it was globus_error (a 502
// from the worker, found by its load test).
func TestLogoutBetweenRefreshAndRetryIsLoginRequired(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	// The other party shares the stored bytes but not this App's in-process lock.
	other := app.New(h.app.Config, http.DefaultClient.Do, tokens.NewDocumentStorage(h.blob), "")
	h.fake.ExpireAccessTokens() // Groups answers 401: the App refreshes, then retries
	h.app.OnRefresh = func() {
		if err := other.Logout(context.Background()); err != nil {
			t.Errorf("the other party's logout: %v", err)
		}
	}
	_, err := h.app.MyGroups(context.Background())
	if k := app.KindOf(err); k != app.KindLoginRequired {
		t.Fatalf("kind %q (%v), want login_required", k, err)
	}
	if d := h.stored(t); d != nil {
		t.Fatal("tokens stored after the logout")
	}
}
