package app_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// inLocation is an App whose storage is one login's record in location loc of kv (as the
// worker's, without the sealing).
func inLocation(h *harness, kv *kvstore.Cloud, loc string) *app.App {
	cfg := config.Config{AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), ClientID: globustest.TutorialClientID, Timeout: 5 * time.Second}
	return app.New(cfg, http.DefaultClient.Do, tokens.NewDocumentStorage(kvstore.Session(kv.Location(loc), "sid", time.Hour).WithSuccessors()), "")
}

// Location b still reads the record location a replaced when a refreshed with refresh-token
// rotation; b's own refresh is refused (invalid_grant). b must not take the refusal for a
// revoked login and delete the record, which now holds a's live tokens: it finds a's record
// through its successor and answers with it.
func TestStaleLocationAdoptsTheRefreshMadeElsewhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t, globustest.Options{RotateRefreshTokens: true})
	h.login(t)
	kv := &kvstore.Cloud{Staleness: time.Minute}
	doc, _, _ := h.blob.Load(context.Background())
	kv.Store().Put(context.Background(), kvstore.SessionKey("sid"), string(doc), time.Hour)
	a, b := inLocation(h, kv, "a"), inLocation(h, kv, "b")
	for _, x := range []*app.App{a, b} { // both locations have read the record
		if _, err := x.MyGroups(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	h.fake.ExpireAccessTokens()
	if _, err := a.MyGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
	fresh, _ := a.Storage.Get(context.Background(), groups.ResourceServer)
	if stale, _ := b.Storage.Get(context.Background(), groups.ResourceServer); stale.RefreshToken == fresh.RefreshToken {
		t.Fatal("b already sees a's refresh: the test needs a stale location")
	}
	if _, err := b.MyGroups(context.Background()); err != nil {
		t.Fatalf("b's request: %v", err)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 2 {
		t.Errorf("%d refresh grants, want a's and b's refused one", n)
	}
	kept, ok, _ := kv.Store().Get(context.Background(), kvstore.SessionKey("sid"))
	if !ok {
		t.Fatal("b deleted the record holding a's live tokens")
	}
	d, _ := tokens.DecodeDocument([]byte(kept))
	if got := d.Data[tokens.DefaultNamespace][groups.ResourceServer]; got.RefreshToken != fresh.RefreshToken || !h.fake.TokenActive(got.RefreshToken) {
		t.Error("the record no longer holds a's live refresh token")
	}
}

// With no record to find a successor of, a refusal is a refusal: the login is removed.
func TestRefusedWithoutSuccessorStillLogsOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, globustest.Options{})
	h.login(t)
	kv := &kvstore.Cloud{}
	doc, _, _ := h.blob.Load(context.Background())
	kv.Store().Put(context.Background(), kvstore.SessionKey("sid"), string(doc), time.Hour)
	a := inLocation(h, kv, "a")
	d, _ := a.Storage.Get(context.Background(), groups.ResourceServer)
	if err := a.Auth.Revoke(context.Background(), d.RefreshToken); err != nil {
		t.Fatal(err)
	}
	a.Now = func() time.Time { return d.ExpiresAt() }
	_, err := a.MyGroups(context.Background())
	if !errors.Is(err, app.ErrLoginRequired) || !auth.IsInvalidGrant(err) {
		t.Fatalf("err %v", err)
	}
	if _, ok := kv.Store().TTL(kvstore.SessionKey("sid")); ok {
		t.Fatal("refused tokens kept")
	}
}

// countingBlob counts writes and locks of a Blob.
type countingBlob struct {
	tokens.MemoryBlob
	writes, locks int
}

func (c *countingBlob) Save(ctx context.Context, b []byte) error {
	c.writes++
	return c.MemoryBlob.Save(ctx, b)
}

func (c *countingBlob) Delete(ctx context.Context) error {
	c.writes++
	return c.MemoryBlob.Delete(ctx)
}

func (c *countingBlob) Lock(context.Context) (func(), error) {
	c.locks++
	return func() {}, nil
}

// A logout with nothing stored (never logged in, a forged session) takes no lock and writes
// nothing: in KV either would be a write, and anonymous traffic must not spend the quota.
func TestLogoutWithNothingStoredWritesNothing(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	blob := &countingBlob{}
	h.app.Storage = tokens.NewDocumentStorage(blob)
	if err := h.app.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if blob.writes != 0 || blob.locks != 0 || h.fake.Count("revoke") != 0 {
		t.Errorf("%d writes, %d locks, %d revocations for a logout of nothing", blob.writes, blob.locks, h.fake.Count("revoke"))
	}
	h.login(t)
	if err := h.app.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if blob.locks != 1 || blob.writes != 2 { // the login's write and the logout's delete
		t.Errorf("a real logout: %d locks, %d writes", blob.locks, blob.writes)
	}
}
