//go:build !(js && wasm)

package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// TestErrorKindsTyped: index.d.ts's ErrorKind lists exactly the app.Kind values (read from
// app/kind.go), so the codes JS code can switch on cannot drift from the core's vocabulary.
func TestErrorKindsTyped(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "app", "kind.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || vs.Type == nil || len(vs.Values) != 1 {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Kind" {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
				s, _ := strconv.Unquote(lit.Value)
				kinds = append(kinds, s)
			}
		}
		return true
	})
	dts, err := os.ReadFile(filepath.Join(root, "js", "index.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)export type ErrorKind =(.*?);`).FindSubmatch(dts)
	if block == nil {
		t.Fatal("index.d.ts has no ErrorKind type")
	}
	var typed []string
	for _, m := range regexp.MustCompile(`\| "([a-z_]+)"`).FindAllSubmatch(block[1], -1) {
		typed = append(typed, string(m[1]))
	}
	slices.Sort(kinds)
	slices.Sort(typed)
	if len(kinds) < 10 || !slices.Equal(kinds, typed) {
		t.Errorf("app.Kind values %q\nindex.d.ts ErrorKind %q", kinds, typed)
	}
}
