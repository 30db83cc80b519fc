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
