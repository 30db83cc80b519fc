//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// e2eClientID is the native client the tests register with the fake, with the page's URL as
// its redirect URI.
const e2eClientID = "5e2e0000-0000-4000-8000-000000000001"

// site serves a directory on its own loopback origin, plus a config.json the test controls.
type site struct {
	URL string
	mu  sync.Mutex
	cfg map[string]any
	// wasmType is the Content-Type of .wasm files; empty means Go's (application/wasm).
	wasmType string
}

// newSite serves dir on 127.0.0.1 (httptest's default; the fake Globus is on other ports,
// so other origins).
func newSite(t *testing.T, dir, wasmType string) *site {
	t.Helper()
	s := &site{wasmType: wasmType}
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case r.URL.Path == "/config.json":
			s.mu.Lock()
			cfg := s.cfg
			s.mu.Unlock()
			if cfg == nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(cfg)
			return
		case strings.HasSuffix(r.URL.Path, ".wasm") && s.wasmType != "":
			w.Header().Set("Content-Type", s.wasmType)
			http.ServeFile(w, r, filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// setConfig replaces config.json (nil: answer 404, the page's defaults).
func (s *site) setConfig(cfg map[string]any) {
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
}

// pageSite serves the built page configured for fake: the e2e client, redirecting back to
// the page, tokens in localStorage. extra adds or overrides config.json keys.
func pageSite(t *testing.T, fake *globustest.Server, extra map[string]any) *site {
	t.Helper()
	s := newSite(t, webDir(), "")
	fake.RegisterClient(globustest.Client{ID: e2eClientID, RedirectURIs: []string{s.URL + "/"}})
	cfg := map[string]any{
		"clientId": e2eClientID, "redirectUri": s.URL + "/",
		"authUrl": fake.AuthURL(), "groupsUrl": fake.GroupsURL(),
	}
	for k, v := range extra {
		if v == nil {
			delete(cfg, k)
		} else {
			cfg[k] = v
		}
	}
	s.setConfig(cfg)
	return s
}
