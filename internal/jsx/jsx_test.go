//go:build js && wasm

package jsx

import (
	"context"
	"errors"
	"strings"
	"syscall/js"
	"testing"
)

func toJS(err error) js.Value { return js.ValueOf(map[string]any{"message": err.Error()}) }

func eval(body string) js.Value { return js.Global().Get("Function").New(body).Invoke() }

func TestPromiseResolves(t *testing.T) {
	p := Promise(func() (any, error) { return map[string]any{"n": 42}, nil }, toJS)
	v, err := Await(context.Background(), p)
	if err != nil || v.Get("n").Int() != 42 {
		t.Fatalf("Await = %v, %v", v, err)
	}
}

func TestPromiseRejectsWithConvertedError(t *testing.T) {
	p := Promise(func() (any, error) { return nil, errors.New("boom") }, toJS)
	_, err := Await(context.Background(), p)
	var je *Error
	if !errors.As(err, &je) || je.Value.Get("message").String() != "boom" {
		t.Fatalf("Await = %v, want the converted rejection", err)
	}
}

// TestPromisePanicRejects: a panic must reject the Promise; if it escaped, the Go program
// would die and every later call on the page would fail.
func TestPromisePanicRejects(t *testing.T) {
	p := Promise(func() (any, error) { panic("oops") }, toJS)
	_, err := Await(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("Await of a panicking fn = %v", err)
	}
	// The program is still alive and answers.
	if v, err := Await(context.Background(), Promise(func() (any, error) { return "ok", nil }, toJS)); err != nil || v.String() != "ok" {
		t.Fatalf("after a panic: %v, %v", v, err)
	}
}

func TestAwaitJSRejection(t *testing.T) {
	_, err := Await(context.Background(), eval(`return Promise.reject(new RangeError("too far"));`))
	var je *Error
	if !errors.As(err, &je) || je.Name != "RangeError" || je.Message != "too far" || err.Error() != "RangeError: too far" {
		t.Fatalf("Await = %#v", err)
	}
	_, err = Await(context.Background(), eval(`return Promise.reject("plain string");`))
	if err == nil || err.Error() != "plain string" {
		t.Fatalf("Await of a rejected string = %v", err)
	}
}

func TestAwaitContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	never := eval(`return new Promise(() => {});`)
	go cancel()
	if _, err := Await(ctx, never); !errors.Is(err, context.Canceled) {
		t.Fatalf("Await of a never-settling Promise = %v, want context.Canceled", err)
	}
}

func TestTry(t *testing.T) {
	err := Try(func() { eval(`return () => { throw new SyntaxError("nope"); };`).Invoke() })
	var je *Error
	if !errors.As(err, &je) || je.Name != "SyntaxError" {
		t.Fatalf("Try = %v", err)
	}
	if err := Try(func() {}); err != nil {
		t.Fatalf("Try of nothing = %v", err)
	}
	if err := Try(func() { js.ValueOf("x").Int() }); err == nil {
		t.Fatal("Try did not catch a js.ValueError")
	}
}

func TestJSON(t *testing.T) {
	type T struct {
		A string `json:"a"`
		B []int  `json:"b"`
	}
	v, err := JSON([]T{{A: "é\n\"", B: []int{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Index(0).Get("a").String() != "é\n\"" || v.Index(0).Get("b").Index(1).Int() != 2 {
		t.Fatalf("JSON value wrong: %v", js.Global().Get("JSON").Call("stringify", v))
	}
}

// withPolyfilledResolvers runs fn with Promise.withResolvers defined (Node 20 has none), so
// Promise takes the path it takes in workerd and browsers.
func withPolyfilledResolvers(t *testing.T, fn func()) {
	had := withResolvers
	withResolvers = eval(`
const calls = {n: 0};
Promise.withResolvers = function () {
	calls.n++;
	let resolve, reject;
	const promise = new Promise((a, b) => { resolve = a; reject = b; });
	return {promise, resolve, reject};
};
Promise.withResolvers.calls = calls;
return Promise.withResolvers;`)
	defer func() {
		withResolvers = had
		js.Global().Get("Promise").Delete("withResolvers")
	}()
	fn()
	if n := withResolvers.Get("calls").Get("n").Int(); n == 0 {
		t.Fatal("Promise did not use Promise.withResolvers where it exists")
	}
}

// Both ways of making a Promise settle it alike: resolved, rejected, and rejected on a panic.
func TestPromiseWithResolvers(t *testing.T) {
	withPolyfilledResolvers(t, func() {
		TestPromiseResolves(t)
		TestPromiseRejectsWithConvertedError(t)
		TestPromisePanicRejects(t)
	})
}

// After ExportStats, each Promise tells the host how many goroutines run besides the one
// settling it: the idle count when nothing was left behind, more when something was.
func TestPromiseReportsGoroutines(t *testing.T) {
	ns := js.Global().Get("Object").New()
	ExportStats(ns)
	defer func() { stats = js.Undefined() }()
	idle := ns.Call("goroutines").Int() - 1 // this test's goroutine is running
	if _, err := Await(context.Background(), Promise(func() (any, error) { return nil, nil }, toJS)); err != nil {
		t.Fatal(err)
	}
	// The settling goroutine has reported, and may still be returning; this test's goroutine
	// counts as one more than an idle program.
	if got := ns.Get(settledGoroutines).Int(); got != idle+1 {
		t.Fatalf("settledGoroutines = %d after a clean call, want %d", got, idle+1)
	}
	stop := make(chan struct{})
	defer close(stop)
	if _, err := Await(context.Background(), Promise(func() (any, error) {
		go func() { <-stop }() // left running after the answer
		return nil, nil
	}, toJS)); err != nil {
		t.Fatal(err)
	}
	if got := ns.Get(settledGoroutines).Int(); got != idle+2 {
		t.Fatalf("settledGoroutines = %d with a goroutine left behind, want %d", got, idle+2)
	}
}
