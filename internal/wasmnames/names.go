// Package wasmnames reads the function names of a WebAssembly module's "name" custom section,
// so tests can tell what a Go js/wasm build linked (go tool nm does not read wasm files).
package wasmnames

import (
	"bytes"
	"errors"
	"fmt"
)

// Functions returns the names of the module's functions from its name section.
func Functions(wasm []byte) ([]string, error) {
	byIndex, err := functionNames(wasm)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(byIndex))
	for _, n := range byIndex {
		names = append(names, n)
	}
	return names, nil
}

// functionNames maps function indices to names. The index space counts imported functions
// first, and Go's linker names only the functions it defines, so the first name's index is
// the number of imports, not 0.
func functionNames(wasm []byte) (map[uint64]string, error) {
	if len(wasm) < 8 || !bytes.Equal(wasm[:4], []byte("\x00asm")) {
		return nil, errors.New("wasmnames: not a WebAssembly module")
	}
	r := &reader{b: wasm[8:]}
	for len(r.b) > 0 {
		id := r.byte()
		body := r.bytes(int(r.uleb()))
		if r.err != nil {
			return nil, r.err
		}
		if id != 0 {
			continue
		}
		sec := &reader{b: body}
		if string(sec.bytes(int(sec.uleb()))) != "name" {
			continue
		}
		for len(sec.b) > 0 && sec.err == nil {
			sub := sec.byte()
			content := &reader{b: sec.bytes(int(sec.uleb()))}
			if sub != 1 { // 1: function names
				continue
			}
			n := content.uleb()
			names := make(map[uint64]string, n)
			for i := uint64(0); i < n && content.err == nil; i++ {
				idx := content.uleb()
				names[idx] = string(content.bytes(int(content.uleb())))
			}
			return names, content.err
		}
		return nil, sec.err
	}
	return nil, errors.New("wasmnames: the module has no name section (built with -s?)")
}

// Mangle spells a Go symbol as the Go linker names it in wasm: every byte outside
// [A-Za-z0-9_.] becomes '_' ("net/http.(*Transport).roundTrip" → "net_http.__Transport_.roundTrip").
func Mangle(symbol string) string {
	b := []byte(symbol)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Contains reports whether the module has a function for the Go symbol (see Mangle).
func Contains(wasm []byte, symbol string) (bool, error) {
	names, err := Functions(wasm)
	if err != nil {
		return false, err
	}
	want := Mangle(symbol)
	for _, n := range names {
		if n == want {
			return true, nil
		}
	}
	return false, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 || r.err != nil {
			return v
		}
	}
	r.fail()
	return 0
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("wasmnames: truncated module")
	}
}
