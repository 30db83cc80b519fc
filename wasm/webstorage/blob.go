//go:build js && wasm

// Package webstorage keeps byte strings in the browser's Web Storage (localStorage,
// sessionStorage) as tokens.Blob values, and names the keys globus-edge uses there.
package webstorage

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/tokens"
)

// Names of the two Web Storage areas.
const (
	Local   = "localStorage"
	Session = "sessionStorage"
)

// Blob is a tokens.Blob kept under one key of a Web Storage area. Web Storage holds strings;
// the token document is ASCII JSON (tokens.Document.Encode escapes everything else), so the
// bytes are stored as they are.
type Blob struct {
	// Area is the Storage object (window.localStorage or window.sessionStorage).
	Area js.Value
	// Key is the item's key.
	Key string
}

var _ tokens.Blob = Blob{}

// ErrUnavailable means the runtime has no such storage area (Node, workers): a configuration
// that cannot work here, not a failure of the storage.
var ErrUnavailable = errors.New("not available in this runtime")

// Open returns a Blob under key in the named area ("localStorage" or "sessionStorage").
// It fails where the area does not exist (Node, workers) or the browser refuses access
// (storage disabled, some sandboxed iframes throw a SecurityError on access).
func Open(area, key string) (Blob, error) {
	if area != Local && area != Session {
		return Blob{}, fmt.Errorf("webstorage: unknown storage area %q (want %s or %s)", area, Local, Session)
	}
	// Reflect.get through Call, because js.Value.Get does not catch a throwing getter.
	var v js.Value
	if err := jsx.Try(func() { v = js.Global().Get("Reflect").Call("get", js.Global(), area) }); err != nil {
		return Blob{}, fmt.Errorf("webstorage: %s is not accessible: %w", area, err)
	}
	if jsx.IsNullish(v) {
		return Blob{}, fmt.Errorf("webstorage: %s is not available here: %w", area, ErrUnavailable)
	}
	return Blob{Area: v, Key: key}, nil
}

// Load implements tokens.Blob.
func (b Blob) Load(context.Context) ([]byte, bool, error) {
	var v js.Value
	if err := jsx.Try(func() { v = b.Area.Call("getItem", b.Key) }); err != nil {
		return nil, false, fmt.Errorf("webstorage: reading %q: %w", b.Key, err)
	}
	if jsx.IsNullish(v) {
		return nil, false, nil
	}
	return []byte(v.String()), true, nil
}

// Save implements tokens.Blob. setItem replaces the value in one step, so no half-written
// value is ever visible; a full storage quota is an error (QuotaExceededError).
func (b Blob) Save(_ context.Context, data []byte) error {
	if err := jsx.Try(func() { b.Area.Call("setItem", b.Key, string(data)) }); err != nil {
		return fmt.Errorf("webstorage: writing %q: %w", b.Key, err)
	}
	return nil
}

// Delete implements tokens.Blob.
func (b Blob) Delete(context.Context) error {
	if err := jsx.Try(func() { b.Area.Call("removeItem", b.Key) }); err != nil {
		return fmt.Errorf("webstorage: removing %q: %w", b.Key, err)
	}
	return nil
}
