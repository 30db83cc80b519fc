//go:build js && wasm

package jsx

import (
	"context"
	"fmt"
	"runtime"
	"syscall/js"
)

// promiseClass is the realm's Promise; withResolvers is Promise.withResolvers where the runtime
// has it (workerd, browsers, Node 22; not Node 20).
var (
	promiseClass  = js.Global().Get("Promise")
	withResolvers = promiseClass.Get("withResolvers")
)

// Promise returns a JavaScript Promise settled by fn, which runs in a new goroutine: a
// js.FuncOf callback must never block, because JavaScript's event loop (and so every fetch
// and timer) waits until it returns. The Promise resolves with fn's value (converted by
// js.ValueOf) or rejects with toJS(err). A panic in fn rejects the Promise instead of
// killing the Go program, which would break every later call on the page.
//
// Where the runtime has Promise.withResolvers the Promise is made with it: a Promise made with
// an executor written in Go costs a call from JavaScript back into Go (Go's event handling,
// inside the constructor) on top of the call that asked for the Promise.
func Promise(fn func() (any, error), toJS func(error) js.Value) js.Value {
	if withResolvers.Type() == js.TypeFunction {
		r := promiseClass.Call("withResolvers")
		go settle(fn, toJS, r.Get("resolve"), r.Get("reject"))
		return r.Get("promise")
	}
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		go settle(fn, toJS, args[0], args[1])
		return nil
	})
	p := promiseClass.New(executor)
	executor.Release() // the executor runs synchronously inside the Promise constructor
	return p
}

// settle runs fn and settles its Promise, telling the host first how many goroutines are left
// besides this one (see ExportStats).
func settle(fn func() (any, error), toJS func(error) js.Value, resolve, reject js.Value) {
	v, err := run(fn)
	if !stats.IsUndefined() {
		stats.Set(settledGoroutines, runtime.NumGoroutine()-1)
	}
	if err != nil {
		reject.Invoke(toJS(err))
		return
	}
	resolve.Invoke(v)
}

func run(fn func() (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("globus-edge: internal error: %v", r)
		}
	}()
	return fn()
}

// Await waits for a Promise (or any thenable) to settle and returns its value, or an *Error
// when it rejects. It must be called from a goroutine, never from inside a js.FuncOf
// callback. When ctx ends first, Await returns ctx.Err() at once; the callbacks stay
// registered until the Promise settles and then release themselves.
func Await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	release := func() { onOK.Release(); onErr.Release() }
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: arg0(args)}
		release()
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: ErrorFrom(arg0(args))}
		release()
		return nil
	})
	if err := Try(func() { p.Call("then", onOK, onErr) }); err != nil {
		release()
		return js.Undefined(), err
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}
