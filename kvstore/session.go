package kvstore

import (
	"context"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// SessionBlob is the token record of one session as a tokens.Blob (every Save renews its TTL)
// and a tokens.Locker (by default the session's refresh Lease; WithLocker supplies another;
// WithCoordinator puts the record and its lock under a per-session Coordinator), so the core's
// refresh-token authorizer shares one refresh between concurrent requests of the session.
//
// It keeps KV's rules: a write (Save or Delete) that KV refuses as the record's second write
// within a second is tried again once the second has passed; and, WithSuccessors, a value that
// rotates the stored refresh token (SaveSuccessor, tokens.SuccessorBlob) also goes under a
// successor key (named after the fingerprint of the value it replaced, kept successorTTL), so
// that a location still reading the replaced value finds the new one with LoadSuccessor.
// Copies of a SessionBlob share the value they last loaded or saved (make one per request, as
// Session does).
type SessionBlob struct {
	kv         KV
	sid        string
	ttl        time.Duration
	locker     tokens.Locker
	successors bool
	last       *lastValue
	co         coordOps // WithCoordinator (coordinator.go)
}

// lastValue is the raw value a SessionBlob last loaded or saved ("" for none), and the
// successors found of replaced values, which later loads of those values return instead.
type lastValue struct {
	mu    sync.Mutex
	v     string
	newer map[string]string // replaced value → what replaced it
}

// load notes v as loaded and returns it, or the newest value known to have replaced it.
func (l *lastValue) load(v string) string {
	if l == nil {
		return v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for range len(l.newer) {
		n, ok := l.newer[v]
		if !ok {
			break
		}
		v = n
	}
	l.v = v
	return v
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

// replace notes that newer replaced old, and that newer is now the value in hand.
func (l *lastValue) replace(old, newer string) {
	if l != nil {
		l.mu.Lock()
		if l.newer == nil {
			l.newer = map[string]string{}
		}
		l.v, l.newer[old] = newer, newer
		l.mu.Unlock()
	}
}

// successorOf returns what replaced v, when LoadSuccessor (or a lease) found it.
func (l *lastValue) successorOf(v string) (string, bool) {
	if l == nil {
		return "", false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n, ok := l.newer[v]
	return n, ok
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

// WithSuccessors returns the record with successor keys on (see SessionBlob). They are for KV
// read in several locations; the store must honour TTLs (a successor key is not deleted), and a
// successor key holds the value as saved, so values should be sealed (tokens.SealedBlob).
func (b SessionBlob) WithSuccessors() SessionBlob {
	b.successors = true
	return b
}

// WithTTL returns the record kept for ttl after its next writes (0: no expiry); it shares
// what it last loaded or saved with b, as copies do.
func (b SessionBlob) WithTTL(ttl time.Duration) SessionBlob {
	b.ttl = ttl
	return b
}

// Key is the record's KV key (a hash of the session id).
func (b SessionBlob) Key() string { return SessionKey(b.sid) }

// Lease is the session's refresh lease, the record's lock unless WithLocker supplied another.
func (b SessionBlob) Lease() Lease {
	return Lease{KV: b.kv, Key: LeaseKey(b.sid), Record: b.Key(), seen: b.last}
}

// Load implements tokens.Blob.
func (b SessionBlob) Load(ctx context.Context) ([]byte, bool, error) {
	if b.co != nil {
		return b.co.load(ctx, b)
	}
	v, ok, err := b.kv.Get(ctx, b.Key())
	if err != nil {
		return nil, false, storageError("reading a session record", err)
	}
	return []byte(b.last.load(v)), ok, nil
}

// Save implements tokens.Blob.
func (b SessionBlob) Save(ctx context.Context, v []byte) error {
	if b.co != nil {
		return b.co.write(ctx, b, v, false)
	}
	if err := writeRetrying(ctx, func() error { return b.kv.Put(ctx, b.Key(), string(v), b.ttl) }); err != nil {
		return storageError("writing a session record", err)
	}
	b.last.set(string(v))
	return nil
}

// SaveSuccessor implements tokens.SuccessorBlob: Save, after writing v under the successor key
// of the value last loaded when successors are on (best effort: the record is what matters). The successor goes first
// so that a location refused the replaced refresh token finds it as early as possible.
func (b SessionBlob) SaveSuccessor(ctx context.Context, v []byte) error {
	if prev := b.last.get(); b.successors && b.co == nil && prev != "" && prev != string(v) {
		b.kv.Put(ctx, successorKey(prev), string(v), successorTTL)
	}
	return b.Save(ctx, v)
}

// Delete implements tokens.Blob.
func (b SessionBlob) Delete(ctx context.Context) error {
	if b.co != nil {
		return b.co.write(ctx, b, nil, true)
	}
	if err := writeRetrying(ctx, func() error { return b.kv.Delete(ctx, b.Key()) }); err != nil {
		return storageError("deleting a session record", err)
	}
	b.last.set("")
	return nil
}

// LoadSuccessor implements tokens.SuccessorBlob: the value that replaced the one last loaded,
// or ok=false when KV knows of none (or successors are off); later Loads that read the replaced value return this one
// instead. It first waits successorWait, so that a write racing the caller's refusal has
// landed: a location caches a key's absence too, and a successor read too early would hide the
// one written next. For the same reason it follows one successor only: the one after it is read
// when its refresh token is refused in turn (app.MyGroups asks again).
func (b SessionBlob) LoadSuccessor(ctx context.Context) ([]byte, bool, error) {
	prev := b.last.get()
	if !b.successors || b.co != nil || prev == "" {
		return nil, false, nil
	}
	if err := sleep(ctx, successorWait); err != nil {
		return nil, false, err
	}
	next, ok, err := b.kv.Get(ctx, successorKey(prev))
	if err != nil {
		return nil, false, storageError("reading a session record's successor", err)
	}
	if !ok || next == prev {
		return nil, false, nil
	}
	b.last.replace(prev, next)
	return []byte(next), true, nil
}

// successorWait is how long LoadSuccessor waits before reading: the time for a refresh whose
// answer reached another location first to store its result.
const successorWait = time.Second

// Lock implements tokens.Locker with the Coordinator's lock, the supplied Locker, or the
// session's Lease.
func (b SessionBlob) Lock(ctx context.Context) (func(), error) {
	if b.co != nil {
		return b.co.lock(ctx, b)
	}
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
