package bff

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// KV is the key-value store the backend keeps sessions and logins in progress in: a Cloudflare
// KV namespace in the worker, MemoryKV in tests. Values written by the backend are always
// sealed (AES-256-GCM, see tokens.Keyring).
type KV interface {
	// Get returns the value of key, or ok=false when there is none (or it expired).
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Put stores value under key. ttl 0 means no expiry; otherwise it must be at least MinTTL.
	Put(ctx context.Context, key, value string, ttl time.Duration) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// MinTTL is the shortest expiry Cloudflare KV accepts.
const MinTTL = 60 * time.Second

// Key prefixes. The rest of a key is base64url(SHA-256(secret)), so a KV listing reveals
// neither session ids nor states.
const (
	sessionPrefix = "session/"
	flowPrefix    = "flow/"
)

// SessionKey is the KV key of the session with id sid.
func SessionKey(sid string) string { return sessionPrefix + hashID(sid) }

// FlowKey is the KV key of the login in progress with OAuth state.
func FlowKey(state string) string { return flowPrefix + hashID(state) }

func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// kvBlob is one KV key as a tokens.Blob; every Save renews its TTL.
type kvBlob struct {
	kv  KV
	key string
	ttl time.Duration
}

// Load implements tokens.Blob.
func (b kvBlob) Load(ctx context.Context) ([]byte, bool, error) {
	v, ok, err := b.kv.Get(ctx, b.key)
	if err != nil {
		return nil, false, &kvError{"reading " + b.kind(), err}
	}
	return []byte(v), ok, nil
}

// Save implements tokens.Blob.
func (b kvBlob) Save(ctx context.Context, v []byte) error {
	if err := b.kv.Put(ctx, b.key, string(v), b.ttl); err != nil {
		return &kvError{"writing " + b.kind(), err}
	}
	return nil
}

// Delete implements tokens.Blob.
func (b kvBlob) Delete(ctx context.Context) error {
	if err := b.kv.Delete(ctx, b.key); err != nil {
		return &kvError{"deleting " + b.kind(), err}
	}
	return nil
}

// kvError is a failure of the KV store itself (not of the data in it).
type kvError struct {
	op  string
	err error
}

func (e *kvError) Error() string { return fmt.Sprintf("kv: %s: %v", e.op, e.err) }

// Unwrap returns the store's error.
func (e *kvError) Unwrap() error { return e.err }

// kind names the record without its key (keys are derived from secrets).
func (b kvBlob) kind() string {
	if strings.HasPrefix(b.key, flowPrefix) {
		return "a login record"
	}
	return "a session record"
}

// sealed returns key as an encrypted blob bound to the key.
func (h *Handler) sealed(key string, ttl time.Duration) tokens.SealedBlob {
	return tokens.SealedBlob{Blob: kvBlob{kv: h.kv, key: key, ttl: ttl}, Keys: h.cfg.Keys, AdditionalData: []byte(key)}
}
