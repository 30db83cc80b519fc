package service

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
)

// Cookie names. The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain, so
// no other host (not even a subdomain) can set or shadow them.
const (
	SessionCookie = "__Host-globus-edge-session"
	StateCookie   = "__Host-globus-edge-state"
)

// sessionIDLen is the length of a session id: base64url of 32 random bytes.
const sessionIDLen = 43

// newSessionID returns a fresh session id: 32 random bytes, base64url — the shape of an OAuth
// state, so one generator (auth.RandomState) and one check (validID) serve both.
func newSessionID() string { return auth.RandomState() }

// validID reports whether s has the shape of a session id or state (43 base64url characters
// of 32 bytes), so garbage never reaches KV.
func validID(s string) bool {
	if len(s) != sessionIDLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}

// cookie returns the value of the named cookie, or "".
func (x *reply) cookie(name string) string {
	c, err := x.r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// setCookie sets (maxAge > 0) or expires (maxAge < 0) one of the backend's cookies.
func (x *reply) setCookie(name, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/",
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(maxAge / time.Second),
	}
	if maxAge < 0 {
		c.Value, c.MaxAge = "", -1
	}
	x.w.Header().Add("Set-Cookie", c.String())
}

// clearSession expires the session cookie.
func (x *reply) clearSession() { x.setCookie(SessionCookie, "", -1) }

// sessionStore returns the token storage of session sid: one KV value, sealed and bound to its
// key, with the session's refresh lease as its lock, successor keys on (KV is read in many
// locations) and its issue time (sessionRecord). It is made per request: the KV record
// (kvstore.SessionBlob) remembers what this request read of it, to find what replaced it.
func (x *reply) sessionStore(sid string) *tokens.DocumentStorage {
	return tokens.NewDocumentStorage(x.record(sid, time.Time{}))
}

// newSessionStore is sessionStore for a session this request creates: issued now.
func (x *reply) newSessionStore(sid string) *tokens.DocumentStorage {
	return tokens.NewDocumentStorage(x.record(sid, x.h.now()))
}

// session returns the storage of the request's session, or answers 401 and returns nil.
func (x *reply) session() *tokens.DocumentStorage {
	sid := x.cookie(SessionCookie)
	if sid == "" {
		x.fail(app.KindLoginRequired.Status(), string(app.KindLoginRequired), "not logged in: log in first", nil)
		return nil
	}
	if !validID(sid) {
		x.clearSession()
		x.fail(http.StatusUnauthorized, CodeInvalidSession, "the session cookie is malformed: log in again", nil)
		return nil
	}
	return x.sessionStore(sid)
}
