package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

func TestPendingLoginIsTakenOnce(t *testing.T) {
	ctx := context.Background()
	blob := &tokens.MemoryBlob{}
	now := time.Unix(1_800_000_000, 0)
	p := PendingLogin{Blob: blob, TTL: 10 * time.Minute, Now: func() time.Time { return now }}
	c := &Client{ClientID: "c", BaseURL: "https://a"}
	f, err := c.StartFlow(FlowOptions{Scopes: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.State == DefaultState || len(f.State) < 43 {
		t.Fatalf("StartFlow's default state %q is not random", f.State)
	}
	f.ReturnTo = "/here"
	if err := p.Save(ctx, f); err != nil {
		t.Fatal(err)
	}
	if b, _, _ := blob.Load(ctx); strings.Contains(string(b), "authorize") {
		t.Fatalf("the authorize URL was stored: %s", b)
	}
	got, err := p.Take(ctx)
	if err != nil || got.State != f.State || got.Verifier != f.Verifier || got.ReturnTo != "/here" || got.RedirectURI != f.RedirectURI {
		t.Fatalf("Take = %+v, %v", got, err)
	}
	if _, err := p.Take(ctx); !errors.Is(err, ErrNoLogin) {
		t.Fatalf("second Take: %v, want ErrNoLogin", err)
	}
}

// TestPendingLoginStateFirst: a redirect whose state is not the saved login's is refused and
// leaves the login in progress, which the right state then finishes, once.
func TestPendingLoginStateFirst(t *testing.T) {
	ctx := context.Background()
	p := PendingLogin{Blob: &tokens.MemoryBlob{}}
	f := &Flow{State: RandomState(), Verifier: strings.Repeat("v", 43)}
	if err := p.Save(ctx, f); err != nil {
		t.Fatal(err)
	}
	for _, forged := range []string{"", RandomState(), f.State[:42]} {
		if _, err := p.TakeMatching(ctx, forged); !errors.Is(err, ErrStateMismatch) {
			t.Fatalf("state %q: %v, want ErrStateMismatch", forged, err)
		}
	}
	if got, err := p.TakeMatching(ctx, f.State); err != nil || got.Verifier != f.Verifier {
		t.Fatalf("TakeMatching(right state) = %+v, %v", got, err)
	}
	if _, err := p.TakeMatching(ctx, f.State); !errors.Is(err, ErrNoLogin) {
		t.Fatalf("replay: %v, want ErrNoLogin", err)
	}
}

func TestPendingLoginRefusals(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	f := &Flow{State: RandomState(), Verifier: strings.Repeat("v", 43)}
	for _, c := range []struct {
		name  string
		setup func(p *PendingLogin, blob *tokens.MemoryBlob)
	}{
		{"expired", func(p *PendingLogin, _ *tokens.MemoryBlob) {
			p.Save(ctx, f)
			p.Now = func() time.Time { return now.Add(10 * time.Minute) }
		}},
		{"not JSON", func(_ *PendingLogin, blob *tokens.MemoryBlob) { blob.Save(ctx, []byte("{")) }},
		{"no verifier", func(_ *PendingLogin, blob *tokens.MemoryBlob) { blob.Save(ctx, []byte(`{"flow":{"state":"s"}}`)) }},
		{"nothing saved", func(*PendingLogin, *tokens.MemoryBlob) {}},
	} {
		blob := &tokens.MemoryBlob{}
		p := PendingLogin{Blob: blob, TTL: 10 * time.Minute, Now: func() time.Time { return now }}
		c.setup(&p, blob)
		if _, err := p.Take(ctx); !errors.Is(err, ErrNoLogin) {
			t.Errorf("%s: Take: %v, want ErrNoLogin", c.name, err)
		}
		if _, ok, _ := blob.Load(ctx); ok {
			t.Errorf("%s: the record was not removed", c.name)
		}
	}
}

// failingBlob fails every operation, as a full or disabled storage does.
type failingBlob struct{}

var errStorage = errors.New("storage is down")

func (failingBlob) Load(context.Context) ([]byte, bool, error) { return nil, false, errStorage }
func (failingBlob) Save(context.Context, []byte) error         { return errStorage }
func (failingBlob) Delete(context.Context) error               { return errStorage }

func TestPendingLoginStorageFailures(t *testing.T) {
	p := PendingLogin{Blob: failingBlob{}}
	if err := p.Save(context.Background(), &Flow{}); !errors.Is(err, errStorage) {
		t.Fatalf("Save: %v", err)
	}
	if _, err := p.Take(context.Background()); !errors.Is(err, errStorage) || errors.Is(err, ErrNoLogin) {
		t.Fatalf("Take: %v, want the storage's error", err)
	}
}
