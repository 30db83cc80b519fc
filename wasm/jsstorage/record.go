//go:build js && wasm

package jsstorage

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// swapMethod is the storage object's optional compare-and-swap (StorageObject.compareAndSwap in
// js/index.d.ts): compareAndSwap(key, expected, value) → boolean, null meaning absent.
const swapMethod = "compareAndSwap"

// canSwap reports whether kv is a storage object with compareAndSwap. The refresh lease is then a
// tokens.RecordLock in it (exact between processes) instead of kvstore.Lease (best effort).
func canSwap(kv kvstore.KV) bool {
	s, ok := kv.(KV)
	return ok && s.Obj.Get(swapMethod).Type() == js.TypeFunction
}

// Record is one key of a storage object with compareAndSwap, as a tokens.LockRecord: where
// js/node-file-storage.js keeps the lock file the CLI takes (the lease key is its
// "<file>.lock").
type Record struct {
	KV  KV
	Key string
}

var _ tokens.LockRecord = (*Record)(nil)

// Get implements tokens.LockRecord.
func (r *Record) Get(ctx context.Context) (string, bool, error) {
	v, ok, err := r.KV.Get(ctx, r.Key)
	if err != nil {
		return "", false, &tokens.StorageError{Op: "jsstorage: reading the refresh lock", Err: err}
	}
	return v, ok, nil
}

// Swap implements tokens.LockRecord.
func (r *Record) Swap(ctx context.Context, old, value *string) (bool, error) {
	v, err := r.KV.call(ctx, swapMethod, r.Key, nullable(old), nullable(value))
	if err == nil && v.Type() != js.TypeBoolean {
		err = fmt.Errorf("storage.%s returned a %s, want a boolean", swapMethod, v.Type())
	}
	if err != nil {
		return false, &tokens.StorageError{Op: "jsstorage: taking the refresh lock", Err: err}
	}
	return v.Bool(), nil
}

// nullable is *s as JavaScript passes it: a string, or null for nil.
func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
