package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/tokens"
)

// faultReps is how many times the long form repeats each case and rotation setting.
const faultReps = 5

// outcome is what a fault must end in.
type outcome struct {
	kind app.Kind // "" means the call succeeds (the fault was absorbed by retries)
	// refused: Globus refused the stored tokens, so storage must no longer hold them.
	refused bool
	// inherent explains a token loss no client can avoid (e.g. Globus rotated the refresh
	// token and the new one could not be stored); such losses are counted apart.
	inherent string
}

// faultCase is one fault at one step of the tutorial's job.
type faultCase struct {
	name  string
	phase string // "groups" (valid token), "refresh" (expired token), "login", "logout"
	// faults are injected into the fake Globus; timeout, when set, is the App's per-attempt
	// timeout meanwhile.
	faults  []globustest.Fault
	timeout time.Duration
	// setup injects a fault that is not the fake's: into the storage, the App's key, or tokens
	// revoked at Globus.
	setup func(h *faultHarness)
	// calls is what the fake must count during the call (globustest.Server.Count): it proves
	// the fault fired and the retries ran. rotatingCalls replaces it with rotation, if set.
	calls, rotatingCalls fakeCalls
	// sleeps, if set, are exactly the waits the retries must ask for (Retry-After honoured);
	// retries, if set, is how many waits (one per retry) there must be.
	sleeps   []time.Duration
	retries  int
	plain    outcome
	rotating *outcome // when rotation changes the outcome; nil means the same as plain
	// keepBytes: the stored bytes must be exactly as they were (unreadable data is never
	// overwritten).
	keepBytes bool
}

// fakeCalls are counts of the fake's counters (globustest.Server.Count) by key.
type fakeCalls map[string]int

// subtest is the case's subtest name.
func (c faultCase) subtest(rotate bool) string {
	return c.phase + "/" + c.name + map[bool]string{true: "/rotating"}[rotate]
}

// faultHarness is the App over sealed storage in a blob that can be made to fail.
type faultHarness struct {
	*harness
	t     *testing.T
	blob  *faultyBlob
	store *tokens.DocumentStorage // the storage as configured (restored after the fault)
}

// faultyBlob is a MemoryBlob whose reads or writes can be made to fail, like a full disk, a
// Web Storage quota or a KV outage.
type faultyBlob struct {
	tokens.MemoryBlob
	failLoad, failSave atomic.Bool
}

var errInjected = errors.New("injected storage failure")

func (b *faultyBlob) Load(ctx context.Context) ([]byte, bool, error) {
	if b.failLoad.Load() {
		return nil, false, errInjected
	}
	return b.MemoryBlob.Load(ctx)
}

func (b *faultyBlob) Save(ctx context.Context, v []byte) error {
	if b.failSave.Load() {
		return errInjected
	}
	return b.MemoryBlob.Save(ctx, v)
}

func (b *faultyBlob) Delete(ctx context.Context) error {
	if b.failSave.Load() {
		return errInjected
	}
	return b.MemoryBlob.Delete(ctx)
}

// sealAD is the additional data the suite's sealed storage binds its value to.
var sealAD = []byte("session/fault-suite")

func newFaultHarness(t *testing.T, rotate bool) *faultHarness {
	h := &faultHarness{harness: newHarness(t, globustest.Options{RotateRefreshTokens: rotate}), t: t, blob: &faultyBlob{}}
	keys, err := tokens.ParseKeyring(keySpec(1))
	if err != nil {
		t.Fatal(err)
	}
	h.store = tokens.NewDocumentStorage(tokens.SealedBlob{Blob: h.blob, Keys: keys, AdditionalData: sealAD})
	h.app.Storage = h.store
	return h
}

// runFaultCases runs every case (the long form: with and without rotation, faultReps times)
// and reports the figures.
func runFaultCases(t *testing.T, cases []faultCase) faultsuite.Figures {
	var fig faultsuite.Figures
	reps, rotations := 1, []bool{false}
	if faultsuite.Long() {
		reps, rotations = faultReps, []bool{false, true}
	}
	for _, c := range cases {
		for _, rotate := range rotations {
			o, calls := c.plain, c.calls
			if rotate && c.rotating != nil {
				o = *c.rotating
			}
			if rotate && c.rotatingCalls != nil {
				calls = c.rotatingCalls
			}
			for range reps {
				fig.Run(t, c.subtest(rotate), func(t *testing.T) (bool, bool) { return runFaultCase(t, c, o, calls, rotate) })
			}
		}
	}
	return fig
}

// runFaultCase runs one case and checks its outcome; it reports whether a good token was lost
// and whether the loss was one the case declares inherent.
func runFaultCase(t *testing.T, c faultCase, o outcome, calls fakeCalls, rotate bool) (lost, inherent bool) {
	h := newFaultHarness(t, rotate)
	ctx := context.Background()
	var before *tokens.Data
	var flow *auth.Flow
	var callback map[string][]string
	if c.phase == "login" {
		var err error
		if flow, err = h.app.StartLogin(auth.FlowOptions{}); err != nil {
			t.Fatal(err)
		}
		loc, err := h.fake.Authorize(ctx, flow.AuthorizeURL)
		if err != nil {
			t.Fatal(err)
		}
		callback = loc.Query()
	} else {
		h.login(t)
		before = h.stored(t)
	}
	if c.phase == "refresh" {
		h.app.Now = func() time.Time { return before.ExpiresAt() }
	}
	rawBefore, _, _ := h.blob.MemoryBlob.Load(ctx)
	if c.setup != nil {
		c.setup(h)
	}
	for _, f := range c.faults {
		h.fake.Inject(f)
	}
	if c.timeout > 0 {
		h.app.Transport.Timeout = c.timeout
	}
	h.fake.ResetCounts()
	h.mu.Lock()
	h.sleeps = nil
	h.mu.Unlock()
	var err error
	switch c.phase {
	case "groups", "refresh":
		_, err = h.app.MyGroups(ctx)
	case "login":
		err = h.app.FinishRedirect(ctx, flow, callback)
	case "logout":
		err = h.app.Logout(ctx)
	}
	if got := app.KindOf(err); got != o.kind {
		t.Errorf("kind %q (%v), want %q", got, err, o.kind)
	}
	if err != nil {
		for _, tok := range h.fake.IssuedTokens() {
			if strings.Contains(err.Error(), tok) {
				t.Error("the error shows a token")
			}
		}
	}
	checkCalls(t, h, calls, c.sleeps, c.retries)
	// The fault is over: storage works again with its own keys, Globus answers. A fault of the
	// fake that was not used up fails the case here (globustest.NewT).
	h.fake.ClearFaults()
	h.blob.failLoad.Store(false)
	h.blob.failSave.Store(false)
	h.app.Storage, h.app.Transport.Timeout, h.app.Now = h.store, 5*time.Second, nil
	if rawAfter, _, _ := h.blob.MemoryBlob.Load(ctx); c.keepBytes && string(rawAfter) != string(rawBefore) {
		t.Error("stored bytes changed")
	}
	after, gerr := h.store.Get(ctx, "groups.api.globus.org")
	if gerr != nil {
		t.Fatalf("reading storage after the fault: %v", gerr)
	}
	return checkTokensAfter(t, h, c, o, after)
}

// checkCalls checks what the fake counted during the call and, if set, the waits the retries
// asked for and how many.
func checkCalls(t *testing.T, h *faultHarness, calls fakeCalls, sleeps []time.Duration, retries int) {
	t.Helper()
	faultsuite.CheckCalls(t.Errorf, h.fake, calls, nil)
	h.mu.Lock()
	defer h.mu.Unlock()
	if sleeps != nil && !slices.Equal(h.sleeps, sleeps) {
		t.Errorf("the retries waited %v, want %v (Retry-After)", h.sleeps, sleeps)
	}
	if retries != 0 && len(h.sleeps) != retries {
		t.Errorf("%d retries (waits %v), want %d", len(h.sleeps), h.sleeps, retries)
	}
}

// checkTokensAfter decides whether a good token was lost and whether the login still works.
func checkTokensAfter(t *testing.T, h *faultHarness, c faultCase, o outcome, after *tokens.Data) (lost, inherent bool) {
	good := after != nil && after.RefreshToken != "" && h.fake.TokenActive(after.RefreshToken)
	switch {
	case c.phase == "logout" && o.kind != app.KindStorage:
		if after != nil {
			t.Error("tokens still stored after logout")
		}
		return false, false // removing them was the user's intent
	case c.phase == "login" && o.kind != "":
		if after != nil {
			t.Error("a failed login stored tokens")
		}
		return false, false // there was no login to lose
	case o.refused:
		if after != nil {
			t.Error("Globus refused the stored tokens, but storage still holds them")
		}
		return o.inherent != "", o.inherent != "" // a rotated token lost in transit is a loss
	case !good:
		if o.inherent == "" {
			t.Errorf("good token lost: stored %v, refresh token active %v", after != nil, good)
		}
		return true, o.inherent != ""
	}
	if _, err := h.app.MyGroups(context.Background()); err != nil {
		t.Errorf("the stored login does not work after the fault: %v", err)
	}
	return false, false
}

// keySpec is a token encryption key of 32 bytes b, base64 (TOKEN_ENCRYPTION_KEY's form).
func keySpec(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, tokens.KeySize))
}
