package bff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// Refresh leases. Every worker request is its own Go instance and KV has no compare-and-set,
// so nothing stops concurrent requests of one session from each refreshing its tokens. A lease
// key, written before a refresh and deleted after, lets the others wait and then adopt the
// token the holder stored (the core's authorizer re-reads storage under the lock). It is best
// effort: KV is eventually consistent between locations, and a waiter gives up after
// leaseWait and refreshes anyway, so a crashed holder (its lease expires after MinTTL) costs
// a delay, not a failure.
const (
	leasePrefix = "lease/"
	leaseWait   = 10 * time.Second
	leasePoll   = 50 * time.Millisecond
)

// Lock implements tokens.Locker for session records.
func (b kvBlob) Lock(ctx context.Context) (func(), error) {
	if !strings.HasPrefix(b.key, sessionPrefix) {
		return func() {}, nil
	}
	lease := leasePrefix + strings.TrimPrefix(b.key, sessionPrefix)
	id := make([]byte, 16)
	rand.Read(id)
	mine := base64.RawURLEncoding.EncodeToString(id)
	release := func() {
		// Only the holder deletes: a waiter that gave up must not free another's lease.
		if v, ok, err := b.kv.Get(context.WithoutCancel(ctx), lease); err == nil && ok && v == mine {
			b.kv.Delete(context.WithoutCancel(ctx), lease)
		}
	}
	deadline := time.Now().Add(leaseWait)
	for {
		v, ok, err := b.kv.Get(ctx, lease)
		if err != nil {
			return nil, &kvError{"reading a refresh lease", err}
		}
		if !ok {
			if err := b.kv.Put(ctx, lease, mine, MinTTL); err != nil {
				return nil, &kvError{"writing a refresh lease", err}
			}
			// Read back: of two writers racing, the one whose value stayed holds the lease.
			if v, ok, err = b.kv.Get(ctx, lease); err == nil && ok && v == mine {
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
