package kvstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// clock is a settable clock for Cloud and Lease tests.
type clock struct{ t time.Time }

func newClock() *clock                   { return &clock{t: time.Unix(1_800_000_000, 0)} }
func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func get(t *testing.T, kv KV, key string) string {
	t.Helper()
	v, ok, err := kv.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "<none>"
	}
	return v
}

func TestCloudOneWritePerKeyPerSecond(t *testing.T) {
	clk := newClock()
	c := &Cloud{Now: clk.now}
	a, b := c.Location("a"), c.Location("b")
	ctx := context.Background()
	if err := a.Put(ctx, "session/x", "v1", 0); err != nil {
		t.Fatal(err)
	}
	clk.advance(400 * time.Millisecond)
	for name, err := range map[string]error{
		"put here":        a.Put(ctx, "session/x", "v2", 0),
		"put elsewhere":   b.Put(ctx, "session/x", "v2", 0),
		"delete here":     a.Delete(ctx, "session/x"),
		"delete anywhere": b.Delete(ctx, "session/x"),
	} {
		var rl *RateLimitError
		if !errors.Is(err, ErrRateLimited) || !errors.As(err, &rl) || rl.RetryAfter != 600*time.Millisecond {
			t.Errorf("%s 400 ms after a write: %v, want a 429 retrying in 600ms", name, err)
		}
		if limited, wait := RateLimited(err); !limited || wait != 600*time.Millisecond {
			t.Errorf("%s: RateLimited = %v, %v", name, limited, wait)
		}
	}
	if got := get(t, c.Store(), "session/x"); got != "v1" {
		t.Fatalf("a refused write changed the value to %s", got)
	}
	if err := a.Put(ctx, "session/y", "other key", 0); err != nil {
		t.Errorf("another key was refused: %v", err)
	}
	clk.advance(600 * time.Millisecond) // the refusals did not move the key's clock
	if err := b.Delete(ctx, "session/x"); err != nil {
		t.Fatalf("a delete a second after the write: %v", err)
	}
	clk.advance(999 * time.Millisecond)
	if err := a.Put(ctx, "session/x", "v3", 0); !errors.Is(err, ErrRateLimited) {
		t.Errorf("a put 999 ms after a delete: %v, want a 429", err)
	}
	want := map[string]Counts{"session/": {Reads: 1, Writes: 2, Deletes: 1, Refused: 5}}
	get(t, a, "session/x")
	if got := c.Counts(); len(got) != 1 || got["session/"] != want["session/"] {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

func TestCloudTTL(t *testing.T) {
	clk := newClock()
	c := &Cloud{Now: clk.now}
	a := c.Location("a")
	ctx := context.Background()
	if err := a.Put(ctx, "k", "v", 59*time.Second); err == nil || errors.Is(err, ErrRateLimited) {
		t.Errorf("a 59 s TTL: %v, want refused (KV's minimum is 60 s)", err)
	}
	if err := a.Put(ctx, "k", "v", MinTTL); err != nil {
		t.Fatal(err)
	}
	clk.advance(MinTTL - time.Millisecond)
	if got := get(t, a, "k"); got != "v" {
		t.Fatalf("before its TTL: %s", got)
	}
	clk.advance(time.Millisecond)
	if got := get(t, a, "k"); got != "<none>" {
		t.Errorf("after its TTL: %s", got)
	}
}

// A location serves its last read of a key, value or absence, until it is Staleness old; its
// own writes it sees at once; with Staleness 0 every location sees every write.
func TestCloudStaleLocations(t *testing.T) {
	clk := newClock()
	c := &Cloud{Now: clk.now, Staleness: 60 * time.Second}
	a, b := c.Location("a"), c.Location("b")
	ctx := context.Background()
	if got := get(t, b, "k"); got != "<none>" { // b caches the absence
		t.Fatal(got)
	}
	a.Put(ctx, "k", "v1", 0)
	if get(t, a, "k") != "v1" || get(t, b, "k") != "<none>" {
		t.Fatal("the writer must see its write, the other location its cached absence")
	}
	clk.advance(59 * time.Second)
	if got := get(t, b, "k"); got != "<none>" {
		t.Fatalf("59 s later b reads %s, want its cached absence", got)
	}
	clk.advance(time.Second)
	if got := get(t, b, "k"); got != "v1" {
		t.Fatalf("60 s later b reads %s, want v1", got)
	}
	a.Put(ctx, "k", "v2", 0) // b cached v1 just now
	clk.advance(30 * time.Second)
	if got := get(t, b, "k"); got != "v1" {
		t.Fatalf("b reads %s 30 s after a's write, want its stale v1", got)
	}
	b.Delete(ctx, "k")
	if get(t, b, "k") != "<none>" || get(t, a, "k") != "v2" {
		t.Fatal("b must see its delete at once, a its own cached v2")
	}
	if get(t, c.Location("c"), "k") != "<none>" {
		t.Error("a location that never read the key must read the central store")
	}

	fresh := &Cloud{Now: clk.now}
	fresh.Location("b").Get(ctx, "k")
	fresh.Location("a").Put(ctx, "k", "v", 0)
	if got := get(t, fresh.Location("b"), "k"); got != "v" {
		t.Errorf("Staleness 0: b reads %s after a's write, want v", got)
	}
}

// Counts are kept per key prefix, and a location's cached reads count as reads.
func TestCloudCounts(t *testing.T) {
	c := &Cloud{Staleness: time.Minute}
	a := c.Location("a")
	ctx := context.Background()
	a.Put(ctx, "lease/1", "x", MinTTL)
	a.Get(ctx, "lease/1")
	a.Get(ctx, "lease/1")
	a.Get(ctx, "session/1")
	a.Delete(ctx, "plain")
	got := c.Counts()
	if got["lease/"] != (Counts{Reads: 2, Writes: 1}) || got["session/"] != (Counts{Reads: 1}) || got["plain"] != (Counts{Deletes: 1}) {
		t.Errorf("counts = %+v", got)
	}
	c.ResetCounts()
	if len(c.Counts()) != 0 {
		t.Error("ResetCounts left counts")
	}
}

func TestRateLimitedRecognisesTheBindingsError(t *testing.T) {
	for err, want := range map[error]bool{
		errors.New("storage.put: Error: KV PUT failed: 429 Too Many Requests"): true,
		errors.New("storage.delete: KV DELETE failed: 429 Too Many Requests"):  true,
		ErrRateLimited:                   true,
		errors.New("KV GET failed: 500"): false,
		errors.New("session/abc429def"):  false,
		nil:                              false,
	} {
		if got, wait := RateLimited(err); got != want || (got && wait != WriteInterval) {
			t.Errorf("RateLimited(%v) = %v, %v", err, got, wait)
		}
	}
}
