//go:build js && wasm

package jsstorage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"syscall/js"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// Blob is one login's token record in a storage object: kvstore's SessionBlob (its key is
// "session/" + a hash of the id, its refresh lease "lease/" + the same hash), whose lock is
// taken in two steps. First a lock in this JavaScript realm (Locks), which Go instances sharing
// one realm — a page, a Node process, the pooled instances of one workerd isolate — see
// exactly; then the lease in the storage, for other isolates and processes: a tokens.RecordLock
// under the lease key when the storage offers compareAndSwap (exact: the Node file storage's
// lock file, the CLI's), else kvstore.Lease (best effort: KV has no compare-and-set).
type Blob struct {
	kvstore.SessionBlob
	// Locks is the realm's lock table; the zero value skips the first step.
	Locks Locks
	// Name is the lock's name in Locks.
	Name string
}

var (
	_ tokens.Blob   = Blob{}
	_ tokens.Locker = Blob{}
)

// Lock implements tokens.Locker.
func (b Blob) Lock(ctx context.Context) (func(), error) {
	unlockRealm, err := b.Locks.Acquire(ctx, b.Name)
	if err != nil {
		return nil, err
	}
	var unlockLease func()
	if l := b.Lease(); canSwap(l.KV) {
		unlockLease, err = tokens.RecordLock{Record: &Record{KV: l.KV.(KV), Key: l.Key}}.Lock(ctx)
	} else {
		unlockLease, err = b.SessionBlob.Lock(ctx)
	}
	if err != nil {
		unlockRealm()
		return nil, err
	}
	return func() { unlockLease(); unlockRealm() }, nil
}

// Locks is a lock table kept in JavaScript and shared by every Go instance of one realm (the
// shim passes the same object to each): tryAcquire(name, holder, ttlMs) → boolean and
// release(name, holder). Waiting polls from the waiter's own timer, because in workerd a
// Promise resolved by another request's code is refused ("different request context"); an
// entry older than its ttl counts as free, so a holder that died costs a delay, not a hang.
type Locks struct {
	Table js.Value
}

const (
	locksPoll = 5 * time.Millisecond
	locksWait = 10 * time.Second
	locksTTL  = 30 * time.Second
)

// Acquire waits for name (up to locksWait, then goes ahead unlocked, as kvstore.Lease does)
// and returns the release function.
func (l Locks) Acquire(ctx context.Context, name string) (func(), error) {
	if jsx.IsNullish(l.Table) {
		return func() {}, nil
	}
	id := make([]byte, 12)
	rand.Read(id)
	holder := base64.RawURLEncoding.EncodeToString(id)
	deadline := time.Now().Add(locksWait)
	for {
		var ok bool
		if err := jsx.Try(func() { ok = l.Table.Call("tryAcquire", name, holder, locksTTL.Milliseconds()).Truthy() }); err != nil {
			return nil, fmt.Errorf("jsstorage: lock table: %w", err)
		}
		if ok {
			return func() { jsx.Try(func() { l.Table.Call("release", name, holder) }) }, nil
		}
		if time.Now().After(deadline) {
			return func() {}, nil
		}
		t := time.NewTimer(locksPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
