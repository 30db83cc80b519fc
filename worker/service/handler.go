// Package service is the backend-for-frontend that the Cloudflare Worker runs: Globus login and
// "my groups" as an http.Handler over a KV store, with the tokens kept server-side (encrypted
// in KV, keyed by a hash of an HttpOnly session cookie) so they never reach the browser.
//
// Routes:
//
//	GET  /          a small page: log in / log out buttons and the groups table
//	GET  /login     start a login (PKCE S256, random state bound to a cookie) → 302 to Globus Auth
//	GET  /callback  finish it: check the state, exchange the code, start a session → 302 back
//	GET  /groups    the session's groups: JSON (raw Groups objects) or CSV
//	POST /logout    revoke the tokens, delete the session (same-origin requests only)
//	GET  /healthz   "ok", without any I/O
//
// The package is pure Go: the worker supplies a kvstore.KV (Cloudflare KV), a transport.Doer
// (fetch) and a Config from its vars and secrets; tests use kvstore.Memory and net/http.
package service

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// Handler serves the backend's routes. It is built once per Go instance (the worker builds it
// from env at start) and serves every request of that instance; it keeps no state between
// requests beyond what is in KV, so requests of different users share nothing through it.
type Handler struct {
	cfg  Config
	doer transport.Doer
	kv   kvstore.KV
	// Logf receives one line per failed request, never with secrets; nil means log.Printf.
	Logf func(format string, args ...any)
	// Now is the clock of session ages (Config.SessionMaxAge); nil means time.Now.
	Now func() time.Time
	// Coordinators, when set, coordinate each session exactly across isolates and locations
	// (Durable Object mode: the worker's SESSIONS binding, see kvstore.SessionBlob's
	// WithCoordinator); nil is KV-only mode, coordinated by KV leases and successor keys.
	Coordinators kvstore.Coordinators
	// sleep, when set, replaces the waits between retries (the fault suite records them
	// instead of waiting: export_test.go).
	sleep func(ctx context.Context, d time.Duration) error
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// New returns a Handler. d sends requests to Globus (retries and timeouts are added here);
// kv keeps sessions. A bad cfg is a *config.Error.
func New(cfg Config, d transport.Doer, kv kvstore.KV) (*Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if d == nil || kv == nil {
		return nil, &config.Error{Missing: []string{"a Doer and a KV store (KV binding TOKENS)"}}
	}
	return &Handler{cfg: cfg, doer: d, kv: kv}, nil
}

// NewFromEnv is ConfigFromEnv followed by New.
func NewFromEnv(getenv func(string) string, d transport.Doer, kv kvstore.KV) (*Handler, error) {
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return New(cfg, d, kv)
}

// Unavailable returns a handler for a backend that cannot start (err: usually a
// *config.Error): /healthz still answers "ok" (the code runs), every other route answers as
// app.Describe says (invalid_config, 500) with err's message, which must name settings, not
// their values.
func Unavailable(err error) http.Handler {
	f := app.Describe(err)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x := &reply{h: &Handler{}, w: w, r: r, id: newRequestID()}
		x.setCommonHeaders()
		if r.URL.Path == "/healthz" {
			x.healthz()
			return
		}
		x.failAs(f, "the service is misconfigured: "+f.Message, nil)
	})
}

func (h *Handler) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &reply{h: h, w: w, r: r, id: newRequestID()}
	x.setCommonHeaders()
	routes := map[string]struct {
		method string
		head   bool // HEAD is answered like GET
		serve  func()
	}{
		"/":          {http.MethodGet, true, x.page},
		"/healthz":   {http.MethodGet, true, x.healthz},
		"/login":     {http.MethodGet, false, x.login},
		CallbackPath: {http.MethodGet, false, x.callback},
		"/groups":    {http.MethodGet, false, x.groups},
		"/logout":    {http.MethodPost, false, x.logout},
	}
	rt, ok := routes[r.URL.Path]
	switch {
	case !ok:
		x.fail(http.StatusNotFound, CodeNotFound, "no such route", nil)
	case r.Method != rt.method && !(rt.head && r.Method == http.MethodHead):
		w.Header().Set("Allow", rt.method)
		x.fail(http.StatusMethodNotAllowed, CodeMethodNotAllowed, r.URL.Path+" accepts "+rt.method+" only", nil)
	case x.refuseBody():
	default:
		rt.serve()
	}
}

func (x *reply) setCommonHeaders() {
	hd := x.w.Header()
	hd.Set("X-Request-Id", x.id)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	// One year, the usual value; browsers ignore it over plain http (local runs).
	hd.Set("Strict-Transport-Security", "max-age=31536000")
}

func (x *reply) healthz() {
	x.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	x.w.Write([]byte("ok\n"))
}

// origin is this service's public origin: configured, or the one the request was sent to.
func (x *reply) origin() string {
	if x.h.cfg.Origin != "" {
		return x.h.cfg.Origin
	}
	if x.r.URL.IsAbs() { // the worker runtime hands over absolute URLs
		return x.r.URL.Scheme + "://" + x.r.URL.Host
	}
	scheme := "http"
	if x.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + x.r.Host
}

// app returns the core for this request over storage (nil when the route stores nothing).
func (x *reply) app(storage tokens.Storage) *app.App {
	g := x.h.cfg.Globus
	g.RedirectURI = x.origin() + CallbackPath
	a := app.New(g, x.h.doer, storage, x.h.cfg.ClientSecret)
	if x.h.sleep != nil {
		a.Transport.Sleep = x.h.sleep
	}
	return a
}
