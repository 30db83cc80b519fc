//go:build js && wasm

package webstorage

import (
	"context"
	"sync"
	"syscall/js"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/tokens"
)

var _ tokens.Locker = Blob{}

// Lock implements tokens.Locker with the Web Locks API (navigator.locks), which every tab of
// the origin shares: tabs sharing a localStorage token document refresh one at a time, and the
// one that waited finds the renewed token in storage instead of refreshing again (with
// rotating refresh tokens a second refresh would log the user out). Where Web Locks are
// missing (Node, old browsers) it serializes this page only.
func (b Blob) Lock(ctx context.Context) (func(), error) {
	locks := navigatorLocks()
	if locks.IsUndefined() {
		return localLock(ctx, b.Key)
	}
	return webLock(ctx, locks, "globus-edge-lock:"+b.Key)
}

func navigatorLocks() js.Value {
	var v js.Value
	err := jsx.Try(func() {
		nav := js.Global().Get("navigator")
		if !jsx.IsNullish(nav) {
			v = nav.Get("locks")
		}
	})
	if err != nil || jsx.IsNullish(v) {
		return js.Undefined()
	}
	return v
}

// webLock asks for the named lock and waits until it is granted or ctx ends. The lock is held
// while the Promise returned from request's callback is pending; unlock resolves it.
func webLock(ctx context.Context, locks js.Value, name string) (func(), error) {
	var (
		mu        sync.Mutex
		abandoned bool
		release   js.Value
		granted   = make(chan struct{})
	)
	var cb js.Func
	cb = js.FuncOf(func(js.Value, []js.Value) any {
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			return nil // returning a non-Promise releases the lock at once
		}
		var executor js.Func
		executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
			release = args[0]
			return nil
		})
		held := js.Global().Get("Promise").New(executor)
		executor.Release()
		close(granted)
		return held
	})
	controller := js.Global().Get("AbortController").New()
	opts := js.ValueOf(map[string]any{"signal": controller.Get("signal")})
	var p js.Value
	if err := jsx.Try(func() { p = locks.Call("request", name, opts, cb) }); err != nil {
		cb.Release()
		return nil, err
	}
	// An aborted wait rejects request's Promise; that is expected, not an unhandled error.
	p.Call("catch", ignore)
	select {
	case <-granted:
		var once sync.Once
		return func() {
			once.Do(func() {
				release.Invoke()
				cb.Release()
			})
		}, nil
	case <-ctx.Done():
		mu.Lock()
		abandoned = true
		mu.Unlock()
		controller.Call("abort")
		select {
		case <-granted: // granted just before the abort: give it back
			release.Invoke()
		default:
		}
		return nil, ctx.Err()
	}
}

// ignore is a do-nothing JavaScript function, made once. (new Function("") would be an eval,
// which the page's Content-Security-Policy rightly forbids.)
var ignore = js.FuncOf(func(js.Value, []js.Value) any { return nil })

var (
	localMu    sync.Mutex
	localLocks = map[string]chan struct{}{}
)

// localLock is a per-key lock within this program that honours ctx.
func localLock(ctx context.Context, key string) (func(), error) {
	localMu.Lock()
	ch, ok := localLocks[key]
	if !ok {
		ch = make(chan struct{}, 1)
		localLocks[key] = ch
	}
	localMu.Unlock()
	select {
	case ch <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-ch }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
