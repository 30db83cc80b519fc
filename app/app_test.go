package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// harness is one App over a MemoryBlob, talking to a fake Globus over loopback with net/http,
// recording retry sleeps instead of waiting them out.
type harness struct {
	fake   *globustest.Server
	app    *app.App
	blob   *tokens.MemoryBlob
	mu     sync.Mutex
	sleeps []time.Duration
}

func newHarness(t *testing.T, opts globustest.Options) *harness {
	t.Helper()
	h := &harness{fake: globustest.NewT(t, opts), blob: &tokens.MemoryBlob{}}
	cfg := config.Config{AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(), ClientID: globustest.TutorialClientID, Timeout: 5 * time.Second}
	h.app = app.New(cfg, http.DefaultClient.Do, tokens.NewDocumentStorage(h.blob), "")
	h.app.Transport.Sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.sleeps = append(h.sleeps, d)
		h.mu.Unlock()
		return ctx.Err()
	}
	return h
}

// login plays the tutorial: authorize URL → the user approves → the code from the auth-code page.
func (h *harness) login(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	flow, err := h.app.StartLogin(auth.FlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := h.fake.Authorize(ctx, flow.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), h.fake.AuthCodePageURL()+"?") {
		t.Fatalf("redirected to %s", loc)
	}
	if err := h.app.FinishRedirect(ctx, flow, loc.Query()); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) stored(t *testing.T) *tokens.Data {
	t.Helper()
	d, err := h.app.Storage.Get(context.Background(), groups.ResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoginAndMyGroups(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	ctx := context.Background()
	if ok, _ := h.app.LoggedIn(ctx); ok {
		t.Fatal("logged in before login")
	}
	if _, err := h.app.MyGroups(ctx); !errors.Is(err, app.ErrLoginRequired) {
		t.Fatalf("before login: %v", err)
	}
	h.login(t)
	d := h.stored(t)
	if d.RefreshToken == "" || !h.fake.TokenActive(d.AccessToken) || d.ExpiresAtSeconds < time.Now().Unix()+172000 {
		t.Fatalf("stored %+v", d)
	}
	gs, err := h.app.MyGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 5 {
		t.Fatalf("%d active groups, want 5", len(gs))
	}
	want := map[string]bool{}
	for _, g := range globustest.TestGroups() {
		want[g["name"].(string)] = true
	}
	for _, g := range gs {
		if !want[g.Name] || len(g.MyMemberships) == 0 {
			t.Errorf("unexpected group %+v", g)
		}
	}
	if n := h.fake.Count("grant:refresh_token"); n != 0 {
		t.Fatalf("%d refreshes with a fresh token", n)
	}
	invited, err := h.app.MyGroups(ctx, "invited")
	if err != nil || len(invited) != 1 || invited[0].ID != globustest.GroupInvitedID {
		t.Fatalf("invited: %v %+v", err, invited)
	}
	if _, err := h.app.MyGroups(ctx, "bogus"); err == nil {
		t.Fatal("bogus status accepted")
	}
}

func TestExpiredTokenRefreshesOnceAndWritesBack(t *testing.T) {
	h := newHarness(t, globustest.Options{RotateRefreshTokens: true})
	h.login(t)
	before := h.stored(t)
	// 59 s after the clock passes expires_at - 60 the token counts as expired.
	h.app.Now = func() time.Time { return before.ExpiresAt().Add(-59 * time.Second) }
	var refreshed int
	h.app.OnRefresh = func() { refreshed++ }
	if err := parallel.Run(20, func(int) error { _, err := h.app.MyGroups(context.Background()); return err }); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 || refreshed != 1 {
		t.Fatalf("%d refreshes at the fake, %d events; want 1", n, refreshed)
	}
	after := h.stored(t)
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken || !h.fake.TokenActive(after.RefreshToken) {
		t.Fatal("rotated tokens not written back")
	}
	if h.fake.TokenActive(before.RefreshToken) {
		t.Fatal("fake did not rotate")
	}
}

func TestUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	h.fake.ExpireAccessTokens() // the server says expired; our clock does not know yet
	if _, err := h.app.MyGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.fake.Count("grant:refresh_token") != 1 || h.fake.Count("GET /v2/groups/my_groups") != 2 {
		t.Fatalf("counts %v", h.fake.Counts())
	}
	// A 401 that refreshing does not cure is returned after one retry, not looped on: the
	// fault answers two attempts, and a third would be let through.
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 401, Times: 2})
	_, err := h.app.MyGroups(context.Background())
	var apiErr *transport.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 401 {
		t.Fatalf("err %v", err)
	}
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 4 {
		t.Fatalf("%d Groups calls in all, want 4 (2 before the fault, 2 under it)", n)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 2 {
		t.Fatalf("%d refreshes, want 2", n)
	}
}

func TestInvalidGrantLogsOut(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	d := h.stored(t)
	if err := h.app.Auth.Revoke(context.Background(), d.RefreshToken); err != nil {
		t.Fatal(err)
	}
	h.app.Now = func() time.Time { return d.ExpiresAt() }
	_, err := h.app.MyGroups(context.Background())
	if !errors.Is(err, app.ErrLoginRequired) || !auth.IsInvalidGrant(err) {
		t.Fatalf("err %v", err)
	}
	if h.stored(t) != nil {
		t.Fatal("rejected tokens kept")
	}
}

func TestRefreshFailureKeepsTokens(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	d := h.stored(t)
	h.app.Now = func() time.Time { return d.ExpiresAt() }
	h.app.Transport.MaxRetries = 2
	h.fake.Inject(globustest.Fault{Path: "/v2/oauth2/token", Status: 500, Times: 3})
	_, err := h.app.MyGroups(context.Background())
	var apiErr *transport.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 500 || apiErr.RequestID == "" {
		t.Fatalf("err %v", err)
	}
	if got := h.stored(t); got == nil || *got != *d {
		t.Fatalf("tokens changed after a failed refresh: %+v", got)
	}
}

func TestRetries(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	ctx := context.Background()
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 503, Times: 2})
	if _, err := h.app.MyGroups(ctx); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	// Jittered exponential backoff: attempt 0 in [0.25, 0.75] s, attempt 1 in [0.5, 1.5] s.
	if len(h.sleeps) != 2 || h.sleeps[0] < 250*time.Millisecond || h.sleeps[0] > 750*time.Millisecond ||
		h.sleeps[1] < 500*time.Millisecond || h.sleeps[1] > 1500*time.Millisecond {
		t.Fatalf("sleeps %v", h.sleeps)
	}
	h.sleeps = nil
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 429, RetryAfter: "7"})
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 429, RetryAfter: "60"})
	if _, err := h.app.MyGroups(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.sleeps) != 2 || h.sleeps[0] != 7*time.Second || h.sleeps[1] != 10*time.Second {
		t.Fatalf("Retry-After sleeps %v, want [7s 10s]", h.sleeps)
	}
	// After 5 retries the last error is returned with its parsed body.
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 502, Times: 6})
	_, err := h.app.MyGroups(ctx)
	var apiErr *transport.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 502 || apiErr.Code == "" {
		t.Fatalf("err %v", err)
	}
	// Client errors are not retried.
	before := h.fake.Count("GET /v2/groups/my_groups")
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Status: 403})
	if _, err := h.app.MyGroups(ctx); err == nil || h.fake.Count("GET /v2/groups/my_groups") != before+1 {
		t.Fatalf("403: %v, %d attempts", err, h.fake.Count("GET /v2/groups/my_groups")-before)
	}
}

func TestMalformedBodyAndTimeout(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	ctx := context.Background()
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Body: `[{"id": `})
	if _, err := h.app.MyGroups(ctx); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("malformed: %v", err)
	}
	h.app.Transport.Timeout = 100 * time.Millisecond
	h.app.Transport.MaxRetries = 1
	h.fake.Inject(globustest.Fault{Path: "/v2/groups/my_groups", Delay: 2 * time.Second, Times: 2})
	_, err := h.app.MyGroups(ctx)
	var netErr *transport.NetworkError
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("timeout: %v", err)
	}
	// The caller's cancellation stops retrying at once.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.app.MyGroups(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestLogoutRevokesBoth(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	d := h.stored(t)
	if err := h.app.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.fake.TokenActive(d.AccessToken) || h.fake.TokenActive(d.RefreshToken) || h.fake.Count("revoke") != 2 {
		t.Fatalf("tokens still active; counts %v", h.fake.Counts())
	}
	if _, ok, _ := h.blob.Load(context.Background()); ok {
		t.Fatal("storage not cleared")
	}
}

// Twenty calls that all get a 401 for the same server-expired token share one refresh: a 401
// that arrives after the token was renewed does not throw the new token away.
func TestConcurrent401sShareOneRefresh(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	h.login(t)
	if _, err := h.app.MyGroups(context.Background()); err != nil { // build the shared authorizer
		t.Fatal(err)
	}
	h.fake.ExpireAccessTokens()
	if err := parallel.Run(20, func(int) error { _, err := h.app.MyGroups(context.Background()); return err }); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("grant:refresh_token"); n != 1 {
		t.Fatalf("%d refreshes for 20 concurrent 401s, want 1", n)
	}
}

// TestLoggedInUsesTheRenewalRule: an access token without a refresh token counts as logged in
// only while it needs no renewal (60 s before expiry), the rule MyGroups applies.
func TestLoggedInUsesTheRenewalRule(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	exp := time.Unix(1_800_000_000, 0)
	doc := tokens.NewDocument()
	doc.Data[tokens.DefaultNamespace] = map[string]tokens.Data{groups.ResourceServer: {
		ResourceServer: groups.ResourceServer, AccessToken: "at", ExpiresAtSeconds: exp.Unix(),
	}}
	if err := h.blob.Save(context.Background(), doc.Encode()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now  time.Time
		want bool
	}{{exp.Add(-2 * time.Minute), true}, {exp.Add(-30 * time.Second), false}} {
		h.app.Now = func() time.Time { return c.now }
		if ok, err := h.app.LoggedIn(context.Background()); err != nil || ok != c.want {
			t.Errorf("%v before expiry: LoggedIn = %v, %v; want %v", exp.Sub(c.now), ok, err, c.want)
		}
	}
}

// TestFinishRedirectChecksStateFirst: an ?error= redirect is honoured only with the login's
// state (RFC 6749 §4.1.2.1); a forged one is a state mismatch, whatever error it names.
func TestFinishRedirectChecksStateFirst(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	flow, err := h.app.StartLogin(auth.FlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	forged := url.Values{"error": {"access_denied"}, "state": {auth.RandomState()}}
	if err := h.app.FinishRedirect(context.Background(), flow, forged); !errors.Is(err, auth.ErrStateMismatch) {
		t.Fatalf("forged ?error=: %v, want ErrStateMismatch", err)
	}
	real := url.Values{"error": {"access_denied"}, "state": {flow.State}}
	var authz *auth.AuthorizeError
	if err := h.app.FinishRedirect(context.Background(), flow, real); !errors.As(err, &authz) || authz.Code != "access_denied" {
		t.Fatalf("?error= with the login's state: %v, want the AuthorizeError", err)
	}
}

// TestFinishRedirectWithoutAnswer: a redirect with the login's state but neither a code nor an
// error is bad_callback (400), in every host, and nothing is exchanged.
func TestFinishRedirectWithoutAnswer(t *testing.T) {
	h := newHarness(t, globustest.Options{})
	flow, err := h.app.StartLogin(auth.FlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = h.app.FinishRedirect(context.Background(), flow, url.Values{"state": {flow.State}, "code": {""}})
	if f := app.Describe(err); f.Kind != app.KindBadCallback || f.Status != http.StatusBadRequest {
		t.Fatalf("%v: %+v, want bad_callback 400", err, f)
	}
	if n := h.fake.Count("grant:authorization_code"); n != 0 {
		t.Errorf("%d code exchanges", n)
	}
}
