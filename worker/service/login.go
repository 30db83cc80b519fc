package service

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
)

// login is GET /login[?return_to=/path]: a PKCE flow with a random state, kept in this
// browser's state cookie (sealed, HttpOnly), then a redirect to Globus Auth. Starting a login
// touches no KV: anonymous traffic must not spend the KV write quota.
func (x *reply) login() {
	// The core's defaults: a random state, the Groups scope, refresh tokens
	// (access_type=offline), the redirect URI x.app set to this origin's /callback.
	f, err := x.app(nil).StartLogin(auth.FlowOptions{})
	if err != nil {
		x.failErr("starting the login", err)
		return
	}
	f.ReturnTo = SafeReturnTo(x.r.URL.Query().Get("return_to"))
	if err := x.pendingLogin().Save(x.r.Context(), f); err != nil {
		x.failErr("starting the login", err)
		return
	}
	x.redirect(f.AuthorizeURL)
}

// callback is GET /callback?code&state (or ?error=...&state), read by the core's one parser
// (auth.Redirect). The state must be the one of the login in this browser's state cookie: a
// forged or stale callback is refused and leaves that login in place, before any KV operation.
// A matching one uses the login up, whatever the outcome; then the code is exchanged, a new
// session is stored and its cookie set, and a session this browser held before is logged out
// (revoked and deleted, not left orphaned).
func (x *reply) callback() {
	ctx := x.r.Context()
	q := x.r.URL.Query()
	f, err := x.pendingLogin().TakeMatching(ctx, auth.ParseRedirect(q).State)
	if err != nil {
		x.failErr("finishing the login", err)
		return
	}
	sid := newSessionID()
	if err := x.app(x.newSessionStore(sid)).FinishRedirect(ctx, f, q); err != nil {
		x.failErr("finishing the login", err)
		return
	}
	if old := x.cookie(SessionCookie); validID(old) {
		if err := x.app(x.sessionStore(old)).Logout(ctx); err != nil {
			x.h.logf("service: %s: ending the previous session after a new login: %v", x.id, err)
		}
	}
	x.setCookie(SessionCookie, sid, min(x.h.cfg.SessionTTL, x.h.cfg.SessionMaxAge))
	x.redirect(f.ReturnTo)
}

// pendingLogin is the login in progress in this browser's state cookie, sealed with the
// token keys and bound to the cookie's name, valid for auth.PendingTTL.
func (x *reply) pendingLogin() auth.PendingLogin {
	return auth.PendingLogin{
		Blob: tokens.SealedBlob{Blob: stateCookie{x}, Keys: x.h.cfg.Keys, AdditionalData: []byte(StateCookie)},
		TTL:  auth.PendingTTL,
	}
}

// stateCookie is the state cookie as a tokens.Blob: Load reads the request's cookie, Save and
// Delete set or expire it in the response.
type stateCookie struct{ x *reply }

// Load implements tokens.Blob.
func (c stateCookie) Load(context.Context) ([]byte, bool, error) {
	v := c.x.cookie(StateCookie)
	return []byte(v), v != "", nil
}

// Save implements tokens.Blob.
func (c stateCookie) Save(_ context.Context, b []byte) error {
	c.x.setCookie(StateCookie, string(b), auth.PendingTTL)
	return nil
}

// Delete implements tokens.Blob.
func (c stateCookie) Delete(context.Context) error {
	c.x.setCookie(StateCookie, "", -1)
	return nil
}

// SafeReturnTo returns p if it is a path on this origin ("/..." but not "//..." or "/\...",
// without control characters), else "/". It is what keeps /login?return_to= from being an
// open redirect. Bytes that may not appear in a URL as they are (non-ASCII, space and
// " < > \ ^ ` { | }) are percent-encoded: the result goes into a Location header, which in
// the worker cannot carry non-ASCII, and the callback sets it only after the session is stored.
func SafeReturnTo(p string) string {
	if len(p) == 0 || len(p) > maxReturnTo || p[0] != '/' {
		return "/"
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c < 0x20 || c == 0x7f:
			// Browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil".
			return "/"
		case c >= 0x80 || strings.IndexByte(" \"<>\\^`{|}", c) >= 0:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > maxReturnTo {
		return "/"
	}
	return b.String()
}

// maxReturnTo bounds return_to, before and after encoding.
const maxReturnTo = 2048

// redirect answers 302 to target.
func (x *reply) redirect(target string) {
	x.w.Header().Set("Location", target)
	x.w.WriteHeader(http.StatusFound)
}
