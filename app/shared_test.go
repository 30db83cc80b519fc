//go:build unix

package app_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/tokens"
)

// Two processes (here: two Apps) share one token file while the server rotates refresh tokens.
// Unix only: the cross-process lock is the lock file (tokens.RecordLock); elsewhere FileBlob
// cannot lock and two processes may race (as with the Python SDK).
// The file lock makes them refresh once between them, and neither is logged out by using a
// refresh token the other already rotated away.
func TestSharedFileRefreshesOnceWithRotation(t *testing.T) {
	h := newHarness(t, globustest.Options{RotateRefreshTokens: true})
	h.login(t)
	path := filepath.Join(t.TempDir(), "tokens.json")
	b, _, _ := h.blob.Load(context.Background())
	tokens.FileBlob{Path: path}.Save(context.Background(), b)

	cfg := config.Config{AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), ClientID: globustest.TutorialClientID, Timeout: 5 * time.Second}
	var apps []*app.App
	for i := 0; i < 2; i++ {
		a := app.New(cfg, http.DefaultClient.Do, tokens.NewFileStore(path), "")
		if _, err := a.MyGroups(context.Background()); err != nil { // both now hold an authorizer
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	d, _ := apps[0].Storage.Get(context.Background(), groups.ResourceServer)
	later := func() time.Time { return d.ExpiresAt() }
	apps[0].Now, apps[1].Now = later, later
	err := parallel.Run(10, func(i int) error { _, err := apps[i%2].MyGroups(context.Background()); return err })
	if err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 {
		t.Fatalf("%d refreshes for two processes, want 1", n)
	}
	now, _ := apps[1].Storage.Get(context.Background(), groups.ResourceServer)
	if now == nil || now.RefreshToken == d.RefreshToken || !h.fake.TokenActive(now.RefreshToken) {
		t.Fatal("the rotated refresh token is not the stored one")
	}
}

// Two processes share the token file; one logs out while the other's refresh is in flight.
// The logout waits on the file lock, then removes and revokes the renewed tokens.
func TestFileLogoutWaitsForAnotherProcessRefresh(t *testing.T) {
	h := newHarness(t, globustest.Options{RotateRefreshTokens: true})
	h.login(t)
	path := filepath.Join(t.TempDir(), "tokens.json")
	b, _, _ := h.blob.Load(context.Background())
	tokens.FileBlob{Path: path}.Save(context.Background(), b)
	cfg := config.Config{AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), ClientID: globustest.TutorialClientID, Timeout: 5 * time.Second}
	a := app.New(cfg, http.DefaultClient.Do, tokens.NewFileStore(path), "")
	other := app.New(cfg, http.DefaultClient.Do, tokens.NewFileStore(path), "")
	err := logoutDuringRefresh(t, h, a, other)
	if err != nil && !errors.Is(err, app.ErrLoginRequired) {
		t.Fatalf("the call racing the logout: %v", err)
	}
	checkLoggedOut(t, h, a.Storage)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("token file after logout: %v", err)
	}
}
