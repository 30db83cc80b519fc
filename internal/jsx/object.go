//go:build js && wasm

package jsx

import (
	"encoding/json"
	"fmt"
	"syscall/js"
)

// JSON converts a Go value to a JavaScript value through encoding/json and JSON.parse, for
// values js.ValueOf cannot take (structs, []T, values with custom MarshalJSON).
func JSON(v any) (js.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return js.Undefined(), fmt.Errorf("encoding a value for JavaScript: %w", err)
	}
	var out js.Value
	if err := Try(func() { out = js.Global().Get("JSON").Call("parse", string(b)) }); err != nil {
		return js.Undefined(), err
	}
	return out, nil
}

// IsNullish reports whether v is undefined or null (JavaScript's "v == null").
func IsNullish(v js.Value) bool { return v.IsUndefined() || v.IsNull() }
