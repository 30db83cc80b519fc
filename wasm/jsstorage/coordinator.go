//go:build js && wasm

package jsstorage

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/kvstore"
)

// Coordinators is a Durable Object namespace binding of SessionCoordinator (js/coordinator.js;
// the Go worker's SESSIONS) as kvstore.Coordinators (the JS package does not use it: its
// coordinatedStorage wraps the storage object in JavaScript): one object per session, its id named after the session record's KV
// key, its RPC methods called on a stub and awaited. Stubs are made per request (For), as
// workerd ties them to the request that made them.
type Coordinators struct {
	// NS is the namespace binding (idFromName, get).
	NS js.Value
}

// CheckCoordinators reports whether v can be used as a namespace of coordinators.
func CheckCoordinators(v js.Value) error {
	if v.Type() != js.TypeObject || v.Get("idFromName").Type() != js.TypeFunction || v.Get("get").Type() != js.TypeFunction {
		return errors.New("a coordinator must be a Durable Object namespace binding (with idFromName and get) of the class SessionCoordinator")
	}
	return nil
}

// For implements kvstore.Coordinators.
func (c Coordinators) For(key string) kvstore.Coordinator {
	s := &stub{}
	s.err = jsx.Try(func() { s.v = c.NS.Call("get", c.NS.Call("idFromName", key)) })
	return s
}

// stub is one session's object; err is why it could not be had.
type stub struct {
	v   js.Value
	err error
}

// call calls method on the object and decodes the record it answers ({v, value, ok}).
func (s *stub) call(ctx context.Context, method string, args ...any) (kvstore.Record, bool, error) {
	r, err := s.v, s.err
	if err == nil {
		err = jsx.Try(func() { r = s.v.Call(method, args...) })
	}
	if err == nil {
		r, err = jsx.Await(ctx, r)
	}
	if err == nil && (r.Type() != js.TypeObject || r.Get("v").Type() != js.TypeNumber) {
		err = fmt.Errorf("answered a %s, want {v, value, ok}", r.Type())
	}
	if err != nil {
		return kvstore.Record{}, false, fmt.Errorf("coordinator.%s: %w", method, err)
	}
	rec := kvstore.Record{Version: int64(r.Get("v").Float())}
	if v := r.Get("value"); v.Type() == js.TypeString {
		rec.Value = v.String()
	} else {
		rec.Deleted = rec.Version > 0
	}
	return rec, r.Get("ok").Truthy(), nil
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// Read implements kvstore.Coordinator.
func (s *stub) Read(ctx context.Context) (kvstore.Record, error) {
	rec, _, err := s.call(ctx, "read")
	return rec, err
}

// Write implements kvstore.Coordinator.
func (s *stub) Write(ctx context.Context, expect int64, value *string, ttl time.Duration) (kvstore.Record, bool, error) {
	return s.call(ctx, "write", expect, nullable(value), ms(ttl))
}

// Lock implements kvstore.Coordinator.
func (s *stub) Lock(ctx context.Context, holder string, seen int64, hold, wait time.Duration) (kvstore.Record, bool, error) {
	return s.call(ctx, "lock", holder, seen, ms(hold), ms(wait))
}

// Unlock implements kvstore.Coordinator.
func (s *stub) Unlock(ctx context.Context, holder string) error {
	_, _, err := s.call(ctx, "unlock", holder)
	return err
}
