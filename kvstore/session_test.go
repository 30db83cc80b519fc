package kvstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// A write of the record within a second of the last one (a refresh right after the login, a
// logout right after a refresh) is refused by KV once and then lands after the second.
func TestSessionWritesWaitForTheKeysSecond(t *testing.T) {
	c := &Cloud{}
	s := Session(c.Location("a"), "sid", time.Hour)
	ctx := context.Background()
	for i, op := range []func() error{
		func() error { return s.Save(ctx, []byte("v1")) },
		func() error { return s.Save(ctx, []byte("v2")) },
		func() error { return s.Delete(ctx) },
	} {
		if err := op(); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if _, ok := c.Store().TTL(s.Key()); ok {
		t.Error("the record survived its delete")
	}
	if n := c.Counts()["session/"]; n.Writes != 2 || n.Deletes != 1 || n.Refused != 2 {
		t.Errorf("record operations %+v: want 2 writes, 1 delete, each retried once", n)
	}
}

// A location that still reads the replaced record finds the new one through its successor
// key, a key it has never read (so never cached); later loads there return the new value.
func TestSuccessorFromAStaleLocation(t *testing.T) {
	c := &Cloud{Staleness: time.Minute}
	ctx := context.Background()
	key := SessionKey("sid")
	c.Store().Put(ctx, key, "v1", 0) // the login, long ago
	inA, inB := Session(c.Location("a"), "sid", time.Hour).WithSuccessors(), Session(c.Location("b"), "sid", time.Hour).WithSuccessors()
	if v, _, _ := inB.Load(ctx); string(v) != "v1" { // b caches v1
		t.Fatal(string(v))
	}
	// (Not in b: a location caches the absence of a successor too, for up to Staleness.)
	inC := Session(c.Location("c"), "sid", time.Hour).WithSuccessors()
	inC.Load(ctx)
	if _, ok, _ := inC.LoadSuccessor(ctx); ok {
		t.Fatal("a successor before any replacement")
	}
	inA.Load(ctx)
	if err := inA.SaveSuccessor(ctx, []byte("v2")); err != nil { // a refresh in a, rotating
		t.Fatal(err)
	}
	b2 := Session(c.Location("b"), "sid", time.Hour).WithSuccessors() // the next request in b
	if v, _, _ := b2.Load(ctx); string(v) != "v1" {
		t.Fatalf("b reads %s, want its stale v1 (the double must be stale here)", v)
	}
	v, ok, err := b2.LoadSuccessor(ctx)
	if err != nil || !ok || string(v) != "v2" {
		t.Fatalf("successor = %q, %v, %v; want v2", v, ok, err)
	}
	if v, _, _ := b2.Load(ctx); string(v) != "v2" {
		t.Errorf("a load after the successor was found reads %s, want v2", v)
	}

	if ttl, ok := c.Store().TTL(successorKey("v1")); !ok || ttl > successorTTL {
		t.Errorf("successor key TTL %v, %v", ttl, ok)
	}
}

// Without WithSuccessors (storages that may ignore TTLs, or hold values unsealed) no successor
// key is written and none is looked for.
func TestNoSuccessorsByDefault(t *testing.T) {
	c := &Cloud{}
	ctx := context.Background()
	c.Store().Put(ctx, SessionKey("sid"), "v1", 0)
	s := Session(c.Location("a"), "sid", time.Hour)
	s.Load(ctx)
	if err := s.SaveSuccessor(ctx, []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LoadSuccessor(ctx); ok || len(c.Store().Snapshot()) != 1 {
		t.Errorf("successors without WithSuccessors: %v", c.Store().Snapshot())
	}
}

// In a stale location the request holding the lease, refused, finds the successor; its release
// hands the successor over in the lease, so the session's next request there takes it without
// a refresh of its own (and the record is not written from the stale location).
func TestLeaseHandsTheSuccessorOver(t *testing.T) {
	c := &Cloud{Staleness: time.Minute}
	ctx := context.Background()
	c.Store().Put(ctx, SessionKey("sid"), "v1", 0)
	holder := Session(c.Location("b"), "sid", time.Hour).WithSuccessors()
	holder.Load(ctx) // b caches v1
	inA := Session(c.Location("a"), "sid", time.Hour).WithSuccessors()
	inA.Load(ctx)
	inA.SaveSuccessor(ctx, []byte("v2")) // a refreshes, rotating
	unlock, err := holder.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := holder.LoadSuccessor(ctx); !ok || string(v) != "v2" { // after b's refusal
		t.Fatalf("successor %q, %v", v, ok)
	}
	unlock()
	next := Session(c.Location("b"), "sid", time.Hour).WithSuccessors()
	if v, _, _ := next.Load(ctx); string(v) != "v1" {
		t.Fatalf("b reads %s, want its stale v1", v)
	}
	c.ResetCounts()
	if _, err := next.Lock(ctx); !errors.Is(err, tokens.ErrStoredMeanwhile) {
		t.Fatalf("Lock = %v, want ErrStoredMeanwhile (the successor handed over)", err)
	}
	if v, _, _ := next.Load(ctx); string(v) != "v2" {
		t.Errorf("after the hand-over b's request reads %s, want v2", v)
	}
	if n := c.Counts()["session/"]; n.Writes+n.Deletes != 0 {
		t.Errorf("the stale location wrote the record: %+v", n)
	}
}

// countingLocker is a lock that counts its uses (a per-session coordinator stands here).
type countingLocker struct{ n int }

func (l *countingLocker) Lock(context.Context) (func(), error) { l.n++; return func() {}, nil }

// WithLocker replaces the KV lease: the supplied lock is taken and no lease is written.
func TestWithLockerReplacesTheLease(t *testing.T) {
	c := &Cloud{}
	ctx := context.Background()
	c.Store().Put(ctx, SessionKey("sid"), "v1", 0)
	l := &countingLocker{}
	unlock, err := Session(c.Location("a"), "sid", time.Hour).WithLocker(l).Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if n := c.Counts()["lease/"]; l.n != 1 || n != (Counts{}) {
		t.Errorf("coordinator taken %d times, lease operations %+v; want 1 and none", l.n, n)
	}
}
