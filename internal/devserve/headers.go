package devserve

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
)

// hashedRE matches the content-hashed file names ./build.sh web writes
// (globus-edge.<12 hex>.wasm): their bytes never change under that name.
var hashedRE = regexp.MustCompile(`\.[0-9a-f]{12}\.[A-Za-z0-9]+$`)

// SetHeaders sets the headers the README asks of a server for the file at path: wasm as
// application/wasm (so the shim can compile while downloading), content-hashed files cached
// for a year as immutable (a repeat visit neither downloads nor revalidates the module), and
// everything else revalidated on every use (index.html must name the current module).
func SetHeaders(h http.Header, path string) {
	if strings.HasSuffix(path, ".wasm") {
		h.Set("Content-Type", "application/wasm")
	}
	if hashedRE.MatchString(path) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
}

// Handler serves dir as a static site with SetHeaders' headers.
func Handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetHeaders(w.Header(), r.URL.Path)
		files.ServeHTTP(w, r)
	})
}

// WasmName returns the file name of the content-hashed wasm in a built page directory.
func WasmName(webDir string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(webDir, "globus-edge.*.wasm"))
	if err != nil || len(matches) != 1 {
		return "", fmt.Errorf("want one globus-edge.<hash>.wasm in %s, found %q (%v)", webDir, matches, err)
	}
	return filepath.Base(matches[0]), nil
}
