//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/devserve"
)

// e2eClientID is the native client the tests register with the fake, with the page's URL as
// its redirect URI.
const e2eClientID = "5e2e0000-0000-4000-8000-000000000001"

// site serves a directory on its own loopback origin with the headers the README asks of a
// server (devserve.SetHeaders), plus a config.json the test controls.
type site struct {
	URL string
	mu  sync.Mutex
	cfg map[string]any
	// wasmType is the Content-Type of .wasm files; empty means application/wasm.
	wasmType string
	// noStore makes every response uncacheable, so each load fetches the wasm again.
	noStore bool
	// hold, when set, keeps .wasm responses waiting until it is closed.
	hold chan struct{}
	// held receives the path of each .wasm request as it starts waiting on hold.
	held chan string
	// hits counts requests by path.
	hits map[string]int
}

// newSite serves dir on 127.0.0.1 (httptest's default; the fake Globus is on other ports,
// so other origins).
func newSite(t *testing.T, dir, wasmType string) *site {
	t.Helper()
	s := &site{wasmType: wasmType, hits: map[string]int{}}
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		cfg, noStore, hold := s.cfg, s.noStore, s.hold
		s.mu.Unlock()
		devserve.SetHeaders(w.Header(), r.URL.Path)
		if noStore {
			w.Header().Set("Cache-Control", "no-store")
		}
		switch {
		case r.URL.Path == "/config.json":
			w.Header().Set("Cache-Control", "no-store")
			if cfg == nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(cfg)
			return
		case strings.HasSuffix(r.URL.Path, ".wasm"):
			if hold != nil {
				s.held <- r.URL.Path
				select {
				case <-hold:
				case <-r.Context().Done():
					return
				}
			}
			if s.wasmType != "" {
				w.Header().Set("Content-Type", s.wasmType)
			}
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(s.release) // before srv.Close: a held request would block it
	s.URL = srv.URL
	return s
}

// holdWasm makes the next .wasm responses wait until release, so a test can act while the
// page is up but Go is not: deterministic, no sleeping. Responses are also made uncacheable,
// so the held request reaches the server even when the browser has the module cached.
func (s *site) holdWasm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.held, s.noStore = make(chan struct{}), make(chan string, 16), true
}

// waitHeld waits until a .wasm request is being held and returns its path.
func (s *site) waitHeld(t *testing.T) string {
	t.Helper()
	select {
	case p := <-s.held:
		return p
	case <-time.After(waitTimeout):
		t.Fatal("the page never requested the wasm")
		return ""
	}
}

// release lets held .wasm responses go (idempotent).
func (s *site) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// count returns how many requests reached path.
func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
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
