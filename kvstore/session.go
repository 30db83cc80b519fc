package kvstore

import (
	"context"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// SessionBlob is the token record of one session as a tokens.Blob (every Save renews its TTL)
// and a tokens.Locker (by default the session's refresh Lease; WithLocker supplies another, such
// as a per-session coordinator), so the core's refresh-token authorizer shares one refresh
// between concurrent requests of the session.
//
// It keeps KV's rules: a write (Save or Delete) that KV refuses as the record's second write
// within a second is tried again once the second has passed; and a Save that replaces a value
// also writes a successor key (the new value under a key named after the fingerprint of the
// value it replaced, for successorTTL), so that a location still reading the replaced value can
// find the new one with LoadSuccessor (tokens.SuccessorBlob). Copies of a SessionBlob share the
// value they last loaded or saved (make one per request, as Session does).
type SessionBlob struct {
	kv     KV
	sid    string
	ttl    time.Duration
	locker tokens.Locker
	last   *lastValue
}

// lastValue is the raw value a SessionBlob last loaded or saved ("" for none), and the newest
// successor LoadSuccessor found, which later loads of the value it replaced return instead.
type lastValue struct {
	mu       sync.Mutex
	v        string
	replaced string // the value LoadSuccessor started from
	newer    string // what replaced it
}

// load notes v as loaded and returns it, or what replaced it when that is known.
func (l *lastValue) load(v string) string {
	if l == nil {
		return v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if v != "" && v == l.replaced {
		v = l.newer
	}
	l.v = v
	return v
}

func (l *lastValue) replace(old, newer string) {
	l.mu.Lock()
	l.v, l.replaced, l.newer = newer, old, newer
	l.mu.Unlock()
}

func (l *lastValue) get() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}

func (l *lastValue) set(v string) {
	if l != nil {
		l.mu.Lock()
		l.v = v
		l.mu.Unlock()
	}
}

// successorTTL is how long a successor key stays: longer than a location keeps serving a stale
// read (Cloudflare: up to about a minute), with room for the request that needs it.
const successorTTL = 2 * MinTTL

// Session returns the record of the session with id sid, kept for ttl after each write (0: no
// expiry).
func Session(kv KV, sid string, ttl time.Duration) SessionBlob {
	return SessionBlob{kv: kv, sid: sid, ttl: ttl, last: &lastValue{}}
}

// WithLocker returns the record with l as its lock instead of the session's Lease (nil restores
// the Lease). l may also return tokens.ErrStoredMeanwhile.
func (b SessionBlob) WithLocker(l tokens.Locker) SessionBlob {
	b.locker = l
	return b
}

// Key is the record's KV key (a hash of the session id).
func (b SessionBlob) Key() string { return SessionKey(b.sid) }

// Lease is the session's refresh lease, the record's lock unless WithLocker supplied another.
func (b SessionBlob) Lease() Lease {
	return Lease{KV: b.kv, Key: LeaseKey(b.sid), Record: b.Key()}
}

// Load implements tokens.Blob.
func (b SessionBlob) Load(ctx context.Context) ([]byte, bool, error) {
	v, ok, err := b.kv.Get(ctx, b.Key())
	if err != nil {
		return nil, false, storageError("reading a session record", err)
	}
	return []byte(b.last.load(v)), ok, nil
}

// Save implements tokens.Blob. Replacing a value also writes its successor key (best effort:
// the record is what matters).
func (b SessionBlob) Save(ctx context.Context, v []byte) error {
	if prev := b.last.get(); prev != "" && prev != string(v) {
		b.kv.Put(ctx, successorKey(prev), string(v), successorTTL)
	}
	if err := writeRetrying(ctx, func() error { return b.kv.Put(ctx, b.Key(), string(v), b.ttl) }); err != nil {
		return storageError("writing a session record", err)
	}
	b.last.set(string(v))
	return nil
}

// Delete implements tokens.Blob.
func (b SessionBlob) Delete(ctx context.Context) error {
	if err := writeRetrying(ctx, func() error { return b.kv.Delete(ctx, b.Key()) }); err != nil {
		return storageError("deleting a session record", err)
	}
	b.last.set("")
	return nil
}

// LoadSuccessor implements tokens.SuccessorBlob: the value that replaced the one last loaded,
// following successors (at most a few), or ok=false when KV knows of none; later Loads that
// read the replaced value return this one instead. It first waits
// successorWait, so that a write racing the caller's refusal has landed: a location caches a
// key's absence too, and a successor read too early would hide the one written next.
func (b SessionBlob) LoadSuccessor(ctx context.Context) ([]byte, bool, error) {
	prev := b.last.get()
	if prev == "" {
		return nil, false, nil
	}
	if err := sleep(ctx, successorWait); err != nil {
		return nil, false, err
	}
	next := prev
	for range 4 {
		v, ok, err := b.kv.Get(ctx, successorKey(next))
		if err != nil {
			return nil, false, storageError("reading a session record's successor", err)
		}
		if !ok || v == next {
			break
		}
		next = v
	}
	if next == prev {
		return nil, false, nil
	}
	b.last.replace(prev, next)
	return []byte(next), true, nil
}

// successorWait is how long LoadSuccessor waits before reading: the time for a refresh whose
// answer reached another location first to store its result.
const successorWait = time.Second

// Lock implements tokens.Locker with the supplied Locker, or the session's Lease.
func (b SessionBlob) Lock(ctx context.Context) (func(), error) {
	if b.locker != nil {
		return b.locker.Lock(ctx)
	}
	return b.Lease().Acquire(ctx)
}

var (
	_ tokens.Blob          = SessionBlob{}
	_ tokens.Locker        = SessionBlob{}
	_ tokens.SuccessorBlob = SessionBlob{}
)
