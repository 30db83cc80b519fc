//go:build js && wasm

package jsx

import (
	"context"
	"fmt"
	"syscall/js"
)

// Promise returns a JavaScript Promise settled by fn, which runs in a new goroutine: a
// js.FuncOf callback must never block, because JavaScript's event loop (and so every fetch
// and timer) waits until it returns. The Promise resolves with fn's value (converted by
// js.ValueOf) or rejects with toJS(err). A panic in fn rejects the Promise instead of
// killing the Go program, which would break every later call on the page.
func Promise(fn func() (any, error), toJS func(error) js.Value) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			v, err := run(fn)
			if err != nil {
				reject.Invoke(toJS(err))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	p := js.Global().Get("Promise").New(executor)
	executor.Release() // the executor runs synchronously inside the Promise constructor
	return p
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
