package kvstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// coordRig is one KV over locations with a minute of staleness, and a coordinator per session.
type coordRig struct {
	cloud *Cloud
	co    *MemoryCoordinators
	off   atomic.Int64 // added to the real clock of both
}

func newCoordRig() *coordRig {
	r := &coordRig{}
	r.cloud = &Cloud{Staleness: time.Minute, Now: r.now}
	r.co = &MemoryCoordinators{Now: r.now}
	return r
}

func (r *coordRig) now() time.Time { return time.Now().Add(time.Duration(r.off.Load())) }

// at is the session "sid"'s record as a request in location loc opens it.
func (r *coordRig) at(loc string) SessionBlob {
	return Session(r.cloud.Location(loc), "sid", time.Hour).WithCoordinator(r.co.For(SessionKey("sid")))
}

func load(t *testing.T, b SessionBlob) (string, bool) {
	t.Helper()
	v, ok, err := b.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}

// A session stored before its coordinator was used is read from KV; its next write is ordered
// by the coordinator (version 1) and still lands in KV.
func TestCoordinatedFallsBackToKVUntilWritten(t *testing.T) {
	r := newCoordRig()
	ctx := context.Background()
	r.cloud.Store().Put(ctx, SessionKey("sid"), "v1", 0)
	a := r.at("a")
	if v, ok := load(t, a); !ok || v != "v1" {
		t.Fatalf("load = %q, %v; want KV's v1", v, ok)
	}
	if err := a.Save(ctx, []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if rec, _ := r.co.For(SessionKey("sid")).Read(ctx); rec.Version != 1 || rec.Value != "v2" {
		t.Errorf("coordinator holds %+v, want version 1 with v2", rec)
	}
	if v, _, _ := r.cloud.Store().Get(ctx, SessionKey("sid")); v != "v2" {
		t.Errorf("KV holds %q, want v2", v)
	}
}

// A location whose KV copy is stale reads the newest record from the coordinator; a logout in
// one location is a tombstone every other location sees on its next read.
func TestCoordinatedReadsAreNeverStale(t *testing.T) {
	r := newCoordRig()
	ctx := context.Background()
	a := r.at("a")
	load(t, a)
	if err := a.Save(ctx, []byte("v1")); err != nil { // the login
		t.Fatal(err)
	}
	r.cloud.Location("b").Get(ctx, SessionKey("sid")) // b's location caches v1
	a2 := r.at("a")
	load(t, a2)
	r.off.Add(int64(2 * WriteInterval))
	if err := a2.Save(ctx, []byte("v2")); err != nil { // a refresh in a
		t.Fatal(err)
	}
	if v, _, _ := r.cloud.Location("b").Get(ctx, SessionKey("sid")); v != "v1" {
		t.Fatalf("b's KV reads %q: the double must be stale here", v)
	}
	if v, ok := load(t, r.at("b")); !ok || v != "v2" {
		t.Errorf("b loads %q, %v; want the coordinator's v2", v, ok)
	}
	a3 := r.at("a")
	load(t, a3)
	r.off.Add(int64(2 * WriteInterval))
	if err := a3.Delete(ctx); err != nil { // the logout in a
		t.Fatal(err)
	}
	if _, ok, _ := r.cloud.Location("b").Get(ctx, SessionKey("sid")); !ok {
		t.Fatal("b's KV no longer serves the record: the double must be stale here")
	}
	if v, ok := load(t, r.at("b")); ok {
		t.Errorf("b loads %q after the logout in a, want none", v)
	}
}

// A write based on a read that another write has overtaken writes nothing, neither in the
// coordinator nor in KV: a stale request can never overwrite or delete newer tokens.
func TestCoordinatedWriteFromAnOlderReadIsRefused(t *testing.T) {
	r := newCoordRig()
	ctx := context.Background()
	first := r.at("a")
	load(t, first)
	first.Save(ctx, []byte("v1"))
	slow, fast := r.at("b"), r.at("a")
	load(t, slow)
	load(t, fast)
	r.off.Add(int64(2 * WriteInterval))
	if err := fast.Save(ctx, []byte("v2")); err != nil {
		t.Fatal(err)
	}
	r.off.Add(int64(2 * WriteInterval))
	if err := slow.Save(ctx, []byte("old")); !errors.Is(err, ErrConflict) {
		t.Errorf("a save from an older read = %v, want ErrConflict", err)
	}
	if err := slow.Delete(ctx); !errors.Is(err, ErrConflict) {
		t.Errorf("a delete from an older read = %v, want ErrConflict", err)
	}
	if v, _, _ := r.cloud.Store().Get(ctx, SessionKey("sid")); v != "v2" {
		t.Errorf("KV holds %q, want v2", v)
	}
	// A renewal finishing after a logout is told the record is gone (tokens.Update's rule).
	out := r.at("a")
	load(t, out)
	r.off.Add(int64(2 * WriteInterval))
	out.Delete(ctx)
	late := r.at("b")
	late.co.(*coordinated).ver = 2 // read before the logout
	if err := late.Save(ctx, []byte("renewed")); !errors.Is(err, tokens.ErrNoRecord) {
		t.Errorf("a save after the logout = %v, want tokens.ErrNoRecord", err)
	}
}

// Twenty requests over two locations take the lock at once: one holds it, the others wait in
// the coordinator and, when the holder stores, stop with tokens.ErrStoredMeanwhile and load
// what it stored without another read.
func TestCoordinatedLockIsSingleFlight(t *testing.T) {
	r := newCoordRig()
	ctx := context.Background()
	b := r.at("a")
	load(t, b)
	b.Save(ctx, []byte("v1"))
	r.off.Add(int64(2 * WriteInterval))
	var held atomic.Int32
	var wg sync.WaitGroup
	got := make([]string, 20)
	for i := range got {
		wg.Go(func() {
			s := r.at([]string{"a", "b"}[i%2])
			load(t, s)
			unlock, err := s.Lock(ctx)
			if errors.Is(err, tokens.ErrStoredMeanwhile) {
				got[i], _ = load(t, s)
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			defer unlock()
			if v, _ := load(t, s); v != "v1" { // under the lock: what it read, no other writer
				got[i] = v
				return
			}
			if held.Add(1) > 1 {
				t.Error("two requests refreshed")
			}
			time.Sleep(50 * time.Millisecond) // the refresh at Globus
			if err := s.Save(ctx, []byte("v2")); err != nil {
				t.Error(err)
			}
			got[i] = "v2"
		})
	}
	wg.Wait()
	for i, v := range got {
		if v != "v2" {
			t.Errorf("request %d ended with %q, want v2", i, v)
		}
	}
	if held.Load() != 1 {
		t.Errorf("%d requests held the lock over v1, want 1", held.Load())
	}
	if n := r.co.Counts(); n["write"] != 2 || n["read"] != 20+1 {
		t.Errorf("coordinator calls %v: want 2 writes and 21 reads (one per request, one under the lock)", n)
	}
}

// A holder renews its lock while it holds it, so a slow refresh is never taken over; a holder
// that is gone (it never renews) holds the others off until its lock's expiry only.
func TestCoordinatedLockRenewalAndExpiry(t *testing.T) {
	r := newCoordRig()
	ctx := context.Background()
	c := r.co.For(SessionKey("sid"))
	unlock, err := r.at("a").Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.off.Add(int64(leaseHold - time.Second))
	for start := r.co.Counts()["lock"]; r.co.Counts()["lock"] == start; { // one renewal
		time.Sleep(50 * time.Millisecond)
	}
	r.off.Add(int64(leaseHold - time.Second)) // past the first lock's expiry, within the renewal's
	if _, ok, _ := c.Lock(ctx, "other", -1, leaseHold, 0); ok {
		t.Error("another request took a lock its live holder renewed")
	}
	unlock()
	if _, ok, _ := c.Lock(ctx, "gone", -1, leaseHold, 0); !ok {
		t.Fatal("the lock is still held after unlock")
	}
	r.off.Add(int64(leaseHold + time.Second))
	// "gone" never unlocks: only its lock's expiry lets this one in (a safety net bounds it).
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	unlock2, err := r.at("b").Lock(sctx)
	if err != nil {
		t.Fatalf("the lock of a holder that is gone was not taken over: %v", err)
	}
	unlock2()
}
