package globustest

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// TokenLifetime is the access token lifetime. Zero means 48h
	// (expires_in 172800, as in the reference fixtures).
	TokenLifetime time.Duration
	// CodeLifetime is the authorization code lifetime. Zero means 10m.
	CodeLifetime time.Duration
	// RotateRefreshTokens makes the refresh grant return a new refresh
	// token and revoke the one presented. Otherwise the same refresh token
	// is returned.
	RotateRefreshTokens bool
	// AuthAddr and GroupsAddr are the listen addresses of the two
	// listeners. Empty means "127.0.0.1:0" (a free loopback port).
	AuthAddr, GroupsAddr string
	// Now is the clock used for token and code expiry. Nil means time.Now.
	Now func() time.Time
}

// Client is an OAuth2 client registered with the fake Auth service.
type Client struct {
	ID string
	// Secret is empty for a native (public) client, which must use PKCE
	// and must not authenticate; otherwise the client is confidential and
	// must authenticate with HTTP Basic.
	Secret string
	// RedirectURIs are compared with the redirect_uri parameter by exact
	// string match.
	RedirectURIs []string
}

// Server is a running fake of Globus Auth and Groups. Its methods are safe
// for concurrent use.
type Server struct {
	opts      Options
	authURL   string
	groupsURL string
	authSrv   *http.Server
	groupsSrv *http.Server
	authRT    map[string]route
	groupsRT  map[string]route

	mu       sync.Mutex
	clients  map[string]Client
	codes    map[string]*authCode
	tokens   map[string]*token
	issued   []string
	counts   map[string]int
	faults   []*Injected // pending, in Inject order
	denyNext string

	// t is NewT's test, told about unused faults; nil for New.
	t testing.TB
	// mutate is the GLOBUSTEST_MUTATE=nofaults mutation: no fault applies.
	mutate bool

	keyOnce sync.Once
	signer  *signer
}

type side int

const (
	sideAuth side = iota
	sideGroups
)

// route is one endpoint: the single method it accepts and its handler.
type route struct {
	method string
	h      http.HandlerFunc
}

// New starts a fake on two loopback listeners (Auth and Groups) and
// registers the tutorial client (native, redirect URI AuthCodePageURL()).
// Call Close when done.
func New(opts Options) (*Server, error) {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 48 * time.Hour
	}
	if opts.CodeLifetime <= 0 {
		opts.CodeLifetime = 10 * time.Minute
	}
	if opts.AuthAddr == "" {
		opts.AuthAddr = "127.0.0.1:0"
	}
	if opts.GroupsAddr == "" {
		opts.GroupsAddr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	al, err := net.Listen("tcp", opts.AuthAddr)
	if err != nil {
		return nil, err
	}
	gl, err := net.Listen("tcp", opts.GroupsAddr)
	if err != nil {
		al.Close()
		return nil, err
	}
	s := &Server{
		opts:      opts,
		authURL:   baseURL(al.Addr()),
		groupsURL: baseURL(gl.Addr()),
		clients:   map[string]Client{},
		codes:     map[string]*authCode{},
		tokens:    map[string]*token{},
		counts:    map[string]int{},
		mutate:    mutated(),
	}
	s.authRT = map[string]route{
		"/v2/oauth2/authorize":              {http.MethodGet, s.handleAuthorize},
		"/v2/oauth2/token":                  {http.MethodPost, s.handleToken},
		"/v2/oauth2/token/revoke":           {http.MethodPost, s.handleRevoke},
		"/v2/oauth2/userinfo":               {http.MethodGet, s.handleUserinfo},
		"/v2/web/auth-code":                 {http.MethodGet, s.handleAuthCodePage},
		"/v2/web/logout":                    {http.MethodGet, s.handleLogoutPage},
		"/.well-known/openid-configuration": {http.MethodGet, s.handleDiscovery},
		"/jwk.json":                         {http.MethodGet, s.handleJWKS},
	}
	s.groupsRT = map[string]route{
		"/v2/groups/my_groups": {http.MethodGet, s.handleMyGroups},
	}
	quiet := log.New(io.Discard, "", 0)
	s.authSrv = &http.Server{Handler: s.handler(sideAuth), ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
	s.groupsSrv = &http.Server{Handler: s.handler(sideGroups), ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
	go serve(s.authSrv, al)
	go serve(s.groupsSrv, gl)
	s.RegisterClient(Client{ID: TutorialClientID, RedirectURIs: []string{s.AuthCodePageURL()}})
	return s, nil
}

func serve(srv *http.Server, l net.Listener) {
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		l.Close()
	}
}

// baseURL turns a listener address into "http://host:port", using
// 127.0.0.1 for an unspecified host.
func baseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// NewT is New for tests: it fails t on error and closes the server in
// t.Cleanup. It also holds t to its faults: one that is not used up (see
// Inject) fails t when ClearFaults removes it or, if still pending, at the
// cleanup.
func NewT(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("globustest: %v", err)
	}
	s.t = t
	t.Cleanup(func() {
		s.Close()
		s.checkPendingFaults()
	})
	return s
}

// Close stops both listeners and aborts requests in flight.
func (s *Server) Close() {
	s.authSrv.Close()
	s.groupsSrv.Close()
}

// AuthURL is the Auth base URL, "http://127.0.0.1:PORT" without a trailing
// slash (the value for GLOBUS_SDK_SERVICE_URL_AUTH).
func (s *Server) AuthURL() string { return s.authURL }

// GroupsURL is the Groups base URL, without a trailing slash (the value for
// GLOBUS_SDK_SERVICE_URL_GROUPS).
func (s *Server) GroupsURL() string { return s.groupsURL }

// AuthCodePageURL is the native-app auth-code display page,
// AuthURL()+"/v2/web/auth-code", the tutorial client's redirect URI.
func (s *Server) AuthCodePageURL() string { return s.authURL + "/v2/web/auth-code" }

// RegisterClient registers c, replacing any client with the same ID.
func (s *Server) RegisterClient(c Client) {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = c
}

func (s *Server) client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok
}

func (s *Server) now() time.Time { return s.opts.Now() }

// handler is the per-listener pipeline: CORS headers, control endpoints,
// counting, fault injection, preflight, routing.
func (s *Server) handler(sd side) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCORS(w, r)
		if strings.HasPrefix(r.URL.Path, "/_fake/") {
			if r.Method == http.MethodOptions {
				preflight(w, r)
				return
			}
			if sd == sideAuth {
				s.serveControl(w, r)
			} else {
				notFound(sd, w, r)
			}
			return
		}
		s.count(sd, r)
		f, faulted := s.takeFault(r)
		if faulted && f.AfterHandling {
			// Handled for real (state changes), answered late or not at all.
			rc := &recorder{header: http.Header{}}
			for k, v := range w.Header() { // the CORS headers set above
				rc.header[k] = v
			}
			s.route(sd, rc, r)
			deliverLate(w, r, rc, f)
			return
		}
		if faulted && !s.applyFault(sd, w, r, f) {
			return
		}
		s.route(sd, w, r)
	})
}

// route answers preflights and dispatches r to its endpoint.
func (s *Server) route(sd side, w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		preflight(w, r)
		return
	}
	routes := s.authRT
	if sd == sideGroups {
		routes = s.groupsRT
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		notFound(sd, w, r)
		return
	}
	if r.Method != rt.method {
		methodNotAllowed(sd, w, rt.method)
		return
	}
	rt.h(w, r)
}
