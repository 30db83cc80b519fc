package kvstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// Coordinator is one session's coordination point, exact across isolates and locations: in the
// worker a Durable Object per session (js/coordinator.js), in tests MemoryCoordinators. It only
// offers primitives — a version that orders the record's writes (compare-and-set), the newest
// record, and a lock with an expiry; what a record means, when to refresh and what a conflict
// means are SessionBlob's and the core's rules.
type Coordinator interface {
	// Read returns the record as the coordinator holds it (Version 0: it holds none yet).
	Read(ctx context.Context) (Record, error)
	// Write stores value (nil: the record is deleted, a tombstone) as version expect+1 if the
	// record is at version expect, and reports whether it did; either way it returns the record
	// as it stands after the call. The coordinator keeps what it holds for ttl (0: a value for
	// ever, a tombstone as long as the value it replaces).
	Write(ctx context.Context, expect int64, value *string, ttl time.Duration) (Record, bool, error)
	// Lock takes the session's lock for holder until hold from now (a holder that has it
	// extends it), waiting up to wait while another holds it; it gives up at once when the
	// record is no longer at version seen (seen < 0: never). ok reports whether holder has it;
	// the record is returned as it stands either way.
	Lock(ctx context.Context, holder string, seen int64, hold, wait time.Duration) (rec Record, ok bool, err error)
	// Unlock releases holder's lock; it does nothing when another holds it.
	Unlock(ctx context.Context, holder string) error
}

// Coordinators give each session its Coordinator, named by the session record's KV key.
type Coordinators interface {
	For(key string) Coordinator
}

// Record is a session record as a Coordinator holds it.
type Record struct {
	Version int64 // 0: none held (the record is read from KV)
	Value   string
	Deleted bool // a tombstone: the session was logged out
}

// ErrConflict is a write refused because the record changed since it was read (another
// request stored newer tokens without holding the session's lock, which only happens when a
// holder lost its lock): nothing was written.
var ErrConflict = errors.New("kv: the session record changed since it was read; nothing was written")

const (
	// coordWait is the longest one Lock call waits in the coordinator; a waiter calls again
	// while the holder lives (it renews its lock every leaseHold/4).
	coordWait = 5 * time.Second
)

// coordinated is a SessionBlob's Coordinator and what one request knows of it: the version of
// the record it last read or wrote (what its next write expects), and a record it knows
// without asking — while it holds the lock (no one else writes then), or once, as the lock
// call that told it the record changed handed it over. SessionBlob reaches it only through
// coordOps, so a program that never calls WithCoordinator (the page) links none of it.
type coordinated struct {
	c     Coordinator
	mu    sync.Mutex
	ver   int64
	known *Record
	keep  bool // known stays valid (the lock is held) rather than being used once
}

// coordOps are SessionBlob's Load, Save/Delete and Lock with a Coordinator.
type coordOps interface {
	load(ctx context.Context, b SessionBlob) ([]byte, bool, error)
	write(ctx context.Context, b SessionBlob, v []byte, deleted bool) error
	lock(ctx context.Context, b SessionBlob) (func(), error)
}

// WithCoordinator returns the record coordinated by c (a Durable Object per session): reads come
// from c, falling back to KV while c holds nothing (a session stored before it was used); each
// write is first ordered by c's version (a request whose read is older writes nothing), then
// stored in KV, still the sessions' storage; a delete leaves a tombstone in c that every
// location sees at once; the lock is c's. Successor keys are not needed (no read is stale).
func (b SessionBlob) WithCoordinator(c Coordinator) SessionBlob {
	b.co = &coordinated{c: c}
	return b
}

// load is Load with a Coordinator.
func (s *coordinated) load(ctx context.Context, b SessionBlob) ([]byte, bool, error) {
	s.mu.Lock()
	rec, known := s.known, s.known != nil
	if known && !s.keep {
		s.known = nil
	}
	s.mu.Unlock()
	if !known {
		r, err := s.c.Read(ctx)
		if err != nil {
			return nil, false, storageError("reading a session's coordinator", err)
		}
		rec = &r
	}
	s.seen(*rec)
	if rec.Version == 0 { // none held yet: the record as KV has it
		b.co = nil
		return b.Load(ctx)
	}
	if rec.Deleted {
		b.last.set("")
		return nil, false, nil
	}
	b.last.set(rec.Value)
	return []byte(rec.Value), true, nil
}

// seen notes rec as the record last read or written, and as known while the lock is held.
func (s *coordinated) seen(rec Record) {
	s.mu.Lock()
	s.ver = rec.Version
	if s.keep {
		s.known = &rec
	}
	s.mu.Unlock()
}

// write is Save (v) or Delete (deleted) with a Coordinator: the coordinator's version first,
// then KV. A KV write KV refuses as too soon is retried after the second, unless a newer version
// has been written meanwhile (its writer then owns the KV copy).
func (s *coordinated) write(ctx context.Context, b SessionBlob, v []byte, deleted bool) error {
	var value *string
	if !deleted {
		str := string(v)
		value = &str
	}
	s.mu.Lock()
	expect := s.ver
	s.mu.Unlock()
	rec, ok, err := s.c.Write(ctx, expect, value, b.ttl)
	if err != nil {
		return storageError("writing a session's coordinator", err)
	}
	if !ok {
		if rec.Deleted && value != nil {
			return fmt.Errorf("kv: the session was logged out meanwhile: %w", tokens.ErrNoRecord)
		}
		return storageError("writing a session record", ErrConflict)
	}
	s.seen(rec)
	first := true
	err = writeRetrying(ctx, func() error {
		if !first {
			if cur, err := s.c.Read(ctx); err == nil && cur.Version != rec.Version {
				return nil
			}
		}
		first = false
		if value == nil {
			return b.kv.Delete(ctx, b.Key())
		}
		return b.kv.Put(ctx, b.Key(), *value, b.ttl)
	})
	if err != nil {
		return storageError("writing a session record", err)
	}
	b.last.set(rec.Value)
	return nil
}

// lock is Lock with a Coordinator: it waits in the coordinator while another holds the lock,
// and stops waiting with tokens.ErrStoredMeanwhile when the record changes (the holder stored;
// the record it stored is then what the next Load returns). A holder renews its lock every
// leaseHold/4 until it unlocks, so only a holder that is gone (its isolate ended mid-refresh)
// holds others off, for at most leaseHold.
func (s *coordinated) lock(ctx context.Context, _ SessionBlob) (func(), error) {
	id := make([]byte, 12)
	rand.Read(id)
	holder := base64.RawURLEncoding.EncodeToString(id)
	s.mu.Lock()
	seen := s.ver
	s.mu.Unlock()
	for {
		rec, ok, err := s.c.Lock(ctx, holder, seen, leaseHold, coordWait)
		if err != nil {
			return nil, storageError("taking a session's refresh lock", err)
		}
		s.mu.Lock()
		if ok || rec.Version != seen {
			s.known, s.keep = &rec, ok
		}
		s.mu.Unlock()
		if ok {
			return s.hold(ctx, holder), nil
		}
		if rec.Version != seen {
			return nil, fmt.Errorf("kv: the session record changed while waiting for its refresh lock: %w", tokens.ErrStoredMeanwhile)
		}
	}
}

// hold renews holder's lock until the returned unlock, which stops renewing (waiting for a
// renewal in flight: no call outlives the request), forgets the known record and unlocks.
func (s *coordinated) hold(ctx context.Context, holder string) func() {
	ctx = context.WithoutCancel(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(leaseHold / 4)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.c.Lock(ctx, holder, -1, leaseHold, 0)
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		s.mu.Lock()
		s.known, s.keep = nil, false
		s.mu.Unlock()
		s.c.Unlock(ctx, holder) // a failure leaves a lock that expires by itself
	}
}
