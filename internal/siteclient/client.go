// Package siteclient is a user agent for tests and benchmarks of the worker's service: it keeps
// cookies itself (Go's cookiejar does not send Secure cookies over plain http, which browsers
// do on loopback), never follows redirects, and reads each body whole.
package siteclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/worker/service"
)

// Client is one browser. Safe for concurrent use; concurrent requests share its cookies.
type Client struct {
	// Base is the site's origin, e.g. http://127.0.0.1:8787.
	Base string
	// Host, when set, is sent as the Host header (one workerd serving several workers).
	Host string
	// HTTP sends the requests; nil means one with a 60 s timeout that does not follow redirects.
	HTTP *http.Client

	mu      sync.Mutex
	cookies map[string]*http.Cookie
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body string
}

var noRedirect = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Do sends a request; target is a path on Base or an absolute URL.
func (c *Client) Do(method, target string, header http.Header) (*Response, error) {
	if strings.HasPrefix(target, "/") {
		target = c.Base + target
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		return nil, err
	}
	if c.Host != "" {
		req.Host = c.Host
	}
	for k, v := range header {
		req.Header[k] = v
	}
	c.mu.Lock()
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	c.mu.Unlock()
	hc := c.HTTP
	if hc == nil {
		hc = noRedirect
	}
	r, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the body: %w", method, req.URL.Path, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cookies == nil {
		c.cookies = map[string]*http.Cookie{}
	}
	for _, ck := range r.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return &Response{Response: r, Body: string(b)}, nil
}

// Get sends a GET.
func (c *Client) Get(target string) (*Response, error) { return c.Do(http.MethodGet, target, nil) }

// Cookie returns the cookie the site set under name, or nil.
func (c *Client) Cookie(name string) *http.Cookie {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cookies[name]
}

// SetCookie replaces (nil: deletes) the cookie name.
func (c *Client) SetCookie(name string, ck *http.Cookie) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cookies == nil {
		c.cookies = map[string]*http.Cookie{}
	}
	if ck == nil {
		delete(c.cookies, name)
	} else {
		c.cookies[name] = ck
	}
}

// Login runs the site's real login: GET /login, the fake Auth approves, GET /callback.
func (c *Client) Login(ctx context.Context, fake *globustest.Server) error {
	r, err := c.Get("/login")
	if err != nil {
		return err
	}
	if r.StatusCode != http.StatusFound {
		return fmt.Errorf("/login answered %d %s", r.StatusCode, r.Body)
	}
	cb, err := fake.Authorize(ctx, r.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	r, err = c.Get("/callback?" + cb.RawQuery)
	if err != nil {
		return err
	}
	if r.StatusCode != http.StatusFound || c.Cookie(service.SessionCookie) == nil {
		return fmt.Errorf("/callback answered %d %s", r.StatusCode, r.Body)
	}
	return nil
}

// Logout posts /logout from the site's own origin and expects 204.
func (c *Client) Logout() error {
	r, err := c.Do(http.MethodPost, "/logout", http.Header{"Origin": {c.Base}})
	if err != nil {
		return err
	}
	if r.StatusCode != http.StatusNoContent {
		return fmt.Errorf("/logout answered %d %s", r.StatusCode, r.Body)
	}
	return nil
}
