package kvstore

import (
	"context"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// SessionBlob is the token record of one session as a tokens.Blob (every Save renews its TTL)
// and a tokens.Locker (the session's refresh Lease), so the core's refresh-token authorizer
// shares one refresh between concurrent requests of the session.
type SessionBlob struct {
	kv  KV
	sid string
	ttl time.Duration
}

// Session returns the record of the session with id sid, kept for ttl after each write.
func Session(kv KV, sid string, ttl time.Duration) SessionBlob {
	return SessionBlob{kv: kv, sid: sid, ttl: ttl}
}

// Key is the record's KV key (a hash of the session id).
func (b SessionBlob) Key() string { return SessionKey(b.sid) }

// LeaseKey is the KV key of the record's refresh lease (Lock).
func (b SessionBlob) LeaseKey() string { return LeaseKey(b.sid) }

// Load implements tokens.Blob.
func (b SessionBlob) Load(ctx context.Context) ([]byte, bool, error) {
	v, ok, err := b.kv.Get(ctx, b.Key())
	if err != nil {
		return nil, false, storageError("reading a session record", err)
	}
	return []byte(v), ok, nil
}

// Save implements tokens.Blob.
func (b SessionBlob) Save(ctx context.Context, v []byte) error {
	if err := b.kv.Put(ctx, b.Key(), string(v), b.ttl); err != nil {
		return storageError("writing a session record", err)
	}
	return nil
}

// Delete implements tokens.Blob.
func (b SessionBlob) Delete(ctx context.Context) error {
	if err := b.kv.Delete(ctx, b.Key()); err != nil {
		return storageError("deleting a session record", err)
	}
	return nil
}

// Lock implements tokens.Locker with the session's Lease.
func (b SessionBlob) Lock(ctx context.Context) (func(), error) {
	return Lease{KV: b.kv, Key: b.LeaseKey()}.Acquire(ctx)
}

var (
	_ tokens.Blob   = SessionBlob{}
	_ tokens.Locker = SessionBlob{}
)
