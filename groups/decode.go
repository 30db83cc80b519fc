package groups

import (
	"errors"

	"github.com/globus-edge/globus-edge/transport"
)

// errCut is decode finding other than one Raw per group: never for valid JSON (FuzzDecode).
var errCut = errors.New("my_groups: the groups and the array's elements differ in number")

// decode reads a my_groups answer: one pass of encoding/json over the whole body, then each
// group's Raw cut from the body by elements. Unmarshalling into []Group instead calls
// Group.UnmarshalJSON per group, which makes encoding/json scan each group's bytes four times
// (validity and extent in the array, validity and decoding in the group) and copy them: most
// of the JSON work of a worker's GET /groups (bench/analysis.md). Each Raw shares body's
// memory instead of copying it; body is the caller's own buffer and is not written again.
func decode(body []byte) ([]Group, error) {
	var plain []plainGroup
	if err := transport.DecodeJSON("my_groups", body, &plain); err != nil {
		return nil, err
	}
	if plain == nil {
		return nil, nil
	}
	raw := elements(body)
	if len(raw) != len(plain) { // an error, not a panic (index out of range)
		return nil, errCut
	}
	gs := make([]Group, len(plain))
	for i := range plain {
		gs[i] = Group(plain[i])
		gs[i].Raw = raw[i]
	}
	return gs, nil
}

// elements returns the values of a JSON array, each as the slice of body that holds it
// (without the whitespace around it), as encoding/json hands them to an UnmarshalJSON. body
// must be valid JSON, as json.Unmarshal found it; anything but an array has no elements.
func elements(body []byte) [][]byte {
	i := 0
	for i < len(body) && isSpace(body[i]) {
		i++
	}
	if i == len(body) || body[i] != '[' {
		return nil
	}
	var out [][]byte
	depth, start, last := 0, -1, 0
	inString, escaped := false, false
	for i++; i < len(body); i++ {
		c := body[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			last = i
			continue
		}
		switch {
		case isSpace(c):
			continue
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case (c == ']' || c == '}') && depth > 0:
			depth--
		case c == ']' || (c == ',' && depth == 0):
			if start >= 0 {
				out = append(out, body[start:last+1])
			}
			if c == ']' {
				return out
			}
			start = -1
			continue
		}
		if start < 0 {
			start = i
		}
		last = i
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
