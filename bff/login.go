package bff

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
)

// flowRecord is a login in progress, sealed in KV under FlowKey(state) for FlowTTL.
type flowRecord struct {
	Flow     auth.Flow `json:"flow"`
	ReturnTo string    `json:"return_to"`
}

// login is GET /login[?return_to=/path]: a PKCE flow with a random state, remembered in KV
// and bound to this browser by the state cookie, then a redirect to Globus Auth.
func (x *exchange) login() {
	ctx := x.r.Context()
	rec := flowRecord{ReturnTo: SafeReturnTo(x.r.URL.Query().Get("return_to"))}
	state := auth.RandomState()
	// The core's defaults: the Groups scope, refresh tokens (access_type=offline), the
	// redirect URI x.app set to this origin's /callback.
	f, err := x.app(nil).StartLogin(auth.FlowOptions{State: state})
	if err != nil {
		x.failErr("starting the login", err)
		return
	}
	rec.Flow = *f
	b, err := json.Marshal(rec)
	if err != nil {
		x.failErr("starting the login", err)
		return
	}
	if err := x.h.sealed(FlowKey(state), FlowTTL).Save(ctx, b); err != nil {
		x.failErr("starting the login", err)
		return
	}
	x.setCookie(StateCookie, state, FlowTTL)
	x.redirect(f.AuthorizeURL)
}

// callback is GET /callback?code&state (or ?error=...&state): the state must be the one in
// this browser's state cookie and name a live login, which is used up whatever the outcome.
// Then the code is exchanged, a new session is stored and its cookie set.
func (x *exchange) callback() {
	ctx := x.r.Context()
	q := x.r.URL.Query()
	state, cookieState := q.Get("state"), x.cookie(StateCookie)
	x.setCookie(StateCookie, "", -1)
	var rec *flowRecord
	if validID(state) {
		var err error
		if rec, err = x.takeFlow(state); err != nil {
			x.failErr("finishing the login", err)
			return
		}
	}
	switch {
	case state == "":
		x.fail(http.StatusBadRequest, CodeInvalidState, "the callback carries no state", nil)
		return
	case cookieState == "":
		x.fail(http.StatusBadRequest, CodeInvalidState, "no login is in progress in this browser (the state cookie is missing or expired): log in again", nil)
		return
	case subtle.ConstantTimeCompare([]byte(state), []byte(cookieState)) != 1:
		x.fail(http.StatusBadRequest, CodeInvalidState, "the state does not match the login started in this browser", nil)
		return
	case rec == nil:
		x.fail(http.StatusBadRequest, CodeInvalidState, "no such login in progress (expired or already used): log in again", nil)
		return
	}
	if q.Get("error") == "" && q.Get("code") == "" {
		x.fail(http.StatusBadRequest, CodeBadCallback, "the callback carries neither a code nor an error", nil)
		return
	}
	sid := newSessionID()
	if err := x.app(x.sessionStore(sid)).FinishRedirect(ctx, &rec.Flow, q); err != nil {
		if auth.IsInvalidGrant(err) {
			x.fail(http.StatusBadRequest, "invalid_grant", "Globus Auth refused the authorization code (expired, already used or not for this login): log in again", err)
			return
		}
		x.failErr("finishing the login", err)
		return
	}
	x.setCookie(SessionCookie, sid, x.h.cfg.SessionTTL)
	x.redirect(rec.ReturnTo)
}

// takeFlow reads and deletes the login record of state. A record that does not open or parse
// (tampered, or sealed with a key no longer configured) counts as no record; only a KV failure
// is an error.
func (x *exchange) takeFlow(state string) (*flowRecord, error) {
	ctx := x.r.Context()
	blob := x.h.sealed(FlowKey(state), FlowTTL)
	b, ok, err := blob.Load(ctx)
	if derr := blob.Delete(ctx); derr != nil {
		return nil, derr
	}
	if errors.Is(err, tokens.ErrCorrupt) {
		x.h.logf("bff: %s: ignoring an unreadable login record: %v", x.id, err)
		return nil, nil
	}
	if err != nil || !ok {
		return nil, err
	}
	var rec flowRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Flow.State != state || rec.Flow.Verifier == "" {
		x.h.logf("bff: %s: ignoring a malformed login record", x.id)
		return nil, nil
	}
	return &rec, nil
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
func (x *exchange) redirect(target string) {
	x.w.Header().Set("Location", target)
	x.w.WriteHeader(http.StatusFound)
}
