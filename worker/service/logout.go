package service

import (
	"errors"
	"net/http"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/tokens"
)

// logout is POST /logout: only from a page of this origin (the Origin header must be this
// service's origin: a cross-site form or fetch cannot log the user out). It revokes the
// session's access and refresh tokens, deletes the session from KV and expires the cookie,
// answering 204. Without a session it just expires the cookie. When KV fails the cookie is
// kept (the session is still there), so the logout can be tried again. When revoking fails
// the session is still ended here, and the answer's status and code are the failure's kind.
func (x *reply) logout() {
	if got := x.r.Header.Get("Origin"); got != x.origin() {
		x.fail(http.StatusForbidden, CodeCrossOrigin, "logout must come from a page of this site (Origin mismatch)", nil)
		return
	}
	sid := x.cookie(SessionCookie)
	if !validID(sid) {
		x.clearSession()
		x.w.WriteHeader(http.StatusNoContent)
		return
	}
	store := x.sessionStore(sid)
	err := x.app(store).Logout(x.r.Context())
	if errors.Is(err, tokens.ErrCorrupt) {
		// Nothing in it can be revoked: drop it so it does not linger until its TTL.
		x.h.logf("service: %s: deleting an unreadable session at logout: %v", x.id, err)
		err = store.Blob.Delete(x.r.Context())
	}
	switch {
	case app.KindOf(err) == app.KindStorage:
		// KV failed: the record and its live tokens are still there. The cookie stays, so the
		// user can log out again; dropping it would orphan tokens no one can revoke.
		x.failErr("logging out", err)
	case err != nil:
		// Storage is cleared; the revocation failed as the core describes it (a timeout is
		// 504 timeout, a Globus error 502 globus_error).
		x.clearSession()
		x.failAs(app.Describe(err), "logged out here, but Globus did not confirm revoking the tokens (they stay valid until they expire)", err)
	default:
		x.clearSession()
		x.w.WriteHeader(http.StatusNoContent)
	}
}
