package globustest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// authenticateClient applies Globus Auth's client authentication rules to a
// token or revoke request. Native clients identify themselves with the
// client_id form field and must not send an Authorization header;
// confidential clients must use HTTP Basic (the form client_id, if given,
// must match). Failures answer 401 invalid_client.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request, form url.Values) (Client, bool) {
	formID := form.Get("client_id")
	deny := func(desc string) (Client, bool) {
		if r.Header.Get("Authorization") != "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="Globus Auth"`)
		}
		oauthError(w, "invalid_client", desc)
		return Client{}, false
	}
	if form.Has("client_secret") {
		return deny("client_secret in the request body is not accepted; use HTTP Basic")
	}
	if r.Header.Get("Authorization") != "" {
		id, secret, ok := r.BasicAuth()
		if !ok {
			if c, known := s.client(formID); known && c.Secret == "" {
				return deny("native (public) clients must not send an Authorization header")
			}
			return deny("unsupported Authorization header; use HTTP Basic")
		}
		c, known := s.client(id)
		if !known {
			id = basicUnescape(id)
			c, known = s.client(id)
		}
		switch {
		case !known:
			return deny("unknown client")
		case c.Secret == "":
			return deny("native (public) clients must not send an Authorization header")
		case !secretEqual(secret, c.Secret) && !secretEqual(basicUnescape(secret), c.Secret):
			return deny("bad client credentials")
		case formID != "" && formID != id:
			return deny("client_id does not match the authenticated client")
		}
		return c, true
	}
	if formID == "" {
		return deny("client authentication required: client_id is missing")
	}
	c, known := s.client(formID)
	switch {
	case !known:
		return deny("unknown client")
	case c.Secret != "":
		return deny("confidential clients must authenticate with HTTP Basic")
	}
	return c, true
}

// secretEqual compares secrets in constant time.
func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// basicUnescape undoes the form-encoding RFC 6749 §2.3.1 applies to Basic
// credentials. golang.org/x/oauth2 encodes them, the Python SDK does not,
// so credentials are accepted in either form.
func basicUnescape(v string) string {
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

// handleRevoke is POST /v2/oauth2/token/revoke (RFC 7009). Only the exact
// token given stops working; an unknown token still answers 200.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	form, ok := readForm(w, r)
	if !ok {
		return
	}
	c, ok := s.authenticateClient(w, r, form)
	if !ok {
		return
	}
	value := form.Get("token")
	if value == "" {
		oauthError(w, "invalid_request", "token is required")
		return
	}
	s.mu.Lock()
	t := s.tokens[value]
	foreign := t != nil && t.clientID != c.ID
	if t != nil && !foreign {
		t.revoked = true
	}
	s.mu.Unlock()
	if foreign {
		oauthError(w, "unauthorized_client", "token was issued to another client")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"active": false})
}
