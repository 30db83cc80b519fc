package devserve

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestHeaders: the hashed wasm is application/wasm and immutable, index.html and unhashed
// files are revalidated on every use.
func TestHeaders(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"index.html", "page.js", "globus-edge.0123456789ab.wasm", "globus-edge.wasm"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	for path, want := range map[string][2]string{
		"/":                              {"text/html; charset=utf-8", "no-cache"},
		"/index.html":                    {"", "no-cache"}, // FileServer redirects it to /
		"/page.js":                       {"text/javascript; charset=utf-8", "no-cache"},
		"/globus-edge.0123456789ab.wasm": {"application/wasm", "public, max-age=31536000, immutable"},
		"/globus-edge.wasm":              {"application/wasm", "no-cache"},
	} {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if got := r.Header.Get("Content-Type"); want[0] != "" && got != want[0] {
			t.Errorf("%s: Content-Type %q, want %q", path, got, want[0])
		}
		if got := r.Header.Get("Cache-Control"); got != want[1] {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, want[1])
		}
	}
}
