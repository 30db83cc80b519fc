package service_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/internal/siteclient"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/worker/service"
)

const testClientID = "7f6e5d4c-0000-4000-8000-00000000b0ff"

func keySpec(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, tokens.KeySize))
}

// harness is the backend on a loopback server, the fake Globus, and KV as Cloudflare documents
// it (kvstore.Cloud: one write per key per second, TTLs of at least 60 s, locations with read
// caches). The backend behind srv runs in location "a"; options.locations adds more, each a
// backend on its own server over its own location of the same KV.
type harness struct {
	t      *testing.T
	fake   *globustest.Server
	cloud  *kvstore.Cloud
	kv     *kvstore.Memory             // the KV's central store, outside its rules: for inspection and setup
	co     *kvstore.MemoryCoordinators // Durable Object mode's coordinators; nil: KV-only mode
	kvOps  atomic.Int64                // KV operations of the backends
	srv    *httptest.Server
	at     map[string]*httptest.Server // the server of each location ("a" is srv)
	keys   *tokens.Keyring
	secret string
	swap   func(http.Handler) // replaces the backend behind srv

	mu      sync.Mutex
	logs    []string
	bodies  []string // every response body, for the no-secrets check
	secrets []string // session ids, states, codes, verifiers seen by the test
}

type options struct {
	fake    globustest.Options
	secret  string // confidential client
	keySpec string // TOKEN_ENCRYPTION_KEY; empty means keySpec(1)
	// locations are the KV locations with a backend ("a" first); nil means just "a".
	locations []string
	// staleness is how long a location may serve a read after the key changed elsewhere
	// (kvstore.Cloud.Staleness); 0: every read sees every write.
	staleness time.Duration
	// now is the KV's clock (kvstore.Cloud.Now); nil means time.Now.
	now func() time.Time
	// coordinated runs every backend in Durable Object mode, over one set of coordinators
	// (kvstore.MemoryCoordinators, the Durable Object's double) with the KV's clock.
	coordinated bool
}

func newHarness(t *testing.T, o options) *harness {
	t.Helper()
	cloud := &kvstore.Cloud{Staleness: o.staleness, Now: o.now}
	h := &harness{t: t, fake: globustest.NewT(t, o.fake), cloud: cloud, kv: cloud.Store(), secret: o.secret}
	if o.coordinated {
		h.co = &kvstore.MemoryCoordinators{Now: o.now}
	}
	if o.keySpec == "" {
		o.keySpec = keySpec(1)
	}
	var err error
	if h.keys, err = tokens.ParseKeyring(o.keySpec); err != nil {
		t.Fatal(err)
	}
	var current http.Handler = http.NotFoundHandler()
	var cmu sync.Mutex
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cmu.Lock()
		hd := current
		cmu.Unlock()
		hd.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	hd := h.handler(h.keys)
	cmu.Lock()
	current = hd
	cmu.Unlock()
	h.fake.RegisterClient(globustest.Client{ID: testClientID, Secret: o.secret, RedirectURIs: []string{h.srv.URL + "/callback"}})
	h.swap = func(n http.Handler) { cmu.Lock(); current = n; cmu.Unlock() }
	h.at = map[string]*httptest.Server{"a": h.srv}
	for _, loc := range o.locations {
		if loc == "a" {
			continue
		}
		// Every location is the same site: its origin (redirect URI, logout check) is srv's.
		srv := httptest.NewServer(h.handlerAt(loc, h.keys, h.srv.URL))
		t.Cleanup(srv.Close)
		h.at[loc] = srv
	}
	return h
}

// handler builds a backend over location "a" of the harness's KV and fake with keys.
func (h *harness) handler(keys *tokens.Keyring) *service.Handler { return h.handlerAt("a", keys, "") }

// handlerAt builds a backend over location loc of the KV, for origin ("" derives it).
func (h *harness) handlerAt(loc string, keys *tokens.Keyring, origin string) *service.Handler {
	g := config.Config{Environment: "test", AuthURL: h.fake.AuthURL(), GroupsURL: h.fake.GroupsURL(),
		Timeout: 10 * time.Second, ClientID: testClientID}
	cfg := service.Config{Globus: g, ClientSecret: h.secret, Keys: keys, Origin: origin}
	hd, err := service.New(cfg, http.DefaultClient.Do, countingKV{h.cloud.Location(loc), &h.kvOps})
	if err != nil {
		h.t.Fatal(err)
	}
	if h.co != nil {
		hd.Coordinators = h.co
	}
	hd.Logf = func(format string, args ...any) {
		h.mu.Lock()
		h.logs = append(h.logs, fmt.Sprintf(format, args...))
		h.mu.Unlock()
	}
	return hd
}

// useKeys makes the server run a backend with other keys (same KV).
func (h *harness) useKeys(spec string) {
	k, err := tokens.ParseKeyring(spec)
	if err != nil {
		h.t.Fatal(err)
	}
	h.swap(h.handler(k))
}

func (h *harness) remember(secret string) {
	if secret != "" {
		h.mu.Lock()
		h.secrets = append(h.secrets, secret)
		h.mu.Unlock()
	}
}

// browser is one user agent (internal/siteclient); the harness remembers every cookie value
// and body it received, for the secret scans.
type browser struct {
	h *harness
	c *siteclient.Client
}

func (h *harness) browser() *browser { return &browser{h: h, c: &siteclient.Client{Base: h.srv.URL}} }

// resp is a finished response with its body read.
type resp struct {
	*http.Response
	body string
}

// do sends a request without following redirects. header values may override Origin etc.
func (b *browser) do(method, target string, header http.Header) *resp {
	b.h.t.Helper()
	r, err := b.c.Do(method, target, header)
	if err != nil {
		b.h.t.Fatal(err)
	}
	for _, c := range r.Cookies() {
		if c.MaxAge >= 0 {
			b.h.remember(c.Value)
		}
	}
	b.h.mu.Lock()
	b.h.bodies = append(b.h.bodies, r.Body)
	b.h.mu.Unlock()
	return &resp{Response: r.Response, body: r.Body}
}

// cookie is the cookie the backend set under name, or nil.
func (b *browser) cookie(name string) *http.Cookie { return b.c.Cookie(name) }

func (b *browser) get(target string) *resp { return b.do(http.MethodGet, target, nil) }

// getAt sends GET path to the backend of location loc.
func (b *browser) getAt(loc, path string) *resp {
	b.h.t.Helper()
	srv := b.h.at[loc]
	if srv == nil {
		b.h.t.Fatalf("no location %q in this harness", loc)
	}
	return b.get(srv.URL + path)
}

// setCookie sets a cookie as if the server had (for tampering tests).
func (b *browser) setCookie(name, value string) {
	b.c.SetCookie(name, &http.Cookie{Name: name, Value: value})
}

// startLogin runs GET /login and lets the fake user approve; it returns the callback URL.
func (b *browser) startLogin(path string) *url.URL {
	b.h.t.Helper()
	r := b.get(path)
	if r.StatusCode != http.StatusFound {
		b.h.t.Fatalf("GET %s = %d %s", path, r.StatusCode, r.body)
	}
	cb, err := b.h.fake.Authorize(context.Background(), r.Header.Get("Location"))
	if err != nil {
		b.h.t.Fatal(err)
	}
	b.h.remember(cb.Query().Get("code"))
	return cb
}

// callback follows the redirect back from Auth to the backend.
func (b *browser) callback(cb *url.URL) *resp {
	return b.get(cb.Path + "?" + cb.RawQuery)
}

// login logs in and returns the session id.
func (b *browser) login() string {
	b.h.t.Helper()
	r := b.callback(b.startLogin("/login"))
	if r.StatusCode != http.StatusFound {
		b.h.t.Fatalf("callback = %d %s", r.StatusCode, r.body)
	}
	sid := b.cookie(service.SessionCookie)
	if sid == nil {
		b.h.t.Fatal("no session cookie after login")
	}
	return sid.Value
}

// record opens the session's KV record with the harness's keys.
func (h *harness) record(sid string) (*tokens.Document, bool) {
	h.t.Helper()
	key := kvstore.SessionKey(sid)
	v, ok, _ := h.kv.Get(context.Background(), key)
	if !ok {
		return nil, false
	}
	d, _, err := service.OpenSessionRecord(h.keys, key, v)
	if err != nil {
		h.t.Fatalf("session record does not open: %v", err)
	}
	return d, true
}

// groupsToken is the session's stored Groups token data.
func (h *harness) groupsToken(sid string) tokens.Data {
	h.t.Helper()
	d, ok := h.record(sid)
	if !ok {
		h.t.Fatal("no session record in KV")
	}
	t, ok := d.Data[tokens.DefaultNamespace][groups.ResourceServer]
	if !ok {
		h.t.Fatalf("session record has no %s token", groups.ResourceServer)
	}
	return t
}

// checkNoSecrets fails if any issued token, session id, state or code appears in plaintext
// in KV, in a log line, or in a response body (cookies excepted: they are the session).
func (h *harness) checkNoSecrets() {
	h.t.Helper()
	secrets := append(h.fake.IssuedTokens(), h.secrets...)
	if len(h.fake.IssuedTokens()) == 0 {
		h.t.Fatal("checkNoSecrets: no tokens were issued, the check would prove nothing")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	places := map[string][]string{"log": h.logs, "response body": h.bodies}
	for k, v := range h.kv.Snapshot() {
		places["KV value of "+k] = []string{v}
		places["KV key"] = append(places["KV key"], k)
	}
	for where, texts := range places {
		for _, text := range texts {
			for _, s := range secrets {
				if s != "" && strings.Contains(text, s) {
					h.t.Errorf("secret %.6s… found in %s", s, where)
				}
			}
		}
	}
}

// countingKV counts the backend's KV operations.
type countingKV struct {
	kv kvstore.KV
	n  *atomic.Int64
}

func (c countingKV) Get(ctx context.Context, k string) (string, bool, error) {
	c.n.Add(1)
	return c.kv.Get(ctx, k)
}

func (c countingKV) Put(ctx context.Context, k, v string, ttl time.Duration) error {
	c.n.Add(1)
	return c.kv.Put(ctx, k, v, ttl)
}

func (c countingKV) Delete(ctx context.Context, k string) error {
	c.n.Add(1)
	return c.kv.Delete(ctx, k)
}
