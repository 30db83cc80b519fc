package wasmnames

import (
	"errors"
	"sort"
	"strings"
)

// FunctionSizes returns the byte size of each named function's body in the code section, so a
// build can be broken down by package (see Package).
func FunctionSizes(wasm []byte) (map[string]int, error) {
	names, err := functionNames(wasm)
	if err != nil {
		return nil, err
	}
	r := &reader{b: wasm[8:]}
	imported := 0
	for len(r.b) > 0 && r.err == nil {
		id := r.byte()
		sec := &reader{b: r.bytes(int(r.uleb()))}
		switch id {
		case 2: // imports: count the functions, which come first in the function index space
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sec.bytes(int(sec.uleb())) // module
				sec.bytes(int(sec.uleb())) // field
				switch sec.byte() {
				case 0:
					sec.uleb()
					imported++
				case 1:
					sec.byte()
					sec.limits()
				case 2:
					sec.limits()
				case 3:
					sec.byte()
					sec.byte()
				}
			}
		case 10: // code: one body per defined function
			out := map[string]int{}
			for i, n := 0, int(sec.uleb()); i < n && sec.err == nil; i++ {
				size := int(sec.uleb())
				sec.bytes(size)
				if name, ok := names[uint64(imported+i)]; ok {
					out[name] += size
				}
			}
			return out, sec.err
		}
		if sec.err != nil {
			return nil, sec.err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return nil, errors.New("wasmnames: no code section")
}

func (r *reader) limits() {
	if r.byte()&1 != 0 {
		r.uleb()
	}
	r.uleb()
}

// Package guesses the Go package of a mangled function name ("net_http.__Transport_.roundTrip"
// → "net_http"); names of generated code (type equality, wrappers) keep their first part.
func Package(name string) string {
	start := 0
	for _, host := range []string{"github.com_", "golang.org_", "gopkg.in_"} {
		if strings.HasPrefix(name, host) {
			start = len(host)
		}
	}
	if i := strings.IndexByte(name[start:], '.'); i >= 0 {
		return name[:start+i]
	}
	return name
}

// PackageSize is a package's share of a build's code.
type PackageSize struct {
	Package string
	Bytes   int
}

// ByPackage sums FunctionSizes per Package, largest first.
func ByPackage(wasm []byte) ([]PackageSize, error) {
	sizes, err := FunctionSizes(wasm)
	if err != nil {
		return nil, err
	}
	sum := map[string]int{}
	for n, s := range sizes {
		sum[Package(n)] += s
	}
	out := make([]PackageSize, 0, len(sum))
	for p, s := range sum {
		out = append(out, PackageSize{p, s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out, nil
}

// Compare returns, per package, how many more bytes of code wasm has than base (negative
// where it has fewer), largest growth first: what a program links beyond a smaller one (the
// page beyond a program of its imports alone, say).
func Compare(base, wasm []byte) ([]PackageSize, error) {
	b, err := ByPackage(base)
	if err != nil {
		return nil, err
	}
	w, err := ByPackage(wasm)
	if err != nil {
		return nil, err
	}
	delta := map[string]int{}
	for _, p := range w {
		delta[p.Package] += p.Bytes
	}
	for _, p := range b {
		delta[p.Package] -= p.Bytes
	}
	out := make([]PackageSize, 0, len(delta))
	for p, d := range delta {
		if d != 0 {
			out = append(out, PackageSize{p, d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out, nil
}
