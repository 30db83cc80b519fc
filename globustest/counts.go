package globustest

import (
	"bytes"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
)

// maxBody bounds every request body the fake reads.
const maxBody = 1 << 20

// Count returns a request counter. Keys are "<METHOD> <path>" for every
// request to either listener (for example "POST /v2/oauth2/token",
// "GET /v2/groups/my_groups", "OPTIONS /v2/groups/my_groups"), plus
// "grant:<grant_type>" for every form-encoded token post (successful or
// not) and "revoke" for every revocation post. Requests under /_fake/ are
// not counted. Counting happens before fault injection, so faulted requests
// count too.
func (s *Server) Count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[key]
}

// Counts returns a copy of all counters (see Count).
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// ResetCounts sets every counter to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
}

// count records r. For token posts it reads the body to find the grant
// type and puts it back for the handler.
func (s *Server) count(sd side, r *http.Request) {
	keys := []string{r.Method + " " + r.URL.Path}
	if sd == sideAuth && r.Method == http.MethodPost {
		switch r.URL.Path {
		case "/v2/oauth2/token":
			if g := peekGrantType(r); g != "" {
				keys = append(keys, "grant:"+g)
			}
		case "/v2/oauth2/token/revoke":
			keys = append(keys, "revoke")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		s.counts[k]++
	}
}

// peekGrantType returns the grant_type of a form-encoded body, leaving
// r.Body readable again.
func peekGrantType(r *http.Request) string {
	if !isForm(r) || r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return ""
	}
	return v.Get("grant_type")
}

// isForm reports whether r's Content-Type is application/x-www-form-urlencoded
// (parameters such as charset allowed).
func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}
