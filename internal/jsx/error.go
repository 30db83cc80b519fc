//go:build js && wasm

package jsx

import (
	"fmt"
	"syscall/js"
)

// Error is a JavaScript exception or Promise rejection seen from Go.
type Error struct {
	// Name is the exception's name ("TypeError", "QuotaExceededError", "AbortError"), or
	// empty for a thrown value that is not an Error.
	Name string
	// Message is the exception's message, or the thrown value as a string.
	Message string
	// Value is the thrown value itself.
	Value js.Value
}

func (e *Error) Error() string {
	if e.Name == "" {
		return e.Message
	}
	return e.Name + ": " + e.Message
}

// ErrorFrom converts a thrown or rejected JavaScript value to an *Error.
func ErrorFrom(v js.Value) *Error {
	e := &Error{Value: v}
	if v.Type() == js.TypeObject {
		if n := v.Get("name"); n.Type() == js.TypeString {
			e.Name = n.String()
		}
		if m := v.Get("message"); m.Type() == js.TypeString {
			e.Message = m.String()
			return e
		}
	}
	e.Message = js.Global().Get("String").Invoke(v).String()
	return e
}

// Try runs fn, which calls into JavaScript, and returns what it throws as an *Error (syscall/js
// reports a JavaScript exception as a panic with a js.Error). Other panics are not caught.
func Try(fn func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if je, ok := r.(js.Error); ok {
			err = ErrorFrom(je.Value)
			return
		}
		if e, ok := r.(*js.ValueError); ok {
			err = fmt.Errorf("javascript value: %v", e)
			return
		}
		panic(r)
	}()
	fn()
	return nil
}
