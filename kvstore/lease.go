package kvstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Lease is a best-effort lock in KV. KV has no compare-and-set and, in the worker, concurrent
// requests of one session may run on Go instances that share no memory, so nothing else stops
// each of them from refreshing the session's tokens. A lease key, written before a refresh and
// deleted after, lets the others wait and then adopt the token the holder stored (the core's
// authorizer re-reads storage under the lock). It is best effort: two writers can both read an
// empty lease and both win, KV is eventually consistent between locations, and a waiter gives
// up after leaseWait and refreshes anyway, so a crashed holder (its lease expires after MinTTL)
// costs a delay, not a failure.
type Lease struct {
	KV  KV
	Key string
}

const (
	leaseWait = 10 * time.Second
	leasePoll = 50 * time.Millisecond
)

// Acquire waits for the lease (up to leaseWait) and returns the function that releases it.
func (l Lease) Acquire(ctx context.Context) (func(), error) {
	id := make([]byte, 16)
	rand.Read(id)
	mine := base64.RawURLEncoding.EncodeToString(id)
	release := func() {
		// Only the holder deletes: a waiter that gave up must not free another's lease.
		if v, ok, err := l.KV.Get(context.WithoutCancel(ctx), l.Key); err == nil && ok && v == mine {
			l.KV.Delete(context.WithoutCancel(ctx), l.Key)
		}
	}
	deadline := time.Now().Add(leaseWait)
	for {
		v, ok, err := l.KV.Get(ctx, l.Key)
		if err != nil {
			return nil, storageError("reading a refresh lease", err)
		}
		if !ok {
			if err := l.KV.Put(ctx, l.Key, mine, MinTTL); err != nil {
				return nil, storageError("writing a refresh lease", err)
			}
			// Read back: of two writers racing, the one whose value stayed holds the lease.
			if v, ok, err = l.KV.Get(ctx, l.Key); err == nil && ok && v == mine {
				return release, nil
			}
		}
		if time.Now().After(deadline) {
			return func() {}, nil // best effort: refresh without the lease
		}
		t := time.NewTimer(leasePoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
