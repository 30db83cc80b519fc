//go:build js && wasm

// Package jsstorage lets a JavaScript object with get(key), put(key, value) and delete(key)
// (synchronous or returning Promises) hold globus-edge's tokens: a Cloudflare Workers KV
// binding passed as it is, or a Node app's own storage. It adapts such an object to
// kvstore.KV, so the token record, the login in progress and the refresh lease are kvstore's
// (Session, Lease), the same code as the Go worker's.
package jsstorage

import (
	"context"
	"fmt"
	"math"
	"strings"
	"syscall/js"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/kvstore"
)

// Methods are the methods a storage object must have.
var Methods = []string{"get", "put", "delete"}

// KV is a kvstore.KV over a JavaScript storage object.
type KV struct {
	// Obj is the storage object (e.g. env.TOKENS).
	Obj js.Value
}

var _ kvstore.KV = KV{}

// Check reports whether v can be used as a storage object, naming the missing methods.
func Check(v js.Value) error {
	if v.Type() != js.TypeObject && v.Type() != js.TypeFunction {
		return fmt.Errorf("a storage must be an object with get, put and delete methods, got %s", v.Type())
	}
	var missing []string
	for _, m := range Methods {
		if v.Get(m).Type() != js.TypeFunction {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the storage object has no %s method (it needs get, put and delete)", strings.Join(missing, ", "))
	}
	return nil
}

// Get implements kvstore.KV: get(key) must give a string, or null/undefined for none.
func (s KV) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := s.call(ctx, "get", key)
	if err != nil {
		return "", false, err
	}
	switch v.Type() {
	case js.TypeUndefined, js.TypeNull:
		return "", false, nil
	case js.TypeString:
		return v.String(), true, nil
	}
	// The value itself is not quoted: it could be a token.
	return "", false, fmt.Errorf("storage.get returned a %s, want a string or null", v.Type())
}

// Put implements kvstore.KV. A TTL is passed as Workers KV takes it, put(key, value,
// {expirationTtl: seconds}); other storages may ignore it (each record also carries its own
// expiry or is harmless when left behind: see kvstore.Lease and auth.PendingLogin).
func (s KV) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	args := []any{key, value}
	if ttl > 0 {
		args = append(args, map[string]any{"expirationTtl": math.Ceil(ttl.Seconds())})
	}
	_, err := s.call(ctx, "put", args...)
	return err
}

// Delete implements kvstore.KV.
func (s KV) Delete(ctx context.Context, key string) error {
	_, err := s.call(ctx, "delete", key)
	return err
}

// call invokes a method as a method of the object (a KV binding checks its receiver) and
// awaits its result when it is a Promise (any thenable). Errors name the method, never the
// value written.
func (s KV) call(ctx context.Context, method string, args ...any) (js.Value, error) {
	var v js.Value
	if err := jsx.Try(func() { v = s.Obj.Call(method, args...) }); err != nil {
		return js.Undefined(), fmt.Errorf("storage.%s: %w", method, err)
	}
	if v.Type() == js.TypeObject && v.Get("then").Type() == js.TypeFunction {
		r, err := jsx.Await(ctx, v)
		if err != nil {
			return js.Undefined(), fmt.Errorf("storage.%s: %w", method, err)
		}
		return r, nil
	}
	return v, nil
}
